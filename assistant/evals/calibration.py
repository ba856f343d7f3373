"""How far to trust a scorer: its agreement with labelled messages (AUC and Cohen's kappa)."""

from __future__ import annotations

from collections.abc import Sequence


def auc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """The chance that a positive message scores above a negative one (ties count half);
    None when either class is missing."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def cohen_kappa(predicted: Sequence[bool], actual: Sequence[bool]) -> float | None:
    """Agreement beyond chance between two yes/no raters; None when undefined."""
    n = len(actual)
    if n == 0:
        return None
    observed = sum(p == a for p, a in zip(predicted, actual, strict=True)) / n
    p_yes = sum(predicted) / n
    a_yes = sum(actual) / n
    expected = p_yes * a_yes + (1 - p_yes) * (1 - a_yes)
    if expected == 1:
        return 1.0 if observed == 1 else None
    return (observed - expected) / (1 - expected)
