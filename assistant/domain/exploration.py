"""Which eligible offer to present: Thompson sampling with one shared quantile, and the exact
probability with which each offer was chosen (logged, so past decisions can be evaluated).

Each week a patient draws one number u in (0, 1) (seeded by patient and day, so a scan is
repeatable), and every candidate's acceptance rate is read at that same quantile u of its own
posterior; the highest price x rate wins. Where two offers' evidence is the same, u moves them
together and the dearer one wins, exactly as ranking by expected value would. Where the evidence
differs, a wide posterior (an offer rarely made) wins for some u and gets presented, so the
practice keeps learning about it. Because the choice depends only on u, the probability of each
offer is the share of u in (0, 1) where it wins, computed on a fine grid. An offer that would win
for less than `explore_floor` of all u is clearly worse and is not explored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.special import betaincinv

GRID = (np.arange(256) + 0.5) / 256


@dataclass(frozen=True, slots=True)
class Option:
    price: float
    alpha: float
    beta: float


def patient_draw(patient_id: str, day: date) -> float:
    """The patient's u for the week of `day`: uniform in (0, 1), the same on every scan."""
    week = day.isocalendar()
    digest = hashlib.sha256(f"{patient_id}|{week.year}-{week.week}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2**64


def values(options: Sequence[Option], quantiles: np.ndarray) -> np.ndarray:
    """price x rate at each quantile: shape (options, quantiles)."""
    alphas = np.array([o.alpha for o in options])[:, None]
    betas = np.array([o.beta for o in options])[:, None]
    prices = np.array([o.price for o in options])[:, None]
    return prices * betaincinv(alphas, betas, quantiles[None, :])


def probabilities(options: Sequence[Option], floor: float = 0.0) -> list[float]:
    """Each option's probability of being chosen over u in (0, 1). Options are in order of
    expected value, best first; one that wins for less than `floor` of all u is clearly worse
    and not explored: where it would win, the first option is chosen."""
    if len(options) == 1:
        return [1.0]
    winners = np.argmax(values(options, GRID), axis=0)
    chances = np.bincount(winners, minlength=len(options)) / len(GRID)
    dropped = (chances < floor) & (np.arange(len(options)) > 0)
    chances[0] += chances[dropped].sum()
    chances[dropped] = 0.0
    return [float(c) for c in chances]


def choose(options: Sequence[Option], u: float, floor: float = 0.0) -> int:
    """The option chosen at quantile u (the probabilities are only needed when u picks an
    option other than the first, to check it is worth exploring)."""
    if len(options) == 1:
        return 0
    chosen = int(np.argmax(values(options, np.array([u]))[:, 0]))
    if chosen and probabilities(options, floor)[chosen] == 0.0:
        return 0
    return chosen
