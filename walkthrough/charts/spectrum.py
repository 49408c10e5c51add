"""The recurrent matrix's spectrum and what it does to gradients: the eigenvalue
planes of sections 06 and 18, the spectral radius (18), the Jacobian products (19).

The eigenvalue plane here and the scrubber's (site_src/static/scrubber.js) are
drawn alike: the unit circle solid, the circle of radius rho dotted, eigenvalues
blue on or inside the unit circle and orange outside it.
"""
from __future__ import annotations

import numpy as np

from ..run import Run
from .chart import Frame, chart
from .style import (
    BLUE,
    ORANGE,
    circle,
    legend_columns,
    log_step_axis,
    log_ticks,
    nearest_steps,
    outside_unit_circle,
    panel_title,
    reference_rule,
    rows,
    series,
    significant,
)

PLANE = 250                      # side of one plane in px: two fit side by side in the
                                 # reading column, one on a phone, so one drawing serves both
WHERE = ["on or inside", "outside"]
CIRCLES = ["unit circle", "radius \u03c1"]

PLANE_NOTE = ("The solid circle is the unit circle; the dotted one has radius \u03c1, the "
              "largest modulus, so every eigenvalue lies on or inside it. Orange marks an "
              "eigenvalue outside the unit circle (modulus above 1.001, which leaves room "
              "for rounding: those of an orthogonal matrix all sit on the circle).")


def eigen_plane(eigenvalues: np.ndarray, title: str, reach: float) -> dict:
    """One step's eigenvalues in the complex plane, on axes from -reach to reach."""
    outside = outside_unit_circle(eigenvalues)
    radius = float(np.abs(eigenvalues).max())
    points = rows(re=eigenvalues.real.astype(np.float64), im=eigenvalues.imag.astype(np.float64),
                  where=[WHERE[int(o)] for o in outside])
    rings = [dict(r, series=name) for name, size in zip(CIRCLES, (1.0, radius), strict=True)
             for r in circle(size)]
    axis = {"type": "quantitative", "scale": {"domain": [-reach, reach], "nice": False},
            "axis": {"tickCount": 5, "grid": False}}
    x, y = {"field": "re", **axis, "title": "Re \u03bb"}, {"field": "im", **axis, "title": "Im \u03bb"}
    zero = {"mark": {"type": "rule", "color": "currentColor", "opacity": 0.15}}
    return {
        "title": panel_title(title, f"\u03c1 = {radius:.3f} \u00b7 {int(outside.sum())} of "
                                    f"{len(eigenvalues)} outside the unit circle"),
        "width": PLANE, "height": PLANE,
        "layer": [
            {"data": {"values": [{"zero": 0}]}, **zero,
             "encoding": {"x": {"field": "zero", "type": "quantitative"}}},
            {"data": {"values": [{"zero": 0}]}, **zero,
             "encoding": {"y": {"field": "zero", "type": "quantitative"}}},
            {"data": {"values": rings},
             "mark": {"type": "line", "color": "currentColor", "strokeWidth": 1,
                      "opacity": 0.6},
             "encoding": {"x": x, "y": y, "order": {"field": "order"},
                          "strokeDash": {"field": "series", "type": "nominal", "title": None,
                                         "scale": {"domain": CIRCLES,
                                                   "range": [[1, 0], [2, 3]]},
                                         "legend": {"symbolStrokeColor": "currentColor"}}}},
            {"data": {"values": points},
             "mark": {"type": "circle", "size": 22, "opacity": 0.9},
             "encoding": {"x": x, "y": y,
                          "color": {"field": "where", "type": "nominal", "title": None,
                                    "scale": {"domain": WHERE, "range": [BLUE, ORANGE]},
                                    "legend": {"symbolType": "circle"}}}},
        ],
        "resolve": {"legend": {"color": "independent", "strokeDash": "independent"}},
    }


def planes(run: Run, picked: list[int], titles: list[str]) -> list[dict]:
    """Eigenvalue planes of the recorded steps ``picked``, on one shared scale."""
    eig = run.snapshots["eigenvalues"]
    reach = significant(1.08 * max(1.0, float(np.abs(eig[picked]).max())), 3)
    return [eigen_plane(eig[i], title, reach) for i, title in zip(picked, titles, strict=True)]


@chart("whh-eigenvalues", "The eigenvalues of the recurrent matrix W_hh in the complex "
                          "plane, as initialised and after the last update. An eigenvalue "
                          "outside the unit circle is a direction in which repeated "
                          "multiplication by W_hh grows a vector. " + PLANE_NOTE)
def whh_eigenvalues(run: Run, frame: Frame) -> list[dict]:
    steps = run.snapshots["step"]
    last = len(steps) - 1
    return planes(run, [0, last], [f"step {int(steps[0]):,}: as initialised",
                                   f"step {int(steps[last]):,}: end of training"])


@chart("eigenvalues", "Every eigenvalue of W_hh in the complex plane at four recorded "
                      "steps. " + PLANE_NOTE)
def eigenvalues(run: Run, frame: Frame) -> list[dict]:
    steps = run.snapshots["step"]
    picked = nearest_steps(steps, [1, 100, 1_000])
    return planes(run, picked, [f"step {int(steps[i]):,}" for i in picked])


@chart("spectral-radius", "The spectral radius of W_hh (its largest eigenvalue modulus) "
                          "at each recorded step. The dashed rule marks 1, where repeated "
                          "multiplication by W_hh neither grows nor shrinks the "
                          "leading direction.")
def spectral_radius(run: Run, frame: Frame) -> dict:
    s = run.snapshots
    return {
        "width": frame.width, "height": 200,
        "layer": [
            {"data": {"values": rows(step=s["step"], radius=s["spectral_radius"])},
             "mark": {"type": "line", "point": {"size": 14, "filled": True}},
             "encoding": {"x": log_step_axis(s["step"]),
                          "y": {"field": "radius", "type": "quantitative",
                                "title": "spectral radius \u03c1(W_hh)",
                                "scale": {"zero": True}}}},
            reference_rule(1.0),
        ],
    }


@chart("jacobian-norms", "The spectral norm of the product of the last k one-step "
                         "Jacobians of a chunk, against k, at a few recorded steps "
                         "(log scale). Above 1, a gradient sent k steps back can grow; "
                         "below, it shrinks.")
def jacobian_norms(run: Run, frame: Frame) -> dict:
    j = run.jacobians
    picked = nearest_steps(j["step"], [1, 30, 300, 3_000])
    order = [f"step {int(j['step'][i]):,}" for i in picked]
    data = [r for i, name in zip(picked, order, strict=True)
            for r in rows(k=j["distance"], norm=j["product_norm"][i].astype(np.float64),
                          series=[name] * len(j["distance"]))]
    style = series(order)
    style["color"]["legend"] = legend_columns(frame, 5)
    return {
        "width": frame.width, "height": 240,
        "layer": [
            {"data": {"values": data},
             "mark": {"type": "line", "point": {"size": 18, "filled": True}},
             "encoding": {"x": {"field": "k", "type": "quantitative",
                                "title": "distance k (steps back from the chunk's end)",
                                "axis": {"tickMinStep": 1}},
                          "y": {"field": "norm", "type": "quantitative",
                                "title": "\u2016\u2202h_T / \u2202h_(T\u2212k)\u2016 (log scale)",
                                "scale": {"type": "log"},
                                "axis": {"values": log_ticks([d["norm"] for d in data] + [1.0])}},
                          **style}},
            reference_rule(1.0),
        ],
    }
