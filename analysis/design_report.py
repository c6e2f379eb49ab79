"""``report.html`` of a sweep or a sensitivity analysis: response curves and indices with CIs.

A sweep or sensitivity folder has one row per design point × seed × step. Its report shows
how each main metric responds to each parameter (the mean over seeds at every point, with a
95% t-interval over the seeds) and, for a sensitivity analysis, the indices of
``indices.csv`` with SALib's interval (resampling the design) and the seed interval
(resampling the seeds; :func:`hetsim.analysis.sensitivity.seed_intervals`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from hetsim.analysis.figures import DEFAULT_MAIN_METRICS
from hetsim.analysis.report import _CSS, _esc, _figure, _manifest_section

DESIGN_KINDS = ("sweep", "sensitivity")


def design_params(runs: pd.DataFrame, manifest: dict[str, Any]) -> list[str]:
    """The design's parameter keys, from the manifest (sweep: ``params``; sensitivity:
    ``problem.names``)."""
    keys = manifest.get("params") or (manifest.get("problem") or {}).get("names") or []
    return [k for k in keys if k in runs.columns]


def point_summary(runs: pd.DataFrame, params: list[str], metrics: list[str], window: str):
    """One row per point × metric: parameter values, mean over seeds, t-interval half-width."""
    from hetsim.analysis.statistics import summarise_runs

    keyed = runs.assign(intervention=runs["point"].astype(str))
    values = summarise_runs(keyed, window, metrics=metrics)
    values = values.assign(point=values["intervention"].astype(int))
    grouped = values.groupby(["point", "metric"])["value"]
    table = grouped.agg(["mean", "std", "count"]).reset_index()
    crit = stats.t.ppf(0.975, np.maximum(table["count"] - 1, 1))
    table["half_width"] = np.where(
        table["count"] > 1, crit * table["std"] / np.sqrt(table["count"]), np.nan
    )
    at = runs.drop_duplicates("point").set_index("point")[params]
    return table.join(at, on="point")


def grid(panels: int, width: float = 3.4, height: float = 2.6):
    """A figure with ``panels`` axes in rows of at most three; the spare axes hidden."""
    columns = min(3, panels)
    rows = -(-panels // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(width * columns, height * rows), layout="constrained", squeeze=False
    )
    for ax in axes.flat[panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:panels])


def plot_responses(summary: pd.DataFrame, params: list[str], metrics: list[str], path: Path):
    """One panel per metric × parameter: mean over seeds at each point ± t-interval."""
    pairs = [(metric, param) for metric in metrics for param in params]
    fig, axes = grid(len(pairs))
    for ax, (metric, param) in zip(axes, pairs, strict=True):
        ordered = summary[summary["metric"] == metric].sort_values(param)
        ax.errorbar(
            ordered[param],
            ordered["mean"],
            yerr=ordered["half_width"].fillna(0.0),
            fmt="o",
            ms=3,
            elinewidth=0.8,
            alpha=0.8,
        )
        ax.set_xlabel(param, fontsize=8)
        ax.set_ylabel(metric, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("Mean over seeds at each design point, 95% t-interval", fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def index_columns(indices: pd.DataFrame) -> list[str]:
    """The indices shown: Morris μ* or Sobol S1 and ST."""
    return ["mu_star"] if "mu_star" in indices else [k for k in ("S1", "ST") if k in indices]


def plot_indices(indices: pd.DataFrame, path: Path) -> Path:
    """One panel per metric: each parameter's index with SALib's and the seeds' interval."""
    metrics = list(dict.fromkeys(indices["metric"]))
    keys = index_columns(indices)
    fig, axes = grid(len(metrics), width=3.8, height=1.2 + 0.35 * indices["parameter"].nunique())
    for ax, metric in zip(axes, metrics, strict=True):
        rows = indices[indices["metric"] == metric].reset_index(drop=True)
        y = np.arange(len(rows))
        for k, key in enumerate(keys):
            offset = (k - (len(keys) - 1) / 2) * 0.3
            value = rows[key].to_numpy(float)
            ax.errorbar(value, y + offset, xerr=rows[f"{key}_conf"].abs(), fmt="o", ms=4,
                        capsize=3, label=f"{key} (SALib interval)")  # fmt: skip
            low, high = rows.get(f"{key}_seed_ci_low"), rows.get(f"{key}_seed_ci_high")
            if low is not None and np.isfinite(low.to_numpy(float)).any():
                ax.hlines(y + offset + 0.1, low, high, colors="crimson", lw=2.5,
                          label=f"{key} (seed interval)")  # fmt: skip
        ax.set_yticks(y, rows["parameter"], fontsize=7)
        ax.set_title(metric, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle("Sensitivity indices with 95% intervals")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_design_report(
    out_dir: Path, runs: pd.DataFrame, manifest: dict[str, Any] | None
) -> list[Path]:
    """``report.html`` with ``responses.png`` (and ``indices.png`` for a sensitivity)."""
    out_dir = Path(out_dir)
    manifest = dict(manifest or {})
    kind = manifest.get("experiment", "sweep")
    params = design_params(runs, manifest)
    metrics = [m for m in manifest.get("metrics") or DEFAULT_MAIN_METRICS if m in runs.columns]
    window = manifest.get("window", "last10pct")
    summary = point_summary(runs, params, metrics, window)
    written = [plot_responses(summary, params, metrics, out_dir / "responses.png")]
    seeds = runs["seed"].nunique()
    title = f"hetsim {kind}: {manifest.get('scenario', '')}"
    body = [f"<h1>{_esc(title)}</h1>", "<h2>Run</h2>", _manifest_section(runs, manifest)]
    body.append("<h2>Responses</h2>")
    caption = (
        f"Each point of the design: the metric's {window} value, mean over {seeds} seed(s), "
        "with a 95% t-interval over the seeds"
        + (" (none with one seed)." if seeds < 2 else ".")
        + " Other parameters vary too in a Latin hypercube or a Morris/Sobol design."
    )
    body.append(_figure(written[0], "Response of each metric to each parameter", caption))
    indices_csv = out_dir / "indices.csv"
    if kind == "sensitivity" and indices_csv.exists():
        indices = pd.read_csv(indices_csv)
        written.append(plot_indices(indices, out_dir / "indices.png"))
        body.append("<h2>Sensitivity indices</h2>")
        body.append(
            _figure(
                written[-1],
                "Sensitivity indices",
                "Black: SALib's 95% bootstrap interval over the design; red: the 95% "
                "percentile interval over resampled seeds (the model's own noise).",
            )
        )
        body.append(indices.to_html(index=False, classes="comparison", float_format="%.4g"))
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8">',
            f"<title>{_esc(title)}</title><style>{_CSS}</style></head>",
            "<body>",
            *body,
            "</body></html>",
            "",
        ]
    )
    path = out_dir / "report.html"
    path.write_bytes(page.encode("utf-8"))
    return [path, *written]
