"""The two exact decompositions the attribution uses: the log mean and the Shapley value."""
from __future__ import annotations

import math

import numpy as np


def log_mean(a: float, b: float) -> float:
    r"""The logarithmic mean :math:`L(a, b) = (a - b)/(\ln a - \ln b)`, :math:`L(a, a) = a`;
    ``a`` and ``b`` positive.  :math:`\Delta x = L(x_s, x_r)\,\Delta\ln x` exactly."""
    a, b = float(a), float(b)
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def shapley(values: np.ndarray) -> np.ndarray:
    r"""Shapley values of ``k`` players from the worth of every coalition.

    ``values`` is ``(2**k, ...)``: row ``m`` is the worth :math:`v(S)` of the coalition
    whose members are the set bits of ``m`` (bit ``i``: player ``i``).  Returns ``(k, ...)``

    .. math:: \phi_i = \sum_{S \not\ni i} \frac{|S|!\,(k-|S|-1)!}{k!}\,\big(v(S\cup\{i\}) - v(S)\big),

    which sum to :math:`v(\text{all}) - v(\emptyset)` (efficiency), give 0 to a player
    that changes no worth (dummy) and the same to players that act alike (symmetry).
    """
    values = np.asarray(values, dtype=float)
    k = int(round(math.log2(values.shape[0])))
    if 2 ** k != values.shape[0]:
        raise ValueError(f"expected 2**k coalitions, got {values.shape[0]}")
    masks = np.arange(2 ** k)
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) if s < k else 0.0
                       for s in size])
    out = np.zeros((k,) + values.shape[1:])
    for i in range(k):
        without = masks[(masks >> i) & 1 == 0]
        w = weight[without].reshape((-1,) + (1,) * (values.ndim - 1))
        out[i] = (w * (values[without | (1 << i)] - values[without])).sum(axis=0)
    return out
