"""Wilson intervals, McNemar's exact test and Holm's adjustment (digitcourse.stats), checked against their definitions."""

import math

import numpy as np
import pytest

from digitcourse import stats


def wilson_by_formula(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


@pytest.mark.parametrize("k, n", [(9946, 10000), (95, 100), (0, 50), (50, 50)])
def test_wilson_interval_matches_its_formula(k, n):
    assert stats.accuracy_interval(k, n) == pytest.approx(wilson_by_formula(k, n), abs=1e-12)


def test_wilson_interval_from_flags_and_its_width():
    flags = np.zeros(10000, dtype=bool)
    flags[:9900] = True
    low, high = stats.accuracy_interval(flags)
    assert low < 0.99 < high and 0.003 < high - low < 0.005  # about ±0.2 points at 99 % on 10,000 images


@pytest.mark.parametrize("args", [(5, None), (11, 10), (-1, 10), (0, 0), (np.ones(3),)])
def test_wilson_interval_rejects_bad_input(args):
    with pytest.raises(ValueError):
        stats.accuracy_interval(*args)


def test_mcnemar_counts_discordant_images_and_gives_the_exact_p_value():
    y = np.zeros(100, dtype=int)
    a = y.copy()
    b = y.copy()
    a[:3] = 1       # A wrong on images 0-2
    b[3:13] = 1     # B wrong on images 3-12
    b[0] = 1        # both wrong on image 0: not discordant
    result = stats.mcnemar(y, a, b)
    assert (result.only_a, result.only_b) == (10, 2)
    # Two-sided exact p-value: 2 * P(X <= 2) for X ~ Binomial(12, 1/2).
    assert result.p_value == pytest.approx(2 * sum(math.comb(12, i) for i in range(3)) / 2**12)


def test_mcnemar_verdict_follows_the_p_value():
    assert stats.McNemarResult(10, 2, 0.039).verdict("A", "B") == "evidence that A is the more accurate (5% level)"
    assert stats.McNemarResult(2, 10, 0.039).verdict("A", "B") == "evidence that B is the more accurate (5% level)"
    assert stats.McNemarResult(59, 40, 0.07).verdict("A", "B") == "no evidence of a difference at the 5% level"


def test_mcnemar_without_discordant_images_and_bad_shapes():
    y = np.arange(10) % 10
    assert stats.mcnemar(y, y, y) == stats.McNemarResult(0, 0, 1.0)
    with pytest.raises(ValueError, match="one length"):
        stats.mcnemar(y, y[:5], y)


def test_holm_matches_the_step_down_procedure_by_hand():
    # Sorted 0.01, 0.02, 0.03, 0.04 times 4, 3, 2, 1: 0.04, 0.06, 0.06, 0.04 -> kept monotone: 0.04, 0.06, 0.06, 0.06.
    adjusted = stats.holm([0.03, 0.01, 0.04, 0.02])
    np.testing.assert_allclose(adjusted, [0.06, 0.04, 0.06, 0.06])
    assert stats.holm([0.5, 0.9])[1] == 1.0  # capped at 1
    np.testing.assert_allclose(stats.holm([0.02]), [0.02])  # one test: nothing to adjust


def test_holm_is_never_below_the_raw_p_value_nor_above_bonferroni():
    p = np.random.default_rng(0).uniform(size=12) ** 3
    adjusted = stats.holm(p)
    assert np.all(adjusted >= p) and np.all(adjusted <= np.minimum(len(p) * p, 1))


@pytest.mark.parametrize("bad", [[], [0.1, 1.5], [[0.1, 0.2]], [np.nan]])
def test_holm_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="p-values in"):
        stats.holm(bad)
