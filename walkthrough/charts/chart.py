"""What a chart is: a named, captioned function from the run to a Vega-Lite spec,
drawn for a frame (the width of the column it will sit in).

A chart function is called once per frame. Most build the same picture narrower
for the phone; a few change their layout (fewer legend columns, wrapped text).
When both frames give the same spec the page carries one drawing. A function may
also return a list of specs: small multiples, one SVG each, that the page's CSS
sets side by side where they fit and one under the other where they do not.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Spec = dict | list[dict]


@dataclass(frozen=True)
class Frame:
    """The column a chart is drawn for. ``width`` is the plot area; axes and
    legends add roughly 70 px to it, so that a wide chart stays inside the
    46rem (736 px) reading column at 11 px text and a narrow one inside the
    335 px column of a 375 px phone."""
    name: str     # the CSS class that shows this drawing: "wide" or "narrow"
    width: int

    @property
    def narrow(self) -> bool:
        return self.name == "narrow"


WIDE = Frame("wide", 560)
NARROW = Frame("narrow", 265)
FRAMES = (WIDE, NARROW)


@dataclass(frozen=True)
class Chart:
    """A registered chart. ``spec(data, frame)`` returns a Vega-Lite spec, or a
    list of them for small multiples.

    ``source`` names what ``spec`` is given. Every chart today draws one run
    (``"run"``: a walkthrough.run.Run); a chart that compares the runs of an
    experiment matrix would declare another source and the page builder would
    hand it that instead."""
    name: str
    caption: str
    spec: Callable[..., Spec]
    source: str = "run"


def chart(name: str, caption: str, source: str = "run") -> Callable[[Callable[..., Spec]], Chart]:
    """Make the decorated function a Chart. It is not registered anywhere yet:
    walkthrough/charts/__init__.py lists every chart the sections may use."""
    def make(function: Callable[..., Spec]) -> Chart:
        return Chart(name, caption, function, source)
    return make


def catalogue(*charts: Chart) -> dict[str, Chart]:
    """The registry: charts by name, each name once."""
    registry: dict[str, Chart] = {}
    for item in charts:
        if item.name in registry:
            raise ValueError(f"chart {item.name!r} is listed twice")
        registry[item.name] = item
    return registry


def as_panels(spec: Any) -> list[dict]:
    """A chart function's result as a list of panel specs."""
    return list(spec) if isinstance(spec, list | tuple) else [spec]
