"""The Ensemble tab: ``hetsim compare`` for the loaded settings, run in the background."""

# Solara components are CamelCase by convention.
# ruff: noqa: N802

from __future__ import annotations

import base64
import html
import traceback

import pandas as pd
import solara
import solara.lab

from hetsim.scenarios.library import list_interventions
from hetsim.simulation.schema import ScenarioError
from hetsim.ui.ensemble import compare_command, ensemble_figure, main_rows, run_compare, significant
from hetsim.ui.labels import metric_help, metric_label
from hetsim.ui.render import png_bytes
from hetsim.ui.settings import Settings


def comparison_html(comparison: pd.DataFrame) -> str:
    """The main rows as an HTML table: readable names (column and meaning on hover), Holm p."""
    head = (
        "<tr><th>arm</th><th>metric</th><th>baseline</th><th>arm</th>"
        "<th>difference (95% CI)</th><th>p (Holm)</th></tr>"
    )
    rows = []
    for _, r in main_rows(comparison).iterrows():
        mark = " class='hetsim-significant'" if significant(r) else ""
        rows.append(
            f"<tr{mark}><td>{html.escape(str(r['intervention']))}</td>"
            f"<td title='{html.escape(metric_help(r['metric']), quote=True)}'>"
            f"{html.escape(metric_label(r['metric']))}</td>"
            f"<td>{r['baseline_mean']:.3f}</td><td>{r['mean']:.3f}</td>"
            f"<td>{r['diff_mean']:+.3f} [{r['diff_ci_low']:+.3f}, {r['diff_ci_high']:+.3f}]</td>"
            f"<td>{r['p_adjusted']:.3g}</td></tr>"
        )
    return f"<table class='hetsim-table hetsim-ensemble-table'>{head}{''.join(rows)}</table>"


@solara.component
def EnsemblePanel(settings: Settings):
    """Baseline (the loaded scenario and moved sliders) against each chosen intervention."""
    options = list_interventions()
    arms = solara.use_reactive(list(settings.interventions) or options[:1])
    n_seeds = solara.use_reactive(5)
    steps = solara.use_reactive(20)
    done = solara.use_reactive((0, 0))
    result = solara.use_reactive(None)
    error = solara.use_reactive(None)
    overrides = settings.overrides()

    def run() -> None:
        error.set(None)
        result.set(None)
        done.set((0, n_seeds.value * (len(arms.value) + 1)))
        try:
            result.set(
                run_compare(
                    settings.scenario,
                    arms.value,
                    n_seeds.value,
                    steps.value,
                    overrides,
                    on_progress=lambda d, t: done.set((d, t)),
                )
            )
        except (ScenarioError, ValueError) as exc:
            error.set(str(exc))
        except Exception as exc:  # shown in the page; the traceback goes to the server log
            traceback.print_exc()
            error.set(f"ensemble failed: {type(exc).__name__}: {exc}")

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)

    with solara.Card("Ensemble: hetsim compare for the loaded settings"):
        solara.Text(
            "Baseline: the loaded scenario with the sliders you moved (as --set), without "
            "interventions. Each chosen intervention is one arm; every arm runs on seeds "
            "0..N-1 (paired by seed). Exactly what this command runs:"
        )
        solara.HTML(
            tag="pre",
            unsafe_innerHTML=html.escape(
                compare_command(
                    settings.scenario, arms.value, n_seeds.value, steps.value, overrides
                )
            ),
            classes=["hetsim-compare-command"],
        )
        solara.SelectMultiple("Intervention arms", values=arms, all_values=options)
        solara.SliderInt("Seeds", value=n_seeds, min=2, max=20, thumb_label="always")
        solara.SliderInt("Steps per run", value=steps, min=5, max=100, step=5, thumb_label="always")
        solara.Button(
            "Run ensemble",
            icon_name="mdi-play",
            color="primary",
            on_click=task,
            disabled=task.pending or not arms.value,
        )
        d, t = done.value
        with solara.Div(classes=["hetsim-ensemble-progress"]):
            if task.pending:
                solara.ProgressLinear(100 * d / t if t else True)
                solara.Text(f"{d} of {t} runs done")
        if error.value:
            solara.Error(error.value)
        image = solara.use_memo(
            lambda: (
                None
                if result.value is None
                else png_bytes(ensemble_figure(result.value.comparison))
            ),
            [result.value],
        )
        if result.value is not None:
            outcome = result.value
            source = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
            alt = "Forest plot of each arm's paired difference from the baseline, per metric"
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f'<img src="{source}" alt="{alt}" style="max-width: 100%">',
            )
            with solara.Div(classes=["hetsim-ensemble-result"]):
                solara.HTML(tag="div", unsafe_innerHTML=comparison_html(outcome.comparison))
            solara.Text(
                f"Runs, comparison.csv, report.html and manifest.json: {outcome.out_dir}",
                classes=["hetsim-ensemble-folder"],
            )
            solara.FileDownload(
                lambda: (outcome.out_dir / "comparison.csv").read_bytes(),
                filename="comparison.csv",
                label="Comparison as CSV (all metrics and windows)",
                mime_type="text/csv",
            )
