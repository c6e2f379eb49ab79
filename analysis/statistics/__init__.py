"""Seed-paired statistics for comparing interventions against a baseline.

Design
------
The runner executes every intervention on the *same* seeds as the baseline (common random
numbers): seed ``s`` under the baseline and seed ``s`` under an intervention see the same
random draws wherever the intervention does not change the course of the run. Each seed is
therefore a matched pair, and the right analysis is on the per-seed *differences*
``d_s = intervention_s - baseline_s``. Noise shared by both arms cancels in ``d_s``, so
paired intervals and tests are much tighter than two-sample ones computed from the same
runs.

Each run's trajectory is first reduced to one number per metric (:func:`summarise_runs`):

* ``"final"``: the value at the run's last recorded step;
* ``"last10pct"``: the mean over the last ``k = ceil(n / 10)`` recorded steps of the run,
  where ``n`` is the number of steps recorded for that run (so ``k >= 1``; with steps
  ``1..20`` the mean covers steps 19 and 20, with ``1..25`` steps 23..25). NaN values
  inside the window are skipped; the window is NaN only if every value in it is NaN.

:func:`compare` then pairs these per-seed values by seed within each scenario. Seeds for
which either arm has no value (the seed was not run in that arm, or the metric is NaN) are
dropped from the pair for that metric; ``n_seeds`` is the number of pairs actually used and
``n_unpaired`` the number of seeds that had a value in exactly one arm. The intervention's
``mean``/``ci_low``/``ci_high`` and ``baseline_mean`` are computed on the paired seeds only,
so ``mean - baseline_mean == diff_mean`` exactly.

Statistics reported per (intervention, metric, window):

* t-intervals (``mean_ci``) for the intervention mean and for the mean paired difference;
* Cohen's ``d_z = mean(d) / sd(d)`` with ``sd`` using ``ddof=1``. ``d_z`` is NaN when it is
  undefined or infinite: fewer than two pairs, or ``sd(d) == 0`` (all differences equal;
  this includes an intervention identical to the baseline). ``sd(d)`` counts as zero when
  it is below floating-point rounding noise, ``sd <= 4 * n * eps * max|d|``;
* ``p_value``: paired t-test (:func:`scipy.stats.ttest_rel`); NaN with fewer than two pairs
  or when all differences are zero. A constant non-zero difference gives ``p = 0``
  (scipy's limit), although ``d_z`` is NaN;
* ``p_value_wilcoxon``: Wilcoxon signed-rank test on the non-zero differences
  (:func:`scipy.stats.wilcoxon`, zeros dropped as in its default ``zero_method="wilcox"``)
  when there are at least 6 non-zero pairs, else NaN. With 5 or fewer pairs even the most
  extreme outcome has two-sided p >= 0.0625, so the test could never reject at 0.05;
* ``p_adjusted``: Holm-Bonferroni adjustment (:func:`holm_adjust`) of ``p_value`` within
  each scenario x intervention x window family, across the *primary outcomes* (``outcome``
  is ``primary``: the metrics named by ``outcomes``, by default every metric). NaN p-values
  are left NaN and do not count towards the family size. Every other metric is
  ``exploratory``: its unadjusted p-values are reported, its ``p_adjusted`` is NaN.

All functions are pure (they do not modify their inputs) and deterministic: the result does
not depend on the row order of ``runs``.
"""

from hetsim.analysis.statistics.bands import timeseries_bands
from hetsim.analysis.statistics.paired import COMPARE_COLUMNS, EXPLORATORY, PRIMARY, compare
from hetsim.analysis.statistics.summaries import (
    ID_COLUMNS,
    WINDOWS,
    holm_adjust,
    mean_ci,
    metric_columns,
    summarise_runs,
)

__all__ = [
    "COMPARE_COLUMNS",
    "EXPLORATORY",
    "ID_COLUMNS",
    "PRIMARY",
    "WINDOWS",
    "compare",
    "holm_adjust",
    "mean_ci",
    "metric_columns",
    "summarise_runs",
    "timeseries_bands",
]
