"""The browser UI in a real Chromium: what you set is what runs, play, downloads, offline."""

from __future__ import annotations

import io
import re
import shlex
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from playwright.sync_api import expect

from hetsim.cli import main as hetsim_main

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RUN_FIGURES = ("network", "timeseries", "communities", "audits")
STEP_OF_STATUS = """() => {
    const m = document.querySelector('.hetsim-step')?.innerText.match(/Step (\\d+)/);
    return m ? Number(m[1]) : -1;
}"""


def _status(page):
    return page.locator(".hetsim-status")


def _step(page) -> int:
    return page.evaluate(STEP_OF_STATUS)


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def _choose_intervention(page, name: str) -> None:
    page.locator(".hetsim-multiselect").click()
    page.get_by_role("option", name=name, exact=True).click()
    page.keyboard.press("Escape")


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_the_page_names_what_is_loaded_and_shows_each_figure_with_alt_text(open_page):
    page = open_page()
    expect(_status(page)).to_contain_text("Step 0 of 100 · 3 entities · 40 communities")
    expect(_status(page)).to_contain_text("Loaded: status_quo · seed 0 · interventions: none")
    for name in ("Run", "Settings in force", "Ensemble", "Downloads"):
        expect(page.get_by_role("tab", name=name)).to_be_visible()
    for panel in RUN_FIGURES:
        image = page.locator(f".hetsim-{panel} img")
        expect(image).to_be_visible()
        expect(image).to_have_attribute("alt", re.compile(r"\w+.*step 0"))
    expect(page.get_by_text("40 (range 2–200) · scenario value")).to_be_visible()  # unfocused
    expect(page.locator(".hetsim-description")).to_contain_text("scaling race")


def test_step_advances_the_counter_and_redraws_the_figures(open_page):
    page = open_page()
    series = page.locator(".hetsim-timeseries img")
    before = series.get_attribute("src")
    for expected in range(1, 4):
        _button(page, "Step").click()
        expect(page.locator(".hetsim-step")).to_contain_text(f"Step {expected} of 100")
    expect(_status(page)).to_contain_text("HHI compute")
    expect(series).to_have_attribute("alt", re.compile("step 3$"))
    assert series.get_attribute("src") != before
    _screenshot(page, "ui.png")


def test_play_draws_every_step_and_stops_on_pause(open_page):
    page = open_page()
    _button(page, "Play").click()
    page.wait_for_function(f"({STEP_OF_STATUS})() >= 3", timeout=60_000)  # past the first frames
    first, started = _step(page), time.monotonic()
    page.wait_for_function(f"({STEP_OF_STATUS})() >= {first + 10}", timeout=60_000)
    rate = (_step(page) - first) / (time.monotonic() - started)
    # every step's frame is shown: the figure's alt text names the step the status names
    alt = page.locator(".hetsim-timeseries img").get_attribute("alt")
    assert re.search(r"step (\d+)$", alt), alt
    _button(page, "Pause").click()
    expect(_button(page, "Play")).to_be_visible()
    page.wait_for_timeout(500)  # the step under way when Pause was pressed may still finish
    paused_at = _step(page)
    page.wait_for_timeout(1000)
    assert _step(page) == paused_at
    expect(page.locator(".hetsim-timeseries img")).to_have_attribute(
        "alt", re.compile(f"step {paused_at}$")
    )
    expect(_button(page, "Step")).to_be_enabled()
    print(f"play: {rate:.1f} steps/s at 40 communities, every step drawn")  # printed, not checked


def test_a_slider_moved_then_reset_at_once_builds_the_new_value(open_page):
    page = open_page()
    slider = page.get_by_role("slider", name="Communities")
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    _button(page, "Reset").click()  # at once: no waiting, no second press
    expect(_status(page)).to_contain_text("Step 0 of 100 · 3 entities · 50 communities")
    expect(_status(page)).to_contain_text("1 slider(s) moved")
    expect(page.get_by_text("50 (range 2–200) · moved from the scenario's 40")).to_be_visible()


def test_an_intervention_moves_the_sliders_and_the_settings_tab_shows_what_is_in_force(open_page):
    page = open_page()
    audit = page.get_by_role("slider", name="Audit probability")
    expect(audit).to_have_attribute("aria-valuenow", "0.1")
    _choose_intervention(page, "audit_regime")
    expect(audit).to_have_attribute("aria-valuenow", "0.6")  # the intervention's value
    expect(page.locator(".hetsim-pending")).to_be_visible()
    _button(page, "Reset").click()
    expect(_status(page)).to_contain_text("interventions: audit_regime")
    expect(page.locator(".hetsim-pending")).to_have_count(0)
    page.get_by_role("tab", name="Settings in force").click()
    row = page.locator(".hetsim-settings tr", has_text="regulators.audit_probability")
    expect(row).to_contain_text("0.1")
    expect(row).to_contain_text("0.6")
    expect(row).to_contain_text("audit_regime")
    expect(page.locator(".hetsim-run-command")).to_contain_text("--intervention audit_regime")
    _screenshot(page, "ui-settings.png")


def test_an_invalid_seed_shows_the_message_in_the_page(open_page):
    page = open_page()
    seed = page.get_by_label("Seed (integer ≥ 0)")
    seed.fill("abc")
    seed.press("Enter")
    _button(page, "Reset").click()
    expect(_status(page)).to_contain_text("seed = 'abc': must be an integer >= 0")
    expect(_button(page, "Step")).to_be_disabled()
    expect(page.locator("body")).not_to_contain_text("Traceback")


def test_two_tabs_do_not_share_a_model(open_page):
    first, second = open_page(), open_page()
    for expected in (1, 2):
        _button(first, "Step").click()
        expect(first.locator(".hetsim-step")).to_contain_text(f"Step {expected} of")
    expect(second.locator(".hetsim-step")).to_contain_text("Step 0 of")
    _button(second, "Step").click()
    expect(second.locator(".hetsim-step")).to_contain_text("Step 1 of")
    expect(first.locator(".hetsim-step")).to_contain_text("Step 2 of")


def test_the_tables_download_is_parquet_that_pandas_reads(open_page):
    page = open_page()
    for expected in (1, 2):
        _button(page, "Step").click()
        expect(page.locator(".hetsim-step")).to_contain_text(f"Step {expected} of")
    page.get_by_role("tab", name="Downloads").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Tables as PARQUET")).click()
    archive = zipfile.ZipFile(download.value.path())
    metrics = pd.read_parquet(io.BytesIO(archive.read("metrics.parquet")))
    assert list(metrics["step"]) == [1, 2]
    assert "manifest.json" in archive.namelist()
    page.get_by_role("tab", name="Run").click()
    with page.expect_download() as figure:
        page.locator(".hetsim-network").get_by_role("button", name="SVG").click()
    assert b"<svg" in Path(figure.value.path()).read_bytes()[:500]


def test_the_ensemble_panel_equals_hetsim_compare_on_the_same_seeds(open_page, tmp_path):
    page = open_page()
    page.get_by_role("tab", name="Ensemble").click()
    for name in ("Seeds", "Steps per run"):  # the smallest ensemble: 2 seeds x 5 steps
        slider = page.get_by_role("slider", name=name)
        slider.focus()
        slider.press("Home")
    command = page.locator(".hetsim-compare-command")
    expect(command).to_contain_text("--seeds 2 --steps 5 --intervention audit_regime")
    _button(page, "Run ensemble").click()
    result = page.locator(".hetsim-ensemble-result")
    expect(result).to_contain_text("difference (95% CI)", timeout=90_000)
    expect(result).to_contain_text("Trust in large entities")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Comparison as CSV")).click()
    shown = pd.read_csv(download.value.path())
    argv = [*shlex.split(command.inner_text())[1:], "--workers", "1", "--quiet"]
    assert hetsim_main([*argv, "--out", str(tmp_path / "cli")]) == 0
    pd.testing.assert_frame_equal(shown, pd.read_csv(tmp_path / "cli" / "comparison.csv"))
    _screenshot(page, "ui-ensemble.png")


def test_the_lending_scenario_has_a_lending_panel(open_page):
    page = open_page()
    page.locator(".hetsim-select").click()
    page.get_by_role("option", name="lending_delayed_impact", exact=True).click()
    _button(page, "Reset").click()
    expect(_status(page)).to_contain_text("Loaded: lending_delayed_impact")
    page.get_by_role("tab", name="Lending").click()
    expect(page.locator(".hetsim-lending img")).to_be_visible()


def test_no_request_leaves_this_machine(open_page):
    page = open_page()
    _button(page, "Step").click()
    expect(page.locator(".hetsim-step")).to_contain_text("Step 1 of")
    for name in ("Settings in force", "Ensemble", "Downloads", "Run"):
        page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(500)
    hosts = {urlparse(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, sorted(page.requests)


CONTRAST = """el => {
    const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number).map(c => {
        c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    const lum = s => { const [r, g, b] = rgb(s); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const style = getComputedStyle(el);
    const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
}"""


def test_the_status_line_is_readable_in_dark_mode_and_nothing_covers_a_figure(open_page):
    page = open_page(color_scheme="dark")
    status = page.locator(".hetsim-status")
    expect(status).to_contain_text("Step 0")
    assert status.evaluate(CONTRAST) >= 4.5  # WCAG AA for body text
    page.locator(".hetsim-audits img").wait_for()
    page.evaluate(  # scroll every scrolling container to its end, as a reader would
        "document.querySelectorAll('*').forEach(e => { e.scrollTop = e.scrollHeight; })"
    )
    badge = page.get_by_text("This website runs on")
    if badge.count():  # Solara's banner must not sit on a figure
        box = badge.bounding_box()
        for image in page.locator(".hetsim-figure").all():  # figure and its buttons
            other = image.bounding_box()
            apart = (
                box["y"] >= other["y"] + other["height"]
                or other["y"] >= box["y"] + box["height"]
                or box["x"] >= other["x"] + other["width"]
                or other["x"] >= box["x"] + box["width"]
            )
            assert apart, f"the banner at {box} covers a figure at {other}"
