"""The browser UI in a real Chromium: renders, steps, plays, rebuilds, rejects bad input."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FIGURES = (".hetsim-network", ".hetsim-timeseries", ".hetsim-communities", ".hetsim-audits")
STEP_OF_STATUS = """() => {
    const m = document.querySelector('.hetsim-status')?.innerText.match(/Step (\\d+)/);
    return m ? Number(m[1]) : -1;
}"""


def _status(page):
    return page.locator(".hetsim-status")


def _step(page) -> int:
    return page.evaluate(STEP_OF_STATUS)


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def _reset_until(page, text: str) -> None:
    """Press Reset until the status shows ``text``.

    An input's new value reaches the server asynchronously, and may arrive after a Reset
    pressed right away; pressing again once it has arrived is what a person would do.
    """
    for _ in range(12):
        _button(page, "Reset").click()
        try:  # a rebuild on a busy machine can take seconds: wait before pressing again
            expect(_status(page)).to_contain_text(text, timeout=3000)
            return
        except AssertionError:
            continue
    expect(_status(page)).to_contain_text(text)


def test_page_renders_the_network_and_the_plots(open_page):
    page = open_page()
    expect(_status(page)).to_contain_text("Step 0")
    expect(_status(page)).to_contain_text("40 communities")
    for css in FIGURES:
        expect(page.locator(f"{css} img")).to_be_visible()


def test_step_advances_the_counter_and_changes_a_plot(open_page):
    page = open_page()
    series = page.locator(".hetsim-timeseries img")
    expect(series).to_be_visible()
    before = series.get_attribute("src")  # the figure travels as image data in the page
    for expected in range(1, 4):
        _button(page, "Step").click()
        expect(_status(page)).to_contain_text(f"Step {expected} ")
    expect(_status(page)).to_contain_text("HHI compute")
    # the plot is redrawn after the status: wait for the image to change (or time out)
    page.wait_for_function(
        "before => { const i = document.querySelector('.hetsim-timeseries img');"
        " return i !== null && i.src !== before; }",
        arg=before,
    )
    expect(page.get_by_text("Time: 3.0")).to_be_visible()  # Mesa's own step display
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)


def test_play_runs_steps_until_pause(open_page):
    page = open_page()
    _button(page, "▶").click()
    page.wait_for_function(f"({STEP_OF_STATUS})() >= 3")
    _button(page, "❚❚").click()
    expect(_button(page, "▶")).to_be_visible()
    paused_at = _step(page)
    page.wait_for_timeout(800)  # a running model would take ~8 steps in this time
    assert _step(page) == paused_at
    expect(_button(page, "Step")).to_be_enabled()


def test_slider_then_reset_rebuilds_the_model_with_the_new_value(open_page):
    page = open_page()
    _button(page, "Step").click()
    expect(_status(page)).to_contain_text("Step 1 ")
    slider = page.get_by_role("slider", name="Communities")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "45")
    _reset_until(page, "45 communities")
    expect(_status(page)).to_contain_text(re.compile(r"Step 0 · 3 entities · 45 communities"))


def test_invalid_seed_shows_the_message_in_the_page(open_page):
    page = open_page()
    seed = page.get_by_label("Seed (integer ≥ 0)")
    message = "seed = 'abc': must be an integer >= 0"
    for _ in range(5):  # typing before the widget is wired up is lost: type again, as a person
        seed.fill("abc")
        seed.press("Enter")
        _button(page, "Reset").click()
        try:
            expect(_status(page)).to_contain_text(message, timeout=4000)
            break
        except AssertionError:
            continue
    expect(_status(page)).to_contain_text(message)
    expect(page.locator(".v-alert").first).to_contain_text("must be an integer")
    expect(page.locator("body")).not_to_contain_text("Traceback")


def test_two_tabs_do_not_share_a_model(open_page):
    first, second = open_page(), open_page()
    for expected in (1, 2):
        _button(first, "Step").click()
        expect(_status(first)).to_contain_text(f"Step {expected} ")
    expect(_status(second)).to_contain_text("Step 0")
    _button(second, "Step").click()
    expect(_status(second)).to_contain_text("Step 1 ")
    expect(_status(first)).to_contain_text("Step 2 ")


def test_ensemble_panel_runs_in_the_background_and_shows_paired_effects(open_page):
    page = open_page()
    page.get_by_role("tab", name="Page 1").click()
    for name in ("Seeds", "Steps per run"):  # the smallest ensemble: 2 seeds x 5 steps
        slider = page.get_by_role("slider", name=name)
        slider.focus()
        slider.press("Home")
    expect(page.get_by_role("slider", name="Seeds")).to_have_attribute("aria-valuenow", "2")
    _button(page, "Run ensemble").click()
    result = page.locator(".hetsim-ensemble-result")
    expect(result).to_contain_text("difference (95% CI)", timeout=60_000)
    expect(result).to_contain_text("hhi_compute")
    expect(page.locator(".v-card img").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-ensemble.png"), full_page=True)
