"""The range a published figure stands for: its rounding, or the reach of a lower bound.

Press releases give revenues rounded ("1.06 trillion", "2.2 trillion") or as bounds ("over 440 billion",
"reached the 3 trillion level").  The Monte Carlo's data uncertainty (:mod:`model.analysis.sampling`)
draws an anchored revenue figure within this range; the central case keeps the figure as published.

The precision of a figure is read from its digits: the place of its last significant digit, but at most
the second (a round "3 trillion" is read as 3.0 trillion, since trillions are given to a decimal where
known).  Assumption: the release rounded to that place and not more coarsely.
"""
from __future__ import annotations

LOWER_BOUND = "lower bound"     # how realized.csv's definition column marks an "over X" figure


def precision(value: float) -> float:
    """The unit of the last significant digit of ``value`` as published, at most that of its second digit
    (100 million CNY for revenues): 10600 -> 100, 22000 -> 1000, 30000 -> 1000, 8916 -> 1, 14906.1 -> 0.1."""
    if value != round(value):
        decimals = f"{abs(value):.10f}".rstrip("0").split(".")[1]
        return 10.0 ** -len(decimals)
    digits = str(int(round(abs(value))))
    zeros = len(digits) - len(digits.rstrip("0"))
    return 10.0 ** min(zeros, max(len(digits) - 2, 0))


def figure_range(value: float, definition: str) -> tuple[float, float]:
    """``(low, high)`` of a published figure: a level within half a unit of its :func:`precision` either
    side; a lower bound (``definition`` starting "lower bound": "over X") from X to X plus one unit, as a
    value above that would have been given as the next figure."""
    unit = precision(value)
    if definition.startswith(LOWER_BOUND):
        return value, value + unit
    return value - unit / 2.0, value + unit / 2.0
