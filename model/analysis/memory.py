"""How much memory a run may take, and what the Monte Carlo and the Sobol analysis take from their sizes.

A run stays within :data:`MEMORY_BOUND`.  The Monte Carlo simulates its draws in chunks cut for the
horizon (:func:`model.analysis.montecarlo.chunk_size`), so its arrays never pass
:data:`model.analysis.montecarlo.CHUNK_BYTES` whatever the number of draws; the Sobol analysis runs its
sample through the model in the same chunks (:func:`model.analysis.sensitivity.sample_gaps`), but its
sample, its gaps and SALib's bootstrap grow with the base sample size ``N``: :func:`sobol_peak_bytes`
says how much, and :func:`largest_sobol` is the largest ``N`` within the bound, which the command line
and :class:`model.analysis.run.RunOptions` enforce.  The constants are measured (on Linux, peak resident
memory of the process); they are upper estimates, not exact.
"""
from __future__ import annotations

from functools import lru_cache

from ..core.years import n_steps
from .montecarlo import BYTES_PER_DRAW_YEAR, chunk_size
from .sensitivity import sobol_inputs

MEMORY_BOUND = 2 << 30              # bytes: the most a run may take
PROCESS_BYTES = 256 << 20           # the process without the analyses' arrays: a run of one scenario with every
                                    # figure drawn peaks at 233 MiB
SOBOL_BYTES_PER_N = 27 << 10        # per unit of the base sample N: Saltelli's sample (N (D + 2) rows of D = 12
                                    # inputs), the gaps and SALib's bootstrap (200 resamples); measured 26.2 KiB
LONGEST_HORIZON = 2060              # the latest horizon a scenario may have: the longest arrays


def monte_carlo_peak_bytes(chunk: int, horizon: int = LONGEST_HORIZON) -> int:
    """The peak memory of a Monte Carlo run drawing ``chunk`` draws at once (cut for ``horizon``)."""
    return PROCESS_BYTES + BYTES_PER_DRAW_YEAR * chunk_size(chunk, horizon) * (n_steps(horizon) + 1)


def sobol_peak_bytes(n: int, horizon: int = LONGEST_HORIZON) -> int:
    """The peak memory of a Sobol analysis with base sample ``n`` (``n (D + 2)`` model evaluations)."""
    evaluations = n * (len(sobol_inputs()) + 2)
    chunk = BYTES_PER_DRAW_YEAR * chunk_size(max(evaluations, 1), horizon) * (n_steps(horizon) + 1)
    return PROCESS_BYTES + chunk + n * SOBOL_BYTES_PER_N


@lru_cache(maxsize=None)
def largest_sobol(bound: int = MEMORY_BOUND) -> int:
    """The largest base sample size whose :func:`sobol_peak_bytes` stays within ``bound``, at any horizon."""
    low, high = 0, 1 << 24
    while low < high:                   # sobol_peak_bytes grows with n
        mid = (low + high + 1) // 2
        if max(sobol_peak_bytes(mid, h) for h in range(2021, LONGEST_HORIZON + 1)) <= bound:
            low = mid
        else:
            high = mid - 1
    return low


def gib(n_bytes: int) -> str:
    """``n_bytes`` in GiB for a message: ``2.3 GiB``."""
    return f"{n_bytes / (1 << 30):.1f} GiB"
