"""Vega-Lite spec -> lean static SVG, cached on disk by the hash of the spec.

vl_convert runs Vega in an embedded JavaScript engine; starting it costs about a
second, so it is imported only on a cache miss. The cached SVG is tidied once:
attributes that only repeat SVG defaults or that the page's CSS provides (the
font) are dropped and coordinates are rounded, which roughly halves the size.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from importlib.metadata import version
from pathlib import Path

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


class ChartError(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def spec_hash(spec: dict) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    tool = version("vl-convert-python")
    return hashlib.sha256(f"{tool}\n{canonical}".encode()).hexdigest()[:20]


def render_svg(spec: dict, theme: dict, cache: Path) -> str:
    """The tidied SVG of ``spec`` drawn with ``theme`` (a Vega-Lite config)."""
    full = {"$schema": SCHEMA, **spec, "config": theme}
    try:
        path = cache / f"{spec_hash(full)}.svg"
    except ValueError:
        raise ChartError("the chart's data contain NaN or infinity",
                         "drop or clip non-finite values in the chart function") from None
    if path.is_file():
        return path.read_text(encoding="utf-8")
    import vl_convert  # slow to start: only on a cache miss
    try:
        svg = tidy(vl_convert.vegalite_to_svg(full))
    except Exception as error:   # vl_convert reports spec errors as ValueError/RuntimeError
        raise ChartError(f"Vega-Lite could not draw the spec: {error}",
                         "fix the spec returned by the chart function") from None
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(path)
    return svg


DEFAULTS = re.compile(r' (?:xmlns(?::xlink)?|version|font-family|aria-hidden|'
                      r'aria-roledescription|role|pointer-events)="[^"]*"'
                      r'| (?:opacity|stroke-width)="1"')
INVISIBLE = re.compile(r'<path class="(?:background|foreground)" d="[^"]*"(?: display="none")?/>')
NUMBER = re.compile(r"(\d+\.\d\d)\d+")


def tidy(svg: str) -> str:
    svg = INVISIBLE.sub("", DEFAULTS.sub("", svg))
    return re.sub(r'="([^"]*)"', lambda m: '="' + NUMBER.sub(r"\1", m.group(1)) + '"', svg)


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and every reference to one) so that several inline SVGs
    on one page do not share Vega's ``clip1``, ``clip2``..."""
    ids = set(re.findall(r' id="([^"]+)"', svg))
    if not ids:
        return svg
    pattern = re.compile(r'( id="|url\(#|href="#)(' + "|".join(map(re.escape, ids)) + r')\b')
    return pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
