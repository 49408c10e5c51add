"""The statistics behind every sentence that compares two numbers.

Each function takes plain numbers and returns a `Test`: an estimate, its
standard error, a two-sided p-value and how many values it rests on. What a
page says is then decided by `holm` over all the tests of that page, so that
ten sentences on one page do not get ten chances to be wrong by luck.

Small samples (five seeds) are the rule here, so every test is Student's t:
the one-sample test on per-seed values (a slope, a paired difference), and
Welch's test when two groups share no seed. The t distribution comes from
scipy.special, not scipy.stats: the two give the same numbers (tests/test_stats.py
holds them together), and scipy.stats alone takes most of a second to import, in
a build that an author runs after every edit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import stdtr, stdtrit

ALPHA = 0.05


@dataclass(frozen=True)
class Test:
    kind: str                  # "paired", "welch", "one-sample" or "none" (too few values)
    estimate: float            # the mean difference (or mean slope, ...) being tested
    se: float | None           # its standard error
    p: float | None            # two-sided p-value, before any correction
    n: int                     # seeds (pairs) it rests on
    p_adjusted: float | None = None   # after Holm's correction over its page

    @property
    def significant(self) -> bool:
        p = self.p if self.p_adjusted is None else self.p_adjusted
        return p is not None and p < ALPHA

    @property
    def direction(self) -> str:
        """'higher', 'lower' or 'same': the sign of the estimate, where the test supports it."""
        if not self.significant or self.estimate == 0:
            return "same"
        return "higher" if self.estimate > 0 else "lower"

    def interval(self, level: float = 0.95) -> tuple[float, float] | None:
        """A confidence interval for the estimate (None without a standard error)."""
        if self.se is None or self.n < 2:
            return None
        half = float(stdtrit(self.n - 1, 0.5 + level / 2)) * self.se
        return self.estimate - half, self.estimate + half


def one_sample(values, null: float = 0.0) -> Test:
    """Is the mean of ``values`` different from ``null``? Student's t, df n - 1."""
    x = np.asarray(values, dtype=np.float64) - null
    n = len(x)
    if n == 0:
        return Test("none", math.nan, None, None, 0)
    mean = float(x.mean())
    if n < 2:
        return Test("none", mean, None, None, n)
    se = float(x.std(ddof=1) / math.sqrt(n))
    if se == 0:   # every value the same: no spread to weigh the mean against
        return Test("one-sample", mean, 0.0, 1.0 if mean == 0 else 0.0, n)
    return Test("one-sample", mean, se, two_sided(mean / se, n - 1), n)


def two_sided(t: float, df: float) -> float:
    """The two-sided p-value of Student's t with ``df`` degrees of freedom."""
    return float(2 * stdtr(df, -abs(t)))


def paired(a: dict, b: dict) -> Test:
    """``a`` minus ``b``, each {seed: value}. On the seeds both have, a paired
    t-test: each seed is its own control (the same initial weights and corpus).
    With no seed in common, Welch's t-test on the two groups."""
    shared = [seed for seed in a if seed in b]
    if shared:
        test = one_sample([a[s] - b[s] for s in shared])
        return replace(test, kind="paired" if test.kind != "none" else "none")
    return welch(list(a.values()), list(b.values()))


def welch(a, b) -> Test:
    """Mean of ``a`` minus mean of ``b``, unequal variances (Welch's t-test)."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(x) == 0 or len(y) == 0:
        return Test("none", math.nan, None, None, 0)
    estimate = float(x.mean() - y.mean())
    n = min(len(x), len(y))
    if len(x) < 2 or len(y) < 2:
        return Test("none", estimate, None, None, n)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = math.sqrt(vx + vy)
    if se == 0:
        return Test("welch", estimate, 0.0, 1.0 if estimate == 0 else 0.0, n)
    # Welch-Satterthwaite: the degrees of freedom of a difference of two unequal variances
    df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))
    return Test("welch", estimate, se, two_sided(estimate / se, df), n)


def holm(tests: dict) -> dict:
    """Holm's step-down correction over a family of tests, by name. The k-th
    smallest of m p-values is multiplied by m - k + 1, and an adjusted p-value
    is never smaller than the one before it. Tests without a p-value stay as
    they are and do not count towards m."""
    named = sorted(((t.p, name) for name, t in tests.items() if t.p is not None))
    m, running, adjusted = len(named), 0.0, {}
    for k, (p, name) in enumerate(named):
        running = max(running, min(1.0, (m - k) * p))
        adjusted[name] = running
    return {name: replace(t, p_adjusted=adjusted.get(name)) for name, t in tests.items()}


@dataclass(frozen=True)
class Fit:
    slope: float          # per unit of x
    se: float | None      # its standard error
    residual_sd: float    # the scatter around the line: here, evaluation-to-evaluation noise
    intercept: float
    n: int


def line(x, y) -> Fit:
    """Ordinary least squares y = intercept + slope x."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = len(x)
    if n < 3 or np.ptp(x) == 0:
        raise ValueError(f"a line needs at least 3 points at 2 or more places, got {n}")
    dx = x - x.mean()
    slope = float(dx @ (y - y.mean()) / (dx @ dx))
    intercept = float(y.mean() - slope * x.mean())
    residual_sd = float(np.sqrt(np.sum((y - intercept - slope * x) ** 2) / (n - 2)))
    return Fit(slope, residual_sd / math.sqrt(dx @ dx), residual_sd, intercept, n)
