"""Self-contained, byte-reproducible HTML report of an intervention comparison.

:func:`write_report` writes ``report.html`` with the figures of :mod:`hetsim.analysis.figures`
(time series, forest plot, exchange network) embedded in it, so the page alone shows every
figure and can be mailed; the PNGs are also written beside it for papers. Metrics are named
and numbers shown with units by :mod:`hetsim.analysis.labels`. The comparison table is split
into the primary outcomes (Holm-adjusted over them alone) and the exploratory metrics
(unadjusted, labelled so).

Reproducibility: the figures are byte-reproducible (see :mod:`hetsim.analysis.figures`) and
the HTML contains no timestamps except any taken verbatim from the manifest. Writing the same
inputs twice gives byte-identical files. Every string taken from the data or the manifest
is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from hetsim.analysis.figures import (
    DEFAULT_MAIN_METRICS,
    FLOW_COLOURS,
    NETWORK_LAYOUT_SEED,
    forest_rows,
    plot_forest,
    plot_network,
    plot_timeseries,
)
from hetsim.analysis.labels import format_value, label
from hetsim.analysis.statistics import EXPLORATORY, PRIMARY

__all__ = [
    "DEFAULT_MAIN_METRICS",
    "FLOW_COLOURS",
    "NETWORK_LAYOUT_SEED",
    "plot_forest",
    "plot_network",
    "plot_timeseries",
    "write_report",
]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1200px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
dl.manifest { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dl.manifest dt { font-weight: 600; }
dl.manifest dd { margin: 0; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption, p.note { font-size: 0.9em; color: #555; }
table.comparison { border-collapse: collapse; font-size: 0.85em; width: 100%; }
table.comparison th, table.comparison td { border: 1px solid #ddd; padding: 0.25em 0.5em; }
table.comparison th { background: #f3f3f3; text-align: left; }
table.comparison td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.comparison tr.sig { background: #fff1d6; font-weight: 600; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
"""


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _fmt_p(p) -> str:
    p = float(p)
    if math.isnan(p):
        return "–"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"


def _json_default(obj):
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _fmt_value(value) -> str:
    """Short human-readable rendering of a manifest value (already escaped)."""
    if isinstance(value, str):
        return _esc(value)
    if isinstance(value, dict):
        return _esc(
            ", ".join(
                f"{k} {_plain(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            )
        )
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Index | pd.Series):
        items = list(value) if not isinstance(value, set | frozenset) else sorted(value, key=str)
        return _fmt_seq(items)
    return _esc(_plain(value))


def _plain(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dict | list | tuple | set | frozenset):
        return json.dumps(value, sort_keys=True, default=_json_default)
    return str(value)


def _fmt_seq(items: list) -> str:
    n = len(items)
    vals = [v.item() if isinstance(v, np.generic) else v for v in items]
    if n and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        s = sorted(vals)
        if n > 3 and s == list(range(s[0], s[0] + n)):
            return _esc(f"{n} ({s[0]}–{s[-1]})")
    shown = ", ".join(_plain(v) for v in vals[:12])
    more = f", … ({n} in total)" if n > 12 else ""
    return _esc(f"{shown}{more}" if n <= 12 else f"{n}: {shown}{more}")


def _manifest_section(runs: pd.DataFrame, manifest: dict | None) -> str:
    manifest = dict(manifest or {})
    entries: list[tuple[str, str]] = []

    def pick(key: str, label: str, fallback) -> None:
        if key in manifest and manifest[key] is not None:
            entries.append((label, _fmt_value(manifest[key])))
        elif fallback is not None:
            entries.append((label + " (from runs)", _fmt_value(fallback)))

    pick("scenario", "Scenario", sorted({str(s) for s in runs["scenario"].unique()}))
    seeds = sorted(runs["seed"].unique().tolist()) if "seed" in runs else None
    pick("seeds", "Seeds", seeds)
    pick("steps", "Steps", int(runs["step"].max()) if len(runs) else None)
    pick("interventions", "Interventions", sorted({str(a) for a in runs["intervention"].unique()}))
    pick("versions", "Versions", None)
    shown = {"scenario", "seeds", "steps", "interventions", "versions"}
    for key in sorted((k for k in manifest if k not in shown), key=str):
        value = manifest[key]
        if isinstance(value, str | int | float | bool) or value is None:
            entries.append((str(key), _esc(_plain(value))))

    parts = ['<dl class="manifest">']
    parts += [f"<dt>{_esc(label)}</dt><dd>{value}</dd>" for label, value in entries]
    parts.append("</dl>")
    if manifest:
        full = json.dumps(manifest, indent=2, sort_keys=True, default=_json_default)
        parts.append(f"<details><summary>Full manifest</summary><pre>{_esc(full)}</pre></details>")
    return "\n".join(parts)


def _comparison_table(comparison: pd.DataFrame, window: str = "last10pct") -> str:
    """The primary outcomes' table, then the exploratory metrics' (unadjusted) table."""
    c = comparison[comparison["window"] == window]
    if c.empty:
        return '<p class="note">No interventions to compare.</p>'
    if "outcome" not in c:
        c = c.assign(outcome=PRIMARY)
    parts = []
    primary = c[c["outcome"] == PRIMARY]
    exploratory = c[c["outcome"] == EXPLORATORY]
    n_tested = primary["metric"].nunique()
    parts.append(f"<h3>Primary outcomes ({n_tested} tested; Holm-adjusted over these alone)</h3>")
    parts.append(_rows_table(primary, adjusted=True))
    if not exploratory.empty:
        parts.append(
            f"<h3>Exploratory metrics ({exploratory['metric'].nunique()}; unadjusted)</h3>"
        )
        parts.append(
            '<p class="note">Not among the outcomes the comparison tests: their p-values are '
            "not adjusted for the many tests and do not confirm an effect; read them as "
            "questions for a new comparison naming them as its outcomes.</p>"
        )
        parts.append(_rows_table(exploratory, adjusted=False))
    return "\n".join(parts)


def _rows_table(c: pd.DataFrame, *, adjusted: bool) -> str:
    multi = "scenario" in c and c["scenario"].nunique() > 1
    head = (["Scenario"] if multi else []) + [
        "Intervention",
        "Metric",
        "n seeds",
        "Baseline mean",
        "Intervention mean",
        "Difference",
        "Difference CI",
        "d<sub>z</sub>",
        "p (t-test)",
        "p (Wilcoxon)",
    ]
    head += ["p (Holm)", "Sig."] if adjusted else ["unadjusted"]
    lines = ['<table class="comparison">', "<thead><tr>"]
    lines.append("".join(f"<th>{h}</th>" for h in head))
    lines.append("</tr></thead>")
    lines.append("<tbody>")
    for _, r in c.iterrows():
        sig = bool(adjusted and pd.notna(r["p_adjusted"]) and r["p_adjusted"] < 0.05)
        lab = label(str(r["metric"]))

        def num(column: str, unit: str = lab.unit, row: pd.Series = r) -> str:
            return _esc(format_value(row[column], unit))

        cells = [f"<td>{_esc(r['scenario'])}</td>"] if multi else []
        cells += [
            f"<td>{_esc(r['intervention'])}</td>",
            f"<td>{_esc(lab.name)} (<code>{_esc(r['metric'])}</code>)</td>",
            f'<td class="num">{int(r["n_seeds"])}</td>',
            f'<td class="num">{num("baseline_mean")}</td>',
            f'<td class="num">{num("mean")}</td>',
            f'<td class="num">{num("diff_mean")}</td>',
            f'<td class="num">[{num("diff_ci_low")}, {num("diff_ci_high")}]</td>',
            f'<td class="num">{num("effect_size", "")}</td>',
            f'<td class="num">{_fmt_p(r["p_value"])}</td>',
            f'<td class="num">{_fmt_p(r["p_value_wilcoxon"])}</td>',
        ]
        if adjusted:
            cells += [f'<td class="num">{_fmt_p(r["p_adjusted"])}</td>']
            cells += [f"<td>{'*' if sig else ''}</td>"]
        else:
            cells += ["<td>exploratory</td>"]
        cls = ' class="sig"' if sig else ""
        lines.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _figure(path: Path, alt: str, caption: str) -> str:
    """The PNG at ``path`` embedded in the page (a data URI), so the page stands alone."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def write_report(
    out_dir: Path,
    runs: pd.DataFrame,
    comparison: pd.DataFrame,
    flows_last_step: pd.DataFrame | None = None,
    manifest: dict | None = None,
    main_metrics: list[str] | None = None,
    *,
    baseline: str = "baseline",
) -> Path:
    """Write ``report.html`` and its PNG figures into ``out_dir``.

    Args:
        out_dir: Directory to write into (created if needed). Files are overwritten.
        runs: The runs table (for the time-series figure and the manifest fallback).
        comparison: Table from :func:`analysis.statistics.compare`; its ``last10pct`` rows
            make the forest plot and the table.
        flows_last_step: Optional flows (``source, target, kind, amount``) for
            ``network.png``; skipped when None.
        manifest: Optional run manifest; ``scenario, seeds, steps, interventions,
            versions`` are summarised (falling back to values read from ``runs``), other
            scalar entries are listed and the full manifest is shown collapsed.
        main_metrics: Metrics for the time-series figure; default
            :data:`DEFAULT_MAIN_METRICS`. Only those present in ``runs`` are plotted.
        baseline: Name of the baseline intervention.

    Returns:
        Path of ``report.html``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = list(DEFAULT_MAIN_METRICS if main_metrics is None else main_metrics)
    metrics = [m for m in dict.fromkeys(wanted) if m in runs.columns]
    not_found = [m for m in dict.fromkeys(wanted) if m not in runs.columns]

    scenarios = sorted({str(s) for s in runs["scenario"].unique()})
    if manifest and isinstance(manifest.get("scenario"), str):
        title = f"hetsim report: {manifest['scenario']}"
    else:
        title = "hetsim report: " + ", ".join(scenarios)

    body: list[str] = [f"<h1>{_esc(title)}</h1>"]
    body.append("<h2>Run</h2>")
    body.append(_manifest_section(runs, manifest))

    body.append("<h2>Trajectories</h2>")
    if metrics:
        plot_timeseries(out_dir / "timeseries.png", runs, metrics, baseline=baseline)
        body.append(
            _figure(
                out_dir / "timeseries.png",
                "Time series of the main metrics",
                "Mean across seeds per step with a 95% t-interval band (clipped to the "
                "metric's range); baseline in black.",
            )
        )
    else:
        body.append('<p class="note">None of the main metrics is present in the runs.</p>')
    if not_found:
        body.append(
            f'<p class="note">Main metrics not in the runs: {_esc(", ".join(not_found))}.</p>'
        )

    window = "last10pct"
    body.append("<h2>Effects of the interventions</h2>")
    body.append(
        '<p class="note">Each intervention is run on the same seeds as the baseline (common '
        "random numbers); differences are intervention − baseline, paired by seed, on the "
        "mean over the last 10% of steps of each run. Intervals are t-intervals; p-values are "
        "paired t-tests and Wilcoxon signed-rank tests; p (Holm) is Holm–Bonferroni-adjusted "
        "across the primary outcomes within each intervention. Rows marked * have p (Holm) "
        "&lt; 0.05. Other metrics are exploratory: reported, not adjusted.</p>"
    )
    has_rows = "window" in comparison.columns and bool((comparison["window"] == window).any())
    if has_rows:
        plot_forest(out_dir / "forest.png", comparison, window=window)
        rows = forest_rows(comparison[comparison["window"] == window])
        if "outcome" in rows:
            rows = rows[rows["outcome"] == PRIMARY]
        n_undefined = int(rows["dz"].isna().sum())
        caption = (
            "Standardised paired effect d<sub>z</sub> = mean(diff) / sd(diff) with its CI "
            "(the paired t-interval divided by sd(diff)) for the primary outcomes, grouped by "
            "family; red where the Holm-adjusted p &lt; 0.05. Raw differences, and the "
            "exploratory metrics, are in the tables below."
        )
        if n_undefined:
            caption += f" {n_undefined} comparison(s) have sd(diff) = 0 and no d<sub>z</sub>."
        body.append(_figure(out_dir / "forest.png", "Forest plot of paired effects", caption))
        body.append(_comparison_table(comparison, window=window))
    else:
        body.append('<p class="note">No interventions to compare.</p>')

    if flows_last_step is not None:
        body.append("<h2>Exchange network</h2>")
        plot_network(out_dir / "network.png", flows_last_step)
        body.append(
            _figure(
                out_dir / "network.png",
                "Exchange network at the last step",
                "Flows of data, compute, models and money at the last step of one run; node "
                "area ∝ total in-flow, edge width relative to the largest flow of its kind.",
            )
        )

    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )
    path = out_dir / "report.html"
    path.write_bytes(page.encode("utf-8"))
    return path
