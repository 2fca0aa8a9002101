"""How sure is a measured accuracy, and is one model really better than another on the same images?

Both answers come from SciPy's exact binomial machinery (``scipy.stats.binomtest``), not our own
formulas:

- :func:`accuracy_interval`: the Wilson score interval of an accuracy measured on n images
  (E. B. Wilson, JASA 22(158), 1927), which keeps its coverage near 95 % even for accuracies near 1,
  where the textbook ``p ± 1.96 sqrt(p (1 - p) / n)`` interval is too narrow.
- :func:`mcnemar`: McNemar's exact test for two classifiers on the same test images (Q. McNemar,
  Psychometrika 12(2), 1947; for classifiers, T. G. Dietterich, Neural Computation 10(7), 1998). Only
  the discordant images count, those one model gets right and the other wrong; under the null
  hypothesis that both models are equally accurate, each discordant image is a fair coin.
- :func:`holm`: Holm's step-down adjustment of several p-values tested together (S. Holm,
  Scandinavian Journal of Statistics 6(2), 1979), so that the chance of any false "evidence" among
  them stays at the chosen level. SciPy's ``false_discovery_control`` offers only the
  Benjamini-Hochberg family, which controls a different error rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def accuracy_interval(correct, n: int | None = None, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of an accuracy.

    Parameters
    ----------
    correct : int, or array of bool
        The number of correctly classified images, or one boolean per image (then ``n`` is its length).
    n : int, optional
        Number of images; required when ``correct`` is a count.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    (float, float)
        Lower and upper bound, in [0, 1].

    Raises
    ------
    ValueError
        If ``n`` is missing or not positive, or ``correct`` is not between 0 and ``n``.
    """
    from scipy.stats import binomtest

    if n is None:
        flags = np.asarray(correct)
        if flags.dtype != bool or flags.ndim != 1:
            raise ValueError("pass the number of correct images and n, or a 1-D boolean array (one flag per image).")
        correct, n = int(flags.sum()), len(flags)
    if n <= 0 or not 0 <= correct <= n:
        raise ValueError(f"need 0 <= correct <= n and n > 0, got correct={correct}, n={n}.")
    interval = binomtest(int(correct), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's exact test of two models on the same images."""

    only_a: int      #: images model A gets right and model B wrong
    only_b: int      #: images model B gets right and model A wrong
    p_value: float   #: two-sided exact p-value (1.0 when there is no discordant image)

    def verdict(self, name_a: str, name_b: str, level: float = 0.05) -> str:
        """The test's conclusion in words, for the book's prose, so that the prose follows the test.

        ``"no evidence of a difference at the 5% level"``, or ``"evidence that NAME is the more
        accurate (5% level)"`` with the name of the model that wins more discordant images.
        """
        if self.p_value >= level:
            return f"no evidence of a difference at the {level:.0%} level"
        better = name_a if self.only_a > self.only_b else name_b
        return f"evidence that {better} is the more accurate ({level:.0%} level)"


def mcnemar(y_true, pred_a, pred_b) -> McNemarResult:
    """McNemar's exact test: do models A and B differ in accuracy on these images?

    Parameters
    ----------
    y_true, pred_a, pred_b : array of int, shape (N,)
        True labels and the two models' predicted labels, for the same N images.

    Returns
    -------
    McNemarResult
        The two discordant counts and the two-sided p-value of ``binomtest(only_a, only_a + only_b, 0.5)``.

    Raises
    ------
    ValueError
        If the three arrays are not one-dimensional and of the same length.
    """
    from scipy.stats import binomtest

    y_true, pred_a, pred_b = (np.asarray(a) for a in (y_true, pred_a, pred_b))
    if not (y_true.ndim == pred_a.ndim == pred_b.ndim == 1 and len(y_true) == len(pred_a) == len(pred_b)):
        raise ValueError(f"labels and predictions must be 1-D arrays of one length, got shapes "
                         f"{y_true.shape}, {pred_a.shape}, {pred_b.shape}.")
    right_a, right_b = pred_a == y_true, pred_b == y_true
    only_a, only_b = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    if only_a + only_b == 0:
        return McNemarResult(0, 0, 1.0)
    return McNemarResult(only_a, only_b, float(binomtest(only_a, only_a + only_b, 0.5).pvalue))


def holm(p_values) -> np.ndarray:
    """Holm's adjusted p-values: compare each with the level as if it had been tested alone.

    The smallest of m p-values is multiplied by m, the next by m - 1, and so on; each adjusted value is
    then raised to the largest one before it (so that the order is kept) and capped at 1. Rejecting
    the hypotheses whose adjusted p-value is below the level keeps the chance of rejecting any true
    one at most that level, whatever the dependence between the tests (Holm 1979).

    Parameters
    ----------
    p_values : array-like of float, shape (m,)
        P-values in [0, 1], one per test.

    Returns
    -------
    numpy.ndarray of float, shape (m,)
        The adjusted p-values, in [0, 1], in the order given.

    Raises
    ------
    ValueError
        If ``p_values`` is empty, not one-dimensional, or has a value outside [0, 1] (or NaN).
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or len(p) == 0 or not np.all((p >= 0) & (p <= 1)):
        raise ValueError(f"need a non-empty 1-D array of p-values in [0, 1], got {p_values!r}.")
    order = np.argsort(p)
    stepped = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted
