"""Vega-Lite spec -> lean static SVG, cached on disk by the hash of the spec.

vl_convert runs Vega in an embedded JavaScript engine; starting it costs about a
second, so it is imported only on a cache miss. The cached SVG is tidied once:
attributes that only repeat SVG defaults or that the page's CSS provides (the
font) are dropped and coordinates are rounded, which roughly halves the size.

A cache entry ``<spec hash>.svg`` is sealed (files.write_sealed): its first
line, an SVG comment, records the size and SHA-256 of the SVG after it. An
entry that is truncated, emptied or altered no longer matches its first line:
it is discarded with a warning and drawn again, never published.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from .errors import BuildError, Refusal, file_problem, shown
from .files import unseal, write_sealed

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Part of the key: change it with tidy() or the entry layout, and older entries are never read.
ENTRY_FORMAT = "2: digest line, ids numbered per chart"


class ChartError(Refusal):
    """A chart function's spec that Vega-Lite cannot draw."""


def spec_hash(spec: dict) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    tool = version("vl-convert-python")
    return hashlib.sha256(f"{tool}\n{ENTRY_FORMAT}\n{canonical}".encode()).hexdigest()[:20]


def render_svg(spec: dict, theme: dict, cache: Path,
               warn: Callable[[str], None] = lambda message: None) -> str:
    """The tidied SVG of ``spec`` drawn with ``theme`` (a Vega-Lite config). A damaged
    cache entry is reported through ``warn`` and drawn again."""
    full = {"$schema": SCHEMA, **spec, "config": theme}
    try:
        path = cache / f"{spec_hash(full)}.svg"
    except ValueError:
        raise ChartError("the chart's data contain NaN or infinity",
                         "drop or clip non-finite values in the chart function") from None
    svg = _cached(path, warn)
    if svg is not None:
        return svg
    import vl_convert  # slow to start: only on a cache miss
    try:
        svg = tidy(vl_convert.vegalite_to_svg(full))
    except Exception as error:   # vl_convert reports spec errors as ValueError/RuntimeError
        raise ChartError(f"Vega-Lite could not draw the spec: {error}",
                         "fix the spec returned by the chart function") from None
    body = svg.encode("utf-8")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        write_sealed(path, body)
    except OSError as error:
        raise BuildError([file_problem(error, path, "write the chart cache")]) from None
    return svg


def _cached(path: Path, warn: Callable[[str], None]) -> str | None:
    """The SVG of a sound cache entry; None on a miss, or after discarding a bad one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BuildError([file_problem(error, path, "read the chart cache")]) from None
    body, damage = unseal(data)
    if body is not None:
        return body.decode("utf-8")
    warn(f"{shown(path)}: damaged chart cache entry ({damage}): discarded, drawing it again")
    try:
        path.unlink()
    except OSError as error:
        raise BuildError([file_problem(error, path, "discard the damaged chart")]) from None
    return None


DEFAULTS = re.compile(r' (?:xmlns(?::xlink)?|version|font-family|aria-hidden|'
                      r'aria-roledescription|role|pointer-events)="[^"]*"'
                      r'| (?:opacity|stroke-width)="1"')
INVISIBLE = re.compile(r'<path class="(?:background|foreground)" d="[^"]*"(?: display="none")?/>')
NUMBER = re.compile(r"(\d+\.\d\d)\d+")


def tidy(svg: str) -> str:
    svg = INVISIBLE.sub("", DEFAULTS.sub("", svg))
    svg = re.sub(r'="([^"]*)"', lambda m: '="' + NUMBER.sub(r"\1", m.group(1)) + '"', svg)
    return renumber_ids(svg)


def renumber_ids(svg: str) -> str:
    """Vega numbers its ids (``clip3``, ``gradient_1``) on from the charts it drew
    before in the same process, so one chart's SVG would depend on which others
    were drawn first. Number them within the chart instead: ``clip1``, ``clip2``..."""
    ids = list(dict.fromkeys(re.findall(r' id="([^"]+)"', svg)))
    if not ids:
        return svg
    counts: dict[str, int] = {}
    new = {}
    for old in ids:
        stem = old.rstrip("0123456789")
        counts[stem] = counts.get(stem, 0) + 1
        new[old] = f"{stem}{counts[stem]}"
    pattern = re.compile(r'( id="|url\(#|href="#)(' + "|".join(map(re.escape, ids)) + r')\b')
    return pattern.sub(lambda m: m.group(1) + new[m.group(2)], svg)


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and every reference to one) so that several inline SVGs
    on one page do not share Vega's ``clip1``, ``clip2``..."""
    ids = set(re.findall(r' id="([^"]+)"', svg))
    if not ids:
        return svg
    pattern = re.compile(r'( id="|url\(#|href="#)(' + "|".join(map(re.escape, ids)) + r')\b')
    return pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
