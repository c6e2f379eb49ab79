"""Group rates and fairness gaps under differing notions (§2.3, §2.4.1).

A community's decisions are scored under the notion of fairness that community holds, so that
heterogeneous communities can be compared on their own terms. The functions are vectorised
over many communities at once: inputs have shape ``(C, m)`` for ``C`` communities of up to
``m`` individuals, with an optional boolean ``mask`` marking the valid rows when communities
differ in size.

Conventions:
    * Group rates are NaN where undefined (empty group, no positives for TPR, ...).
    * Fairness gaps are never NaN: with fewer than two groups present the gap is ``0.0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "FAIRNESS_NOTIONS",
    "GroupRates",
    "accuracy",
    "confusion_counts",
    "fairness_gap",
    "group_rates",
    "rates_from_counts",
]

FAIRNESS_NOTIONS: tuple[str, ...] = (
    "demographic_parity",
    "equal_opportunity",
    "equalized_odds",
    "quota",
    "none",
)
"""Names of the fairness notions understood by :func:`fairness_gap`."""

# --------------------------------------------------------------------------------------
# Group rates and fairness
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRates:
    """Per-community, per-group confusion counts and rates, each of shape ``(C, G)``.

    Rates are NaN where undefined: ``accuracy`` and ``selection_rate`` when ``n == 0``,
    ``tpr`` when the group has no true positives+false negatives, ``fpr`` when it has
    no false positives+true negatives.

    Attributes:
        n: Number of valid individuals in the group (int).
        tp: True positives (int).
        fp: False positives (int).
        tn: True negatives (int).
        fn: False negatives (int).
        accuracy: ``(tp + tn) / n``, in [0, 1].
        tpr: ``tp / (tp + fn)``, in [0, 1].
        fpr: ``fp / (fp + tn)``, in [0, 1].
        selection_rate: ``(tp + fp) / n``, in [0, 1].
    """

    n: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    tn: np.ndarray
    fn: np.ndarray
    accuracy: np.ndarray
    tpr: np.ndarray
    fpr: np.ndarray
    selection_rate: np.ndarray

    @property
    def n_communities(self) -> int:
        """Number of communities ``C``."""
        return int(self.n.shape[0])

    @property
    def n_groups(self) -> int:
        """Number of groups ``G``."""
        return int(self.n.shape[1])


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise ``num / den`` as float, NaN where ``den == 0``, without warnings."""
    out = np.full(np.shape(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _as_2d(a: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (C, m) or (m,), got {arr.shape}")
    return arr


def _check_binary(values: np.ndarray, name: str) -> None:
    """Raise unless ``values`` holds only 0 and 1 (integers or bools by their range)."""
    if values.size == 0:
        return
    if values.dtype.kind in "biu":
        ok = values.min() >= 0 and values.max() <= 1
    else:
        ok = bool(np.all((values == 0) | (values == 1)))
    if not ok:
        raise ValueError(f"{name} must contain only 0/1 on valid rows")


def group_rates(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    mask: np.ndarray | None = None,
) -> GroupRates:
    """Confusion counts and rates per community × group; rates in [0, 1] or NaN.

    Vectorised with a single ``np.bincount`` over the flat index
    ``community * n_groups + group``; no Python loop over communities.

    Args:
        y_true: ``(C, m)`` true outcomes in {0, 1} (a 1-D ``(m,)`` array means ``C = 1``).
        y_pred: ``(C, m)`` decisions in {0, 1} (1 = selected / positive decision).
        group: ``(C, m)`` integer group labels in ``0 .. n_groups - 1``.
        n_groups: Number of groups ``G`` (>= 1).
        mask: Optional ``(C, m)`` boolean array of valid rows; invalid rows are ignored
            entirely (their values may be arbitrary padding).

    Returns:
        A :class:`GroupRates` whose arrays all have shape ``(C, n_groups)``.

    Raises:
        ValueError: On mismatched shapes, labels outside {0, 1}, or group ids out of range.
    """
    return rates_from_counts(confusion_counts(y_true, y_pred, group, n_groups, mask))


def confusion_counts(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """``(C, n_groups, 4)`` counts of tn, fp, fn, tp per community and group, validated as
    :func:`group_rates` validates its arguments (the counts it derives its rates from)."""
    if n_groups < 1:
        raise ValueError(f"n_groups must be >= 1, got {n_groups}")
    yt = _as_2d(y_true, "y_true")
    yp = _as_2d(y_pred, "y_pred")
    gr = _as_2d(group, "group")
    if not (yt.shape == yp.shape == gr.shape):
        raise ValueError(
            f"y_true, y_pred and group must share a shape, got {yt.shape}, {yp.shape}, {gr.shape}"
        )
    C = yt.shape[0]
    size = C * n_groups
    if mask is None:  # every row counts: no gather, the community index broadcasts
        t, p, g = yt, yp, gr
        community = np.arange(C, dtype=np.intp)[:, None]
    else:
        valid = _as_2d(mask, "mask").astype(bool)
        if valid.shape != yt.shape:
            raise ValueError(f"mask must have shape {yt.shape}, got {valid.shape}")
        rows = np.nonzero(valid)
        t, p, g = yt[rows], yp[rows], gr[rows]
        community = rows[0]
    _check_binary(t, "y_true")
    _check_binary(p, "y_pred")
    if g.size and (
        (g.dtype.kind == "f" and not np.all(np.equal(np.mod(g, 1), 0)))
        or g.min() < 0
        or g.max() >= n_groups
    ):
        raise ValueError(f"group must hold integers in [0, {n_groups - 1}] on valid rows")
    # Cell code 0..3 = (y_true, y_pred) in (0,0), (0,1), (1,0), (1,1); one bincount for all.
    code = (community * n_groups + g.astype(np.intp)) * 4
    code += 2 * t.astype(np.intp)
    code += p.astype(np.intp)
    return np.bincount(code.ravel(), minlength=size * 4).reshape(C, n_groups, 4)


def rates_from_counts(counts: np.ndarray) -> GroupRates:
    """The :class:`GroupRates` of ``(C, G, 4)`` confusion counts (tn, fp, fn, tp per cell)."""
    tn, fp, fn, tp = (counts[..., i] for i in range(4))
    n = tn + fp + fn + tp
    return GroupRates(
        n=n,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        accuracy=_ratio(tp + tn, n),
        tpr=_ratio(tp, tp + fn),
        fpr=_ratio(fp, fp + tn),
        selection_rate=_ratio(tp + fp, n),
    )


def accuracy(rates: GroupRates) -> np.ndarray:
    """Overall accuracy per community from the pooled group counts; in [0, 1], NaN if empty.

    Args:
        rates: Output of :func:`group_rates`.

    Returns:
        ``(C,)`` array of ``sum_g (tp + tn) / sum_g n``.
    """
    correct = (rates.tp + rates.tn).sum(axis=1)
    total = rates.n.sum(axis=1)
    return _ratio(correct, total)


def _range_gap(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per-row ``max - min`` of ``values`` over ``ok`` cells; 0 where fewer than two.

    The few groups are walked as columns: a reduction along a short last axis costs numpy
    several times more than elementwise maxima of whole columns."""
    high = np.where(ok, values, -np.inf)
    low = np.where(ok, values, np.inf)
    hi, lo, count = high[:, 0], low[:, 0], ok[:, 0].astype(np.intp)
    for g in range(1, values.shape[1]):
        hi = np.maximum(hi, high[:, g])
        lo = np.minimum(lo, low[:, g])
        count = count + ok[:, g]
    return np.where(count >= 2, hi - lo, 0.0)


def _notion_codes(notion: np.ndarray | str, C: int) -> np.ndarray:
    """Map notion name(s) to indices into FAIRNESS_NOTIONS, shape ``(C,)``."""
    if isinstance(notion, str):
        if notion not in FAIRNESS_NOTIONS:
            raise ValueError(
                f"unknown fairness notion {notion!r}; allowed: {', '.join(FAIRNESS_NOTIONS)}"
            )
        return np.full(C, FAIRNESS_NOTIONS.index(notion), dtype=np.int64)
    arr = np.asarray(notion)
    if arr.shape != (C,):
        raise ValueError(f"notion array must have shape ({C},), got {arr.shape}")
    # one vectorised comparison per notion name, not a Python loop over communities
    codes = np.full(C, -1, dtype=np.int64)
    for i, name in enumerate(FAIRNESS_NOTIONS):
        codes[arr == name] = i
    if (codes < 0).any():
        bad = sorted({str(u) for u in arr[codes < 0]})
        raise ValueError(
            f"unknown fairness notion(s) {bad!r}; allowed: {', '.join(FAIRNESS_NOTIONS)}"
        )
    return codes


def fairness_gap(
    rates: GroupRates,
    notion: np.ndarray | str,
    quota_target: np.ndarray | float = 0.5,
    min_group_size: int = 1,
) -> np.ndarray:
    """Unfairness of each community's decisions under its own notion; (C,) in [0, 1].

    A group is *present* in a community when ``n >= min_group_size``. With fewer than two
    groups present the gap is 0.0 for every notion (no measurable gap). Definitions:

    * ``demographic_parity``: max - min selection rate over present groups.
    * ``equal_opportunity``: max - min TPR over present groups whose TPR is defined
      (0.0 if fewer than two such groups).
    * ``equalized_odds``: ``max(TPR gap, FPR gap)``, each computed as above over the present
      groups where that rate is defined; hence always >= the equal-opportunity gap.
    * ``quota``: a quota requires each protected group (``g >= 1``) to be selected at a
      rate of at least ``quota_target``. The gap is the largest shortfall,
      ``max over present g >= 1 of max(0, quota_target - selection_rate(g))``; over-
      selection is not penalised, and group 0 (the majority) is unconstrained.
    * ``none``: 0.0.

    Args:
        rates: Output of :func:`group_rates`.
        notion: One notion name for all communities, or a ``(C,)`` array of names.
        quota_target: Target selection rate for protected groups, scalar or ``(C,)``,
            in [0, 1]. Used only by ``quota``.
        min_group_size: Minimum group size (>= 1) for a group to count as present.

    Returns:
        ``(C,)`` float array of gaps, never NaN.

    Raises:
        ValueError: If a notion is not in :data:`FAIRNESS_NOTIONS`, or arguments are
            out of range / mis-shaped.
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be >= 1, got {min_group_size}")
    C = rates.n_communities
    codes = _notion_codes(notion, C)
    target = np.broadcast_to(np.asarray(quota_target, dtype=float), (C,))
    if C and not (target.min() >= 0.0 and target.max() <= 1.0):  # also rejects NaN
        raise ValueError("quota_target must lie in [0, 1]")

    present = rates.n >= min_group_size
    two_present = present.sum(axis=1) >= 2
    # Only the notions some community holds are computed. A rate is NaN only where its group
    # is absent or its denominator empty, cells every gap below leaves out.
    gap = np.zeros(C)
    held = np.unique(codes) if not isinstance(notion, str) else codes[:1]
    for code in held:
        rows = slice(None) if held.size == 1 else codes == code
        gap[rows] = _notion_gap(FAIRNESS_NOTIONS[code], rates, present, target, rows)
    return np.where(two_present, gap, 0.0)


def _notion_gap(
    notion: str, rates: GroupRates, present: np.ndarray, target: np.ndarray, rows
) -> np.ndarray | float:
    """The gap under one notion of the communities ``rows`` (a slice or a boolean mask)."""
    if notion == "demographic_parity":
        return _range_gap(rates.selection_rate[rows], present[rows])
    if notion in ("equal_opportunity", "equalized_odds"):
        tpr = rates.tpr[rows]
        eopp = _range_gap(tpr, present[rows] & ~np.isnan(tpr))
        if notion == "equal_opportunity":
            return eopp
        fpr = rates.fpr[rows]
        return np.maximum(eopp, _range_gap(fpr, present[rows] & ~np.isnan(fpr)))
    if notion == "quota":
        protected = present[rows].copy()
        protected[:, 0] = False
        with np.errstate(invalid="ignore"):
            shortfall = np.clip(target[rows, None] - rates.selection_rate[rows], 0.0, None)
        return np.where(protected, shortfall, 0.0).max(axis=1, initial=0.0)
    return 0.0
