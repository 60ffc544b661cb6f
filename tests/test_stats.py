"""The statistics behind the verdicts: four outcomes, Benjamini-Hochberg, split seeds."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from fwprune import stats
from fwprune.stats import BETTER, EQUIVALENT, INCONCLUSIVE, WORSE, compare

MARGIN = 0.005
ALPHA = 0.05


@pytest.mark.parametrize(
    ("differences", "outcome"),
    [
        ([0.020, 0.030, 0.025], BETTER),  # interval [0.013, 0.037]: above 0, not inside ±margin
        ([-0.020, -0.030, -0.025], WORSE),
        ([0.001, 0.002, 0.0015], EQUIVALENT),  # shown above 0, but inside ±margin
        ([0.001, -0.001, 0.0], EQUIVALENT),  # [-0.0025, +0.0025]
        ([0.05, -0.04, 0.01], INCONCLUSIVE),  # contains 0, not inside ±margin
        # The FW - gmp: +0.001 [-0.010, +0.011] is not a tie.
        ([0.001 - 0.0043, 0.001, 0.001 + 0.0043], INCONCLUSIVE),
    ],
)
def test_four_outcomes(differences, outcome):
    assert compare(differences, MARGIN, ALPHA).outcome == outcome


def test_outcomes_follow_the_interval():
    """p < alpha exactly when the 95 % interval excludes 0; TOST p < alpha exactly when the
    interval lies inside ±margin (each one-sided test at alpha / 2)."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        d = rng.normal(rng.uniform(-0.01, 0.01), rng.uniform(0.0005, 0.01), size=rng.integers(2, 7))
        c = compare(d, MARGIN, ALPHA)
        assert (c.p_difference < 0.05) == (c.low > 0 or c.high < 0)
        assert (c.p_equivalence < 0.05) == (-MARGIN < c.low and c.high < MARGIN)


def test_p_values_by_hand():
    d = np.array([0.02, 0.03, 0.025])  # mean 0.025, sd 0.005, se 0.005 / sqrt(3)
    se = 0.005 / np.sqrt(3)
    c = compare(d, MARGIN, ALPHA)
    assert c.p_difference == pytest.approx(2 * scipy_stats.t.sf(0.025 / se, 2))
    assert c.p_equivalence == 1.0  # 2 * max(p_lower, p_upper), capped at 1
    small = compare([0.002, 0.004, 0.003], MARGIN, ALPHA)  # mean 0.003, sd 0.001
    se = 0.001 / np.sqrt(3)
    p_lower = scipy_stats.t.sf((0.003 + MARGIN) / se, 2)
    p_upper = scipy_stats.t.cdf((0.003 - MARGIN) / se, 2)
    assert small.p_equivalence == pytest.approx(2 * max(p_lower, p_upper))
    assert 0.05 < small.p_equivalence < 0.1  # p_upper about 0.037: not shown equivalent
    half = 4.302653 * 0.005 / np.sqrt(3)
    assert (c.low, c.high) == pytest.approx((0.025 - half, 0.025 + half))


def test_one_seed_is_inconclusive():
    c = compare([0.5], MARGIN, ALPHA)
    assert c.outcome == INCONCLUSIVE and c.verdict == "inconclusive (1 seed)"
    assert np.isnan(c.p_difference) and c.interval() == "+0.500"


@pytest.mark.parametrize(
    ("differences", "outcome", "p_difference", "p_equivalence"),
    [
        ([0.01, 0.01, 0.01], BETTER, 0.0, 1.0),
        ([-0.01, -0.01], WORSE, 0.0, 1.0),
        ([0.002, 0.002, 0.002], EQUIVALENT, 0.0, 0.0),
        ([0.0, 0.0, 0.0], EQUIVALENT, 1.0, 0.0),
    ],
)
def test_zero_variance_is_decided_exactly(differences, outcome, p_difference, p_equivalence):
    c = compare(differences, MARGIN, ALPHA)
    assert (c.outcome, c.p_difference, c.p_equivalence) == (outcome, p_difference, p_equivalence)
    assert c.low == c.high == c.mean


def test_margin_zero_tests_no_equivalence():
    c = compare([0.0, 0.0, 0.0], 0.0, ALPHA)
    assert np.isnan(c.p_equivalence) and c.outcome == INCONCLUSIVE


def test_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.005, 0.20, np.nan]
    # Ranked (m = 5 tests; NaN is no test): 0.005, 0.01, 0.03, 0.04, 0.20
    # scaled p * m / rank: 0.025, 0.025, 0.05, 0.05, 0.20; running minimum from the top:
    # 0.025, 0.025, 0.05, 0.05, 0.20.
    expected = [0.025, 0.05, 0.05, 0.025, 0.20, np.nan]
    np.testing.assert_allclose(stats.bh_adjust(p), expected)


def test_benjamini_hochberg_is_monotone_and_capped():
    # Scaled: 0.04 * 3 / 1 = 0.12, 0.05 * 3 / 2 = 0.075, 0.9 * 3 / 3 = 0.9: step-up makes
    # the first 0.075, not 0.12; an adjusted p never exceeds 1.
    np.testing.assert_allclose(stats.bh_adjust([0.04, 0.05, 0.9]), [0.075, 0.075, 0.9])
    np.testing.assert_allclose(stats.bh_adjust([0.6, 0.9]), [0.9, 0.9])
    assert stats.bh_adjust([0.99, 0.995, 0.999, 1.0]).max() <= 1.0


def test_adjust_turns_a_marginal_difference_inconclusive():
    marginal = compare([0.012, 0.018, 0.024], MARGIN, ALPHA)  # p about 0.035 alone
    clear = compare([-0.024, -0.026, -0.025], MARGIN, ALPHA)
    null = [compare([0.01, -0.012, 0.003], MARGIN, ALPHA) for _ in range(4)]
    assert marginal.outcome == BETTER and 0.01 < marginal.p_difference < 0.05
    adjusted = stats.adjust([marginal, clear, *null])
    assert adjusted[0].outcome == INCONCLUSIVE and adjusted[0].adjusted
    assert adjusted[1].outcome == WORSE
    assert adjusted[0].p_difference == pytest.approx(min(1, marginal.p_difference * 6 / 2))


def test_adjust_separates_the_two_families():
    # Equivalence p-values of comparisons with margin 0 are no tests and do not count.
    equivalent = compare([0.001, -0.001, 0.0005], MARGIN, ALPHA)
    others = [compare([0.02, 0.03, 0.025], 0.0, ALPHA) for _ in range(5)]
    adjusted = stats.adjust([equivalent, *others])
    assert adjusted[0].p_equivalence == pytest.approx(equivalent.p_equivalence)
    assert adjusted[0].outcome == EQUIVALENT


@pytest.mark.parametrize(
    ("values", "split"),
    [
        ([0.113, 0.952, 0.949], True),
        ([0.113, 0.113, 0.113], False),  # all collapsed: a mean means something
        ([0.93, 0.95, 0.94], False),
        ([0.19, 0.21], True),
    ],
)
def test_split_seed_flag(values, split):
    assert stats.is_split(values, 0.2) == split


def test_a_split_cell_shows_its_seeds():
    assert stats.fmt_cell([0.113, 0.952, 0.949], 0.2) == "split: 0.113, 0.952, 0.949"
    assert stats.fmt_cell([0.95, 0.95, 0.95], 0.2) == "0.950 [0.950, 0.950]"


def test_a_split_comparison_is_inconclusive_whatever_its_numbers():
    c = compare([0.8, 0.81, 0.82], MARGIN, ALPHA, note=stats.SPLIT_SEEDS)
    assert c.verdict == "inconclusive (split seeds)" and np.isnan(c.p_difference)


def test_pairing_uses_the_seeds_both_have():
    a = {0: 0.90, 1: 0.91, 2: 0.92, 3: 0.93, 4: np.nan}
    b = {0: 0.80, 1: 0.81, 2: 0.82, 4: 0.84}
    np.testing.assert_allclose(stats.paired(a, b), [0.1, 0.1, 0.1])


def test_settings_are_checked():
    assert stats.Settings.of(None) == stats.Settings(0.05, 0.005, 0.2)
    with pytest.raises(ValueError, match="unknown"):
        stats.Settings.of({"alpah": 0.05})
    with pytest.raises(ValueError, match="alpha"):
        stats.Settings.of({"alpha": 1.5})


def test_a_difference_inside_the_margin_is_never_better():
    """After the adjustment an interval inside ±margin may lose its equivalence p-value;
    its difference p-value alone must not make it "better"."""
    inside = stats.Comparison(
        mean=0.002, low=0.001, high=0.003, seeds=3, p_difference=0.01,
        p_equivalence=0.2, margin=0.005, alpha=0.05,
    )  # fmt: skip
    assert inside.outcome == stats.INCONCLUSIVE
    outside = stats.Comparison(
        mean=0.006, low=0.001, high=0.011, seeds=3, p_difference=0.01,
        p_equivalence=0.9, margin=0.005, alpha=0.05,
    )  # fmt: skip
    assert outside.outcome == stats.BETTER
