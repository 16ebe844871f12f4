"""Share intervals and threshold tests, shared by the UBO and the sanctions computations.

A share that is not known exactly is an interval: a PSC band "more than 25% but not more than
50%" is ``(0.25, 0.50]`` (``share_min=0.25, min_inclusive=False, share_max=0.5,
max_inclusive=True``). An aggregate of several intervals is the interval of the sums, and its
lower (upper) end is attained only when every term's is; a product along a chain likewise.

Thresholds are tested three-valued: ``definite`` when every value in the interval meets it,
``possible`` when some value does. Floating-point sums such as 0.1 + 0.4 are compared with a
tolerance ``TOL``: a value within ``TOL`` of the threshold counts as equal to it, and only then
does an open or closed end decide.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

TOL = 1e-9

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def meets_definitely(lo: Floats, lo_closed: Bools, threshold: float, inclusive: bool) -> Bools:
    """Every value of an interval with lower end ``lo`` meets the threshold.

    Inclusive ("t or more"): ``lo >= t`` whether or not ``lo`` itself is attained. Exclusive
    ("more than t"): ``lo > t``, or ``lo == t`` not attained (the band starts just above t).
    """
    if inclusive:
        return np.asarray(lo >= threshold - TOL)
    at = np.abs(lo - threshold) <= TOL
    return np.asarray((lo > threshold + TOL) | (at & ~lo_closed))


def meets_possibly(hi: Floats, hi_closed: Bools, threshold: float, inclusive: bool) -> Bools:
    """Some value of an interval with upper end ``hi`` meets the threshold.

    Inclusive: ``hi > t``, or ``hi == t`` attained. Exclusive: ``hi > t``.
    """
    above = hi > threshold + TOL
    if not inclusive:
        return np.asarray(above)
    at = np.abs(hi - threshold) <= TOL
    return np.asarray(above | (at & hi_closed))


def tri_state(definite: Bools, possible: Bools, names: tuple[str, str, str]) -> list[str]:
    """``names[0]`` where definite, ``names[1]`` where only possible, ``names[2]`` elsewhere."""
    code = np.where(definite, 0, np.where(possible, 1, 2))
    return [names[int(c)] for c in code]


def format_share(lo: float | None, hi: float | None) -> str:
    """``"50%"`` for an exact share, ``"25%-50%"`` for a band, ``""`` when unknown."""
    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return ""
    if abs(hi - lo) <= TOL:
        return f"{_pct(lo)}%"
    return f"{_pct(lo)}%-{_pct(hi)}%"


def _pct(x: float) -> str:
    return f"{x * 100:.4f}".rstrip("0").rstrip(".")
