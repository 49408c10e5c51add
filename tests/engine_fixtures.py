"""TEST HELPERS for the site engine: a throwaway project with a tiny subject
package, the real templates and a fake run (tests/fake_run.py). Nothing here
trains or reads the real charrnn sources, so these tests stay fast and do not
break while charrnn changes. The fixtures themselves are in conftest.py.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from walkthrough.errors import BuildError
from walkthrough.site import Options, Outcome, build

REPO = Path(__file__).resolve().parent.parent

DEMO = '''\
"""A tiny module for the engine tests."""
import math


def helper(x):
    return x + 1


# Squares a number.
# Both comment lines belong to the symbol.
@cached
def square(x):
    """Square."""
    return x * x


class Model:
    def __init__(self, n):
        self.n = n

    def forward(self, x):
        total = 0
        for i in range(self.n):
            total += x * i
        return total


LIMITS = {"low": 0, "high": 10}

# region loop
for i in range(3):
    print(math.pi * i)
# endregion loop
'''

SECTION = '''\
id: squares
number: 1
phase: 0
title: Squares
subtitle: A function that squares its argument
file: demo.py
symbol: square
prose: |
  The run had {{ run.params | thousands }} parameters.
annotations:
  - id: the-product
    code: return x * x
    text: Multiply $x$ by itself.
charts: [loss]
'''

METHOD_SECTION = '''\
id: forward-pass
number: 2
phase: 1
title: Forward
subtitle: The method that sums
file: demo.py
symbol: Model.forward
annotations:
  - id: the-loop
    code: |
      for i in range(self.n):
          total += x * i
    text: A loop over {{ run.config.hidden_size }} units.
'''


@dataclass
class Project:
    root: Path
    run: Path
    chart_cache: Path

    @property
    def site_src(self) -> Path:
        return self.root / "site_src"

    @property
    def package(self) -> Path:
        return self.root / "charrnn"

    @property
    def out(self) -> Path:
        return self.root / "_site"

    def section(self, name: str, text: str) -> Path:
        path = self.site_src / "sections" / f"{name}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def source(self, text: str, name: str = "demo.py") -> Path:
        path = self.package / name
        path.write_text(text, encoding="utf-8")
        return path

    def options(self, **changes) -> Options:
        # A run given here is a fake one, made by no code at all, so it is published
        # as runs of other code are: said so on every page.
        settings = dict(out=self.out, site_src=self.site_src, package=self.package,
                        cache=self.root / ".cache", run=self.run,
                        allow_other_code=changes.get("run", self.run) is not None)
        settings.update(changes)
        return Options(**settings)

    def build(self, **changes) -> Outcome:
        return build(self.options(**changes), log=lambda message: None)

    def fail(self, **changes) -> str:
        with pytest.raises(BuildError) as caught:
            self.build(**changes)
        return str(caught.value)

    def files(self, folder: Path | None = None) -> dict[str, bytes]:
        folder = folder or self.out
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    def command(self, *args: str, prelude: str = "", fake_run: bool = True) -> list[str]:
        """``build.py *args`` run on this project with the fake run (or, with
        ``fake_run=False``, the sweep of its own package), from its root (so
        messages name paths as its author would see them). ``prelude`` is Python
        run first, before the engine is imported: a place to inject faults."""
        given = ["--run", str(self.run), "--allow-other-code"] if fake_run else []
        script = "\n".join([
            "import sys", "from pathlib import Path", f"sys.path.insert(0, {str(REPO)!r})",
            textwrap.dedent(prelude), "import build", f"build.ROOT = Path({str(self.root)!r})",
            f"sys.exit(build.main({[*given, *map(str, args)]!r}))"])
        return [sys.executable, "-c", script]

    def cli(self, *args: str, prelude: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args, prelude=prelude), cwd=self.root,
                              capture_output=True, text=True, timeout=300)


def make_project(root: Path, run: Path, chart_cache: Path) -> Project:
    """A project with the real templates, one demo module and two valid sections."""
    site_src = root / "site_src"
    shutil.copytree(REPO / "site_src" / "templates", site_src / "templates")
    shutil.copytree(REPO / "site_src" / "static", site_src / "static")
    for name in ("site.yaml", "chart-theme.json"):
        shutil.copy(REPO / "site_src" / name, site_src / name)
    (site_src / "sections").mkdir()
    (root / "charrnn").mkdir()
    (root / ".cache").mkdir()
    (root / ".cache" / "charts").symlink_to(chart_cache)
    project = Project(root, run, chart_cache)
    project.source(DEMO)
    project.section("01-squares", SECTION)
    project.section("02-forward", METHOD_SECTION)
    return project


TINY_EXPERIMENTS = '''\
seeds: [42]
defaults: {steps: 120, hidden_size: 8, num_sentences: 40, val_every: 60}
variants:
  - name: default
    about: The only variant.
    settings: {}
'''


def make_trainable_project(root: Path, run: Path, chart_cache: Path) -> Project:
    """Like make_project, but the package is a copy of the real charrnn (plus the
    demo module the sections show) and site_src has a tiny experiment file, so a
    build without ``run`` really trains, in seconds."""
    project = make_project(root, run, chart_cache)
    shutil.rmtree(project.package)
    shutil.copytree(REPO / "charrnn", project.package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    project.source(DEMO)
    (project.site_src / "experiments.yaml").write_text(TINY_EXPERIMENTS, encoding="utf-8")
    return project
