"""`hetsim ui --mesa`: Mesa's SolaraViz page renders hetsim's components, steps and resets."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PANELS = ("network", "timeseries", "communities", "audits")


@pytest.fixture
def page(browser, mesa_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1150})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(mesa_url)
    page.locator(".hetsim-mesa-settings").wait_for()
    yield page
    context.close()


def test_the_solaraviz_page_renders_every_hetsim_component(page):
    settings = page.locator(".hetsim-mesa-settings")
    expect(settings).to_contain_text("Step 0 of 100 · 3 entities · 40 communities")
    expect(settings).to_contain_text("Equivalent command: hetsim run status_quo --seed 0")
    for panel in PANELS:
        image = page.locator(f".hetsim-mesa-{panel} img")
        expect(image).to_be_visible()
        expect(image).to_have_attribute("alt", re.compile("step 0$"))


def test_step_advances_the_model_and_changes_a_figure(page):
    series = page.locator(".hetsim-mesa-timeseries img")
    before = series.get_attribute("src")
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(".hetsim-mesa-settings")).to_contain_text("Step 1 of 100")
    expect(series).to_have_attribute("alt", re.compile("step 1$"))
    assert series.get_attribute("src") != before


def test_reset_with_a_moved_input_rebuilds_the_model_with_it(page):
    slider = page.get_by_role("slider", name="Communities")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    page.wait_for_timeout(500)  # SolaraViz's slider sends its value on its own
    page.get_by_role("button", name="Reset", exact=True).click()
    settings = page.locator(".hetsim-mesa-settings")
    expect(settings).to_contain_text("Step 0 of 100 · 3 entities · 43 communities")
    expect(settings).to_contain_text("--set communities.count=43")
