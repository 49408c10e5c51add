"""An accessibility audit of every page with axe-core (from npm, injected from
disk: nothing is fetched), in the light and the dark theme and on a phone: no
violation of serious or critical impact."""
from __future__ import annotations

import pytest
from browser_support import assert_clean, expected_pages

PAGES = expected_pages()
BLOCKING = {"serious", "critical"}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], preload: false});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "),
                                summary: n.failureSummary || ""})),
  }));
}"""


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:6]:
            lines.append(f"    at {node['target']}")
            for detail in node["summary"].splitlines()[1:3]:
                lines.append(f"       {detail.strip()}")
        if len(v["nodes"]) > 6:
            lines.append(f"    ... and {len(v['nodes']) - 6} more")
    return "\n".join(lines)


# Colours are checked in both themes; what scrolls sideways on a phone
# (scrollable-region-focusable) at 375 px.
VIEWS = {"light": ("light", 1280), "dark": ("dark", 1280), "phone": ("light", 375)}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("rel", PAGES)
def test_page_has_no_serious_accessibility_violation(open_page, axe_js, rel, view):
    scheme, width = VIEWS[view]
    page = open_page(rel, color_scheme=scheme, width=width)
    page.add_script_tag(path=str(axe_js))
    violations = page.evaluate(RUN_AXE)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    if others:   # shown with -rA or on failure; not a failure by themselves
        print(f"{rel} ({view}), minor and moderate:\n{describe(others)}")
    assert not blocking, f"{rel} ({view}):\n{describe(blocking)}"
    assert_clean(page)
