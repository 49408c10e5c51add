"""The statistics behind the prose: planted effects are found, planted nulls are not."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from walkthrough import stats


def test_one_sample_is_students_t():
    values = [0.3, -0.1, 0.5, 0.2, 0.4]
    test = stats.one_sample(values)
    reference = scipy_stats.ttest_1samp(values, 0.0)
    assert test.kind == "one-sample" and test.n == 5
    assert test.estimate == pytest.approx(np.mean(values))
    assert test.se == pytest.approx(np.std(values, ddof=1) / math.sqrt(5))
    assert test.p == pytest.approx(reference.pvalue)


def test_a_planted_shift_between_paired_seeds_is_found_and_signed():
    rng = np.random.default_rng(0)
    base = {seed: float(v) for seed, v in enumerate(rng.normal(0.45, 0.02, 5))}
    # The seeds differ a lot from each other, the shift is small but the same for
    # all: only a test that pairs the seeds can see it.
    shifted = {seed: v + 0.01 + float(rng.normal(0, 0.001)) for seed, v in base.items()}
    test = stats.paired(shifted, base)
    assert test.kind == "paired" and test.n == 5
    assert test.significant and test.direction == "higher"
    assert stats.paired(base, shifted).direction == "lower"
    unpaired = stats.welch(list(shifted.values()), list(base.values()))
    assert not unpaired.significant   # the spread between seeds hides it


def test_seeds_in_common_decide_the_test():
    a, b = {1: 0.5, 2: 0.6, 3: 0.7}, {4: 0.4, 5: 0.45, 6: 0.41}
    assert stats.paired(a, b).kind == "welch"
    mixed = stats.paired({1: 0.5, 2: 0.6, 9: 3.0}, {1: 0.4, 2: 0.45, 8: -3.0})
    assert mixed.kind == "paired" and mixed.n == 2   # only the shared seeds count
    assert mixed.estimate == pytest.approx(((0.5 - 0.4) + (0.6 - 0.45)) / 2)


def test_welch_matches_its_formula():
    x, y = [1.0, 1.2, 0.9, 1.1], [0.7, 0.8, 1.3, 0.6, 0.75]
    test = stats.welch(x, y)
    vx, vy = np.var(x, ddof=1) / 4, np.var(y, ddof=1) / 5
    t = (np.mean(x) - np.mean(y)) / math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx ** 2 / 3 + vy ** 2 / 4)   # Welch–Satterthwaite
    assert test.p == pytest.approx(2 * scipy_stats.t.sf(abs(t), df))


def test_too_few_values_give_no_verdict():
    for test in (stats.one_sample([0.3]), stats.paired({1: 0.5}, {1: 0.4}), stats.welch([1.0], [2.0, 3.0])):
        assert test.kind == "none" and test.p is None
        assert not test.significant and test.direction == "same" and test.interval() is None


def test_holm_by_hand():
    tests = {name: stats.Test("paired", 0.1, 0.01, p, 5)
             for name, p in {"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.5}.items()}
    tests["none"] = stats.Test("none", 0.1, None, None, 1)
    adjusted = {name: t.p_adjusted for name, t in stats.holm(tests).items()}
    # m = 4 p-values: 0.01 x 4, then 0.03 x 3, then 0.04 x 2 (kept >= 0.09), then 0.5 x 1
    assert adjusted == pytest.approx({"a": 0.04, "c": 0.09, "b": 0.09, "d": 0.5, "none": None})
    assert stats.holm(tests)["a"].significant and not stats.holm(tests)["c"].significant


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=30))
def test_holm_never_lowers_a_p_value_and_keeps_the_order(ps):
    tests = {i: stats.Test("paired", 0.0, 1.0, p, 5) for i, p in enumerate(ps)}
    adjusted = stats.holm(tests)
    for i, p in enumerate(ps):
        assert p <= adjusted[i].p_adjusted <= 1.0
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    values = [adjusted[i].p_adjusted for i in order]
    assert values == sorted(values)


def test_under_the_null_a_corrected_page_rarely_calls_a_difference():
    """Thirty verdicts on pure noise, as section 20 has: the old 2-SE rule would
    call some; with Holm, a page says 'different' anywhere at most ~5% of the time."""
    rng = np.random.default_rng(1)
    pages, raw_calls, pages_with_a_call = 400, 0, 0
    for _ in range(pages):
        tests = {}
        for k in range(30):
            base = {s: float(v) for s, v in enumerate(rng.normal(0.45, 0.01, 5))}
            other = {s: v + float(rng.normal(0, 0.005)) for s, v in base.items()}
            tests[k] = stats.paired(other, base)
        raw_calls += sum(t.p < stats.ALPHA for t in tests.values())
        pages_with_a_call += any(t.significant for t in stats.holm(tests).values())
    assert 0.03 < raw_calls / (30 * pages) < 0.07      # each test alone: 5%
    assert pages_with_a_call / pages < 0.08             # the whole page: about 5% too


def test_a_line_recovers_a_planted_slope_and_its_noise():
    rng = np.random.default_rng(2)
    x = np.linspace(0.5, 3.0, 60)
    y = 0.43 + 0.004 * x + rng.normal(0, 0.02, len(x))
    fit = stats.line(x, y)
    assert abs(fit.slope - 0.004) < 3 * fit.se
    assert fit.residual_sd == pytest.approx(0.02, rel=0.25)
    flat = stats.line(x, 0.43 + rng.normal(0, 0.02, len(x)))
    assert abs(flat.slope) < 3 * flat.se
    with pytest.raises(ValueError, match="at least 3 points"):
        stats.line([1.0, 2.0], [0.1, 0.2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=8),
       st.lists(st.floats(-5, 5), min_size=2, max_size=8))
def test_the_t_distribution_from_scipy_special_is_scipy_stats(x, y):
    """walkthrough.stats avoids importing scipy.stats (slow): its p-values, intervals
    and slopes are scipy.stats's all the same."""
    welch = stats.welch(x, y)
    if welch.se:
        reference = scipy_stats.ttest_ind(x, y, equal_var=False).pvalue
        assert welch.p == pytest.approx(reference, rel=1e-6, abs=1e-12)
    one = stats.one_sample(x)
    if one.se:
        assert one.p == pytest.approx(scipy_stats.ttest_1samp(x, 0.0).pvalue, rel=1e-6, abs=1e-12)
        low, high = one.interval(0.9)
        half = scipy_stats.t.ppf(0.95, len(x) - 1) * one.se
        assert (low, high) == pytest.approx((one.estimate - half, one.estimate + half))
    xs = np.arange(len(y), dtype=float)
    if len(y) >= 3:
        fit, reference = stats.line(xs, y), scipy_stats.linregress(xs, y)
        assert fit.slope == pytest.approx(reference.slope, abs=1e-9)
        assert fit.se == pytest.approx(reference.stderr, abs=1e-9)
        assert fit.intercept == pytest.approx(reference.intercept, abs=1e-9)
