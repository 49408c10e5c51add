"""What the prose may conclude: planted effects are found, planted nulls are not,
and the sentences of the real sections change when the evidence does."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from walkthrough import evidence
from walkthrough.figures import figures_of, fill
from walkthrough.run import Entry, Sweep, VariantRuns, load_run, load_sweep

ROOT = Path(__file__).resolve().parents[1]
STEPS, SEEDS = 30_000, (42, 1, 2, 3, 4)


def entry(seed: int, *, slope=0.0, gap_growth=0.0, selected=0.43, final=0.44, floor_gap=0.015,
          noise=0.02, variant="default", config=None) -> Entry:
    """A run made up in memory: validation flat (or sloped) around 0.45 with
    evaluation noise, training loss falling away from it by ``gap_growth``."""
    rng = np.random.default_rng(seed)
    val_step = np.arange(500, STEPS + 1, 500)
    val_loss = 0.45 + slope * val_step / 10_000 + rng.normal(0, noise, len(val_step))
    step = np.arange(STEPS)
    loss = 0.40 - gap_growth * step / STEPS + rng.normal(0, 0.01, STEPS)
    made = Entry(variant, seed, Path(f"/nowhere/{variant}/{seed}"),
                 summary={"steps": STEPS, "final_loss": 0.36 + floor_gap, "diverged": None,
                          "grad_norm_min": 11.0, "spectral_radius_final": 2.6},
                 timing={}, headline={"test_selected": selected + rng.normal(0, 0.001),
                                      "test_final": final + rng.normal(0, 0.001),
                                      "optimal_train_loss": 0.36})
    made._arrays[("curves.npz", ("loss", "val_step", "val_loss"))] = {
        "loss": loss, "val_step": val_step, "val_loss": val_loss}
    made.__dict__["config"] = config or {"lr": 0.01, "clip": 5.0}
    return made


def sweep_of(**variants) -> Sweep:
    made = [VariantRuns(name, "", {}, list(SEEDS), entries) for name, entries in variants.items()]
    return Sweep(Path("/nowhere"), made, ("default", 42), [])


def test_a_flat_plateau_is_no_trend_and_a_planted_rise_is_one():
    flat = evidence.training_family(sweep_of(default=[entry(s) for s in SEEDS]))
    assert not flat["val_trend"]["significant"] and flat["val_trend"]["n"] == 5
    assert flat["val_trend"]["noise"] == pytest.approx(0.02, rel=0.2)
    rising = evidence.training_family(sweep_of(default=[entry(s, slope=0.02) for s in SEEDS]))
    assert rising["val_trend"]["significant"] and rising["val_trend"]["direction"] == "higher"
    assert rising["val_trend"]["estimate"] == pytest.approx(0.02, abs=0.006)


def test_gap_growth_selection_and_memorising_are_found_when_planted():
    planted = evidence.training_family(sweep_of(
        default=[entry(s, gap_growth=0.05, selected=0.42, final=0.45, floor_gap=-0.02) for s in SEEDS]))
    assert planted["gap_growth"]["direction"] == "higher"
    assert planted["selection"]["direction"] == "lower"
    assert planted["memorised_default"]["direction"] == "lower"
    null = evidence.training_family(sweep_of(
        default=[entry(s, selected=0.44, final=0.44, floor_gap=0.0) for s in SEEDS]))
    assert {name: t["direction"] for name, t in null.items()} == {
        "val_trend": "same", "gap_growth": "same", "selection": "same",
        "memorised_default": "same"}


def test_the_same_step_length_reached_two_ways_is_recognised():
    sweep = sweep_of(default=[entry(s) for s in SEEDS],
                     **{"lr-0.002": [entry(s, config={"lr": 0.002, "clip": 5.0}) for s in SEEDS],
                        "clip-1": [entry(s, config={"lr": 0.01, "clip": 1.0}) for s in SEEDS]})
    family = evidence.clipping_family(sweep)
    pair = family["pairs"]["lr_0002_vs_clip_1"]
    assert pair["step_a"] == pytest.approx(pair["step_b"]) == pytest.approx(0.01)
    assert pair["all_clipped"] and pair["largest_difference"] < 0.01
    for e in sweep.variant("clip-1").entries:   # one step not clipped: not "every step"
        e.summary["grad_norm_min"] = 0.5
    assert not evidence.clipping_family(sweep)["pairs"]["lr_0002_vs_clip_1"]["all_clipped"]


# --- the sentences ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_figures(real_site):
    site, outcome = real_site
    sweep = load_sweep(site.parent / "cache" / "sweep")
    return figures_of(load_run(outcome.run), sweep)


def prose(number: int) -> str:
    path = next((ROOT / "site_src" / "sections").glob(f"{number:02d}-*.yaml"))
    return yaml.safe_load(path.read_text())["prose"]


def with_test(figures, family: str, name: str, **change):
    changed = copy.deepcopy(figures)
    changed["evidence"][family][name].update(change)
    return changed


def test_section_12_says_a_trend_only_when_the_test_finds_one(real_figures):
    fitted = {"noise": 0.02, "n": 2, "start": 5_000, "stop": 30_000, "per": 10_000}
    flat = with_test(real_figures, "training", "val_trend", significant=False, direction="same",
                     p=0.6, p_adjusted=0.6, se=0.003, estimate=0.001, **fitted)
    rising = with_test(real_figures, "training", "val_trend", significant=True, direction="higher",
                       p=0.001, p_adjusted=0.004, se=0.001, estimate=0.01, **fitted)
    assert "cannot tell from a flat line" in fill(prose(12), flat)
    assert "still rises" not in fill(prose(12), flat)
    text = fill(prose(12), rising)
    assert "validation loss still rises" in text and "Holm-adjusted p = 0.004" in text


def test_section_12_credits_the_picked_checkpoint_only_when_the_test_does(real_figures):
    better = with_test(real_figures, "training", "selection", significant=True, direction="lower",
                       p=0.01, p_adjusted=0.02, estimate=-0.017, n=2)
    same = with_test(real_figures, "training", "selection", significant=False, direction="same",
                     p=0.4, p_adjusted=0.8, estimate=-0.002, n=2)
    assert "leaves the test loss\n  0.017 nats lower".split()[-3:] == \
        fill(prose(12), better).split("leaves the test loss")[1].split()[:3]
    assert "buys nothing" in fill(prose(12), same) and "buys nothing" not in fill(prose(12), better)


def test_a_unit_verdict_counts_the_seeds_that_learn_it(real_figures):
    changed = copy.deepcopy(real_figures)
    fact = next(iter(changed["evidence"]["units"]))
    changed["evidence"]["units"][fact] = {"learned": 1, "of": 2}
    assert "1 of the 2 seeds learn it" in fill(prose(17), changed)
