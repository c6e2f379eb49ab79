"""At 1280×800 every figure is shown at its size with legends ≥ 11 px, nothing covers it, and
exports keep text as text and the scenario as TOML."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from pathlib import Path

from playwright.sync_api import expect

FIGURES = ("network", "timeseries", "communities", "audits")
UNCOVERED = """img => {
    img.scrollIntoView({block: 'center'});
    const r = img.getBoundingClientRect();
    const points = [[0.5, 0.5], [0.05, 0.05], [0.95, 0.05], [0.05, 0.95], [0.95, 0.95]];
    return points.filter(([fx, fy]) => {
        const hit = document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height);
        return hit !== img;
    }).length;
}"""


def _page(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.locator(".hetsim-status").wait_for()
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(".hetsim-step")).to_contain_text("Step 1 of")
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    return context, page


def test_at_1280x800_figures_are_full_size_legible_and_uncovered(browser, app_url):
    context, page = _page(browser, app_url)
    try:
        for panel in FIGURES:
            image = page.locator(f".hetsim-{panel} img")
            ratio = image.evaluate("i => i.clientWidth / i.naturalWidth")
            assert ratio >= 0.95, f"{panel} shown at {ratio:.2f} of its width"
            legend = float(image.get_attribute("data-legend-px")) * ratio
            assert legend >= 11, f"{panel} legend text {legend:.1f} px"
            assert image.evaluate(UNCOVERED) == 0, f"something covers the {panel} figure"
    finally:
        context.close()


def test_svg_keeps_text_and_the_tables_zip_holds_the_scenario_as_toml(browser, app_url):
    context, page = _page(browser, app_url)
    try:
        with page.expect_download() as svg:
            page.locator(".hetsim-network").get_by_role("button", name="SVG").click()
        text = Path(svg.value.path()).read_text(encoding="utf-8")
        assert "<text" in text and "Exchange network" in text
        page.get_by_role("tab", name="Downloads").click()
        with page.expect_download() as download:
            page.get_by_role("button", name=re.compile("Tables as CSV")).click()
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        scenario = tomllib.loads(archive.read("scenario.toml").decode("utf-8"))
        assert scenario["communities"]["count"] == 40
        assert scenario["run"]["steps"] == 100
    finally:
        context.close()
