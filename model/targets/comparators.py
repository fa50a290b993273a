"""Comparators: when a plan target is met, how far it is, and how it reads.

Each comparator of ``model/data/targets.yaml`` is one class here.  It declares the
fields it reads from a target entry and their checks, evaluates itself element-wise
on arrays of any shape (years, draws, ...; :class:`Evaluation`), names the boundary
goal-seeking aims at, and describes itself for tables and figures.  Adding a
comparator is adding a class to :data:`COMPARATORS`; no other module asks which
comparator a target has.

All boundaries are inclusive:

==============  ==========================================  ==============================
comparator      met when                                    gap (in the target's unit)
==============  ==========================================  ==============================
``>=``          projected >= value                          projected - value
``~``           value - tolerance <= projected <= value +   projected - value
                tolerance
``range``       low <= projected <= high                    0 inside, else projected - the
                                                            nearest bound
``rank``        variable >= every other of ``among``        variable - largest other
                (it is the largest; a tie counts)
``not_modelled`` never evaluated: status "not modelled"     none
``qualitative``  a target stated without a figure: listed    none
                with status "not modelled", never scored
==============  ==========================================  ==============================

The *reference* is what the gap is measured from (the value, the nearest bound, the
largest other); ``gap_pct`` is the gap in percent of it.  The *shortfall* is the
distance to the nearest value that meets the target: 0 when met, the gap's size
beyond the tolerance band for ``~``, the gap's size otherwise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Mapping

import numpy as np

Values = Mapping[str, np.ndarray]     # variable -> values, all of one shape (years, draws, ...)


# ------------------------------------------------------------------ the conditions, element-wise
def at_least(projected: np.ndarray, value: float) -> np.ndarray:
    """``projected >= value``, element-wise (inclusive)."""
    return np.asarray(projected) >= value


def within(projected: np.ndarray, low: float, high: float) -> np.ndarray:
    """``low <= projected <= high``, element-wise (inclusive)."""
    projected = np.asarray(projected)
    return (low <= projected) & (projected <= high)


def about(projected: np.ndarray, value: float, tolerance: float) -> np.ndarray:
    """``value - tolerance <= projected <= value + tolerance``, element-wise (inclusive)."""
    return within(projected, value - tolerance, value + tolerance)


def is_largest(projected: np.ndarray, others: np.ndarray) -> np.ndarray:
    """``projected`` at least as large as every column of ``others`` ``(..., k)`` (a tie counts)."""
    return np.asarray(projected) >= np.asarray(others).max(axis=-1)


# ------------------------------------------------------------------ the result
@dataclass(frozen=True)
class Evaluation:
    """A target evaluated element-wise; every array has the shape of the values evaluated.

    ``value`` is the target's variable, ``reference`` what the gap is measured from,
    ``met`` whether the target holds, ``shortfall`` the distance to the nearest value
    that meets it (0 where met), all in the target's unit.
    """

    value: np.ndarray
    reference: np.ndarray
    met: np.ndarray
    shortfall: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """``value - reference``, in the target's unit."""
        return self.value - self.reference

    @property
    def gap_pct(self) -> np.ndarray:
        """The gap in percent of the reference; NaN where the reference is 0."""
        reference = np.asarray(self.reference, dtype=float)
        safe = np.where(reference != 0, reference, 1.0)
        return np.where(reference != 0, 100.0 * self.gap / safe, np.nan)


# ------------------------------------------------------------------ the comparators
def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class Comparator:
    """What every comparator provides; subclasses are frozen dataclasses of their fields.

    Class attributes: ``symbol`` (as written in ``targets.yaml``), ``fields`` (the
    entry's keys it requires, besides those of every target), ``numbers`` (which of
    them are numbers), ``optional`` (keys it allows), ``modelled`` (evaluated at all),
    ``gap_from_value`` (the gap is a non-decreasing function of the target's own
    variable alone, so the gap at a quantile of the value is that quantile of the gap).
    """

    symbol: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]
    numbers: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    modelled: ClassVar[bool] = True
    gap_from_value: ClassVar[bool] = True

    # -- reading a target entry
    @classmethod
    def problems(cls, entry: Mapping) -> list[tuple[str, str]]:
        """``(key, message)`` for each problem of the entry's fields (:attr:`fields` all present)."""
        return [(k, f"{k} {entry[k]!r} is not a number") for k in cls.numbers if not _is_number(entry[k])]

    @classmethod
    def from_entry(cls, entry: Mapping) -> "Comparator":
        """The comparator of a checked target entry."""
        return cls(**{k: float(entry[k]) for k in cls.fields})

    # -- evaluating
    def reads(self) -> tuple[str, ...]:
        """Variables the evaluation reads besides the target's own."""
        return ()

    def _reference_and_met(self, x: np.ndarray, values: Values) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _shortfall(self, gap: np.ndarray) -> np.ndarray:
        return np.abs(gap)

    def evaluate(self, x: np.ndarray, values: Values | None = None) -> Evaluation:
        """The target evaluated on ``x``, its variable's values, any shape; ``values``
        holds the variables of :meth:`reads`, of the same shape."""
        x = np.asarray(x, dtype=float)
        reference, met = self._reference_and_met(x, values or {})
        gap = x - reference
        return Evaluation(x, reference, met, np.where(met, 0.0, self._shortfall(gap)))

    def gap_at(self, x: np.ndarray) -> np.ndarray:
        """The gap at values ``x`` of the target's variable (comparators with :attr:`gap_from_value`)."""
        return self.evaluate(x).gap

    def boundary(self, values: Values, projected: float) -> tuple[float, float]:
        """What goal-seeking aims the target's variable at, and the side that meets it.

        ``projected`` is the scenario's own value of the variable.  Returns ``(aim, side)``:
        the target holds where ``side * (x - aim) >= 0`` (``side`` +1 or -1); ``side`` 0
        when the aim lies inside the set that meets it (either side of it does).
        """
        raise NotImplementedError

    # -- describing
    def text(self) -> str:
        """The target as a reviewer reads it in a table: ``30``, ``13 ± 1``, ``4-5``, ``largest``."""
        raise NotImplementedError

    def label(self, unit: str = "") -> str:
        """The target on a figure: ``≥ 30 %``, ``≈ 13 %``, ``4-5 count``."""
        return self.text() + (f" {unit}" if unit else "")

    @property
    def level(self) -> float | None:
        """A level to draw as a line on a figure of the variable (None: no line)."""
        return None

    @property
    def band(self) -> tuple[float, float] | None:
        """A band ``(low, high)`` to shade on a figure of the variable (None: no band)."""
        return None

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """The target as numbers, ``(low, high)`` in the target's unit: the least and the most value
        that meets it, None where it is open or has no figure (``largest``, ``qualitative``)."""
        return None, None


@dataclass(frozen=True)
class AtLeast(Comparator):
    """``>=``: met when the projection reaches ``value``."""

    value: float
    symbol: ClassVar[str] = ">="
    fields: ClassVar[tuple[str, ...]] = ("value",)
    numbers: ClassVar[tuple[str, ...]] = ("value",)

    def _reference_and_met(self, x, values):
        return np.full_like(x, self.value), at_least(x, self.value)

    def boundary(self, values, projected):
        return self.value, 1.0

    def text(self) -> str:
        return f"{self.value:g}"

    def label(self, unit: str = "") -> str:
        return f"≥ {self.value:g}" + (f" {unit}" if unit else "")

    @property
    def level(self) -> float:
        return self.value

    @property
    def bounds(self) -> tuple[float, None]:
        return self.value, None


@dataclass(frozen=True)
class About(Comparator):
    """``~``: met within ``tolerance`` of ``value`` either way; the gap is measured from ``value``."""

    value: float
    tolerance: float
    symbol: ClassVar[str] = "~"
    fields: ClassVar[tuple[str, ...]] = ("value", "tolerance")
    numbers: ClassVar[tuple[str, ...]] = ("value", "tolerance")
    optional: ClassVar[tuple[str, ...]] = ("tolerance_basis",)

    @classmethod
    def problems(cls, entry):
        out = super().problems(entry)
        if not out and entry["tolerance"] < 0:
            out.append(("tolerance", f"tolerance {entry['tolerance']} is negative"))
        return out

    def _reference_and_met(self, x, values):
        return np.full_like(x, self.value), about(x, self.value, self.tolerance)

    def _shortfall(self, gap):
        return np.maximum(np.abs(gap) - self.tolerance, 0.0)

    def boundary(self, values, projected):
        return self.value, 0.0                  # the centre lies inside the band: either side meets it

    def text(self) -> str:
        return f"{self.value:g} ± {self.tolerance:g}"

    def label(self, unit: str = "") -> str:
        return f"≈ {self.value:g}" + (f" {unit}" if unit else "")

    @property
    def level(self) -> float:
        return self.value

    @property
    def band(self) -> tuple[float, float]:
        return self.value - self.tolerance, self.value + self.tolerance

    @property
    def bounds(self) -> tuple[float, float]:
        return self.band


@dataclass(frozen=True)
class Within(Comparator):
    """``range``: met from ``low`` to ``high``; the gap is the distance to the nearest bound."""

    low: float
    high: float
    symbol: ClassVar[str] = "range"
    fields: ClassVar[tuple[str, ...]] = ("low", "high")
    numbers: ClassVar[tuple[str, ...]] = ("low", "high")

    @classmethod
    def problems(cls, entry):
        out = super().problems(entry)
        if not out and entry["low"] > entry["high"]:
            out.append(("low", f"low {entry['low']} above high {entry['high']}"))
        return out

    def _reference_and_met(self, x, values):
        nearest = np.where(x < self.low, self.low, np.where(x > self.high, self.high, x))
        return nearest, within(x, self.low, self.high)

    def boundary(self, values, projected):
        return (self.low, 1.0) if projected < self.low else (self.high, -1.0)

    def text(self) -> str:
        return f"{self.low:g}-{self.high:g}"

    @property
    def band(self) -> tuple[float, float]:
        return self.low, self.high

    @property
    def bounds(self) -> tuple[float, float]:
        return self.band


@dataclass(frozen=True)
class Largest(Comparator):
    """``rank``: met when the target's variable is the largest of ``among`` (a tie counts);
    the gap is its lead over the largest of the ``others``."""

    others: tuple[str, ...]
    symbol: ClassVar[str] = "rank"
    fields: ClassVar[tuple[str, ...]] = ("among",)
    gap_from_value: ClassVar[bool] = False

    @classmethod
    def problems(cls, entry):
        among = entry["among"]
        if not isinstance(among, list) or len(among) < 2 or not all(isinstance(v, str) for v in among):
            return [("among", f"among {among!r} is not a list of at least two variables")]
        if entry.get("variable") not in among:
            return [("among", f"variable {entry.get('variable')!r} is not one of `among`")]
        return []

    @classmethod
    def from_entry(cls, entry):
        return cls(tuple(v for v in entry["among"] if v != entry["variable"]))

    def reads(self) -> tuple[str, ...]:
        return self.others

    def largest_other(self, values: Values) -> np.ndarray:
        """The largest of the :attr:`others`, element-wise."""
        return np.stack([np.asarray(values[v], dtype=float) for v in self.others], axis=-1).max(axis=-1)

    def _reference_and_met(self, x, values):
        largest = self.largest_other(values)
        return largest, x >= largest

    def boundary(self, values, projected):
        return float(self.largest_other(values)), 1.0      # a tie with the largest other

    def text(self) -> str:
        return "largest"


@dataclass(frozen=True)
class NotModelled(Comparator):
    """``not_modelled``: the model has no series for it; listed, never evaluated.
    ``reason`` (optional) says why; ``high`` (optional) makes the target the range ``value``-``high``."""

    value: float
    high: float | None = None        # a range from ``value`` to ``high`` (optional)
    symbol: ClassVar[str] = "not_modelled"
    fields: ClassVar[tuple[str, ...]] = ("value",)
    numbers: ClassVar[tuple[str, ...]] = ("value",)
    optional: ClassVar[tuple[str, ...]] = ("reason", "high")
    modelled: ClassVar[bool] = False

    @classmethod
    def problems(cls, entry):
        out = super().problems(entry)
        if "high" in entry:
            if not _is_number(entry["high"]):
                out.append(("high", f"high {entry['high']!r} is not a number"))
            elif not out and entry["high"] < entry["value"]:
                out.append(("high", f"high {entry['high']} below value {entry['value']}"))
        return out

    @classmethod
    def from_entry(cls, entry):
        return cls(float(entry["value"]), float(entry["high"]) if "high" in entry else None)

    def text(self) -> str:
        return f"{self.value:g}" if self.high is None else f"{self.value:g}-{self.high:g}"

    @property
    def bounds(self) -> tuple[float, float]:
        """The stated figures: ``value``-``high``, or ``value`` twice when the set gives one figure (it
        does not say on which side of it the target is met)."""
        return self.value, self.value if self.high is None else self.high


@dataclass(frozen=True)
class Qualitative(Comparator):
    """``qualitative``: a plan goal stated without a figure; listed, never scored.
    ``reason`` (optional) says what the plan states instead."""

    symbol: ClassVar[str] = "qualitative"
    fields: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ("reason",)
    modelled: ClassVar[bool] = False

    def text(self) -> str:
        return "qualitative"


COMPARATORS: dict[str, type[Comparator]] = {c.symbol: c for c in (AtLeast, About, Within, Largest, NotModelled,
                                                                   Qualitative)}
