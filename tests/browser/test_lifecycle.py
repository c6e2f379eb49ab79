"""A page that ends, lets go and keeps up: play stops at the planned step, abandoned sessions
stop computing and are freed, fast clicks never wedge play, inputs say what they do."""

from __future__ import annotations

import contextlib
import io
import re

import psutil
import pytest
from playwright.sync_api import expect

from hetsim.cli import main as hetsim_main

STEP = """() => {
    const m = document.querySelector('.hetsim-step')?.innerText.match(/Step (\\d+)/);
    return m ? Number(m[1]) : -1;
}"""
SESSIONS = 15
CULL_WAIT_MS = 16_000  # hetsim ui frees a session 10 s after its page is gone


def _step(page) -> int:
    return page.evaluate(STEP)


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def _play_button(page):
    return page.get_by_role("button", name=re.compile("^(Play|Pause)$"))


def _play_label(page) -> str:
    return _play_button(page).text_content().strip()


def _settled_label(page) -> str:
    """The Play/Pause label once it has not changed for 3 s (clicks queue on a busy server)."""
    label = _play_label(page)
    for _ in range(10):
        page.wait_for_timeout(3000)
        if (now := _play_label(page)) == label:
            return label
        label = now
    return label


def test_play_at_2_communities_ends_at_step_100_of_100(open_page):
    page = open_page()
    slider = page.get_by_role("slider", name="Communities")
    slider.focus()
    slider.press("Home")  # 2 communities, the slider's minimum
    _button(page, "Reset").click()
    expect(page.locator(".hetsim-status")).to_contain_text("2 communities")
    _button(page, "Play").click()
    expect(page.locator(".hetsim-step")).to_contain_text("Step 100 of 100", timeout=120_000)
    expect(_play_button(page)).to_have_text("Play")
    page.wait_for_timeout(1500)
    assert _step(page) == 100
    expect(_play_button(page)).to_have_text("Play")


@pytest.mark.parametrize("interval_ms", [300, 100])
def test_play_pause_clicked_fast_says_pause_iff_the_step_advances(open_page, interval_ms):
    page = open_page()
    for repetition in range(5):
        if _step(page) > 40:  # at ~6 steps/s the run would end (Play again) within the test
            _button(page, "Reset").click()
            expect(page.locator(".hetsim-step")).to_contain_text("Step 0 of", timeout=60_000)
            expect(_play_button(page)).to_have_text("Play")
        for _ in range(3):  # an odd number of clicks 300 ms apart
            _play_button(page).click()
            page.wait_for_timeout(interval_ms)
        label = _settled_label(page)  # every click answered, the step under way finished
        before = _step(page)
        page.wait_for_timeout(2000)
        after = _step(page)
        assert _play_label(page) == label
        assert (label == "Pause") == (after > before), (repetition, label, before, after)


def test_a_seed_beyond_the_cli_range_shows_the_cli_message_and_disables_step(open_page):
    seed = "99999999999999999999999"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert hetsim_main(["run", "status_quo", "--seed", seed, "--steps", "1"]) != 0
    message = stderr.getvalue().strip().removeprefix("hetsim: error: ")
    assert "range of run.seed" in message
    page = open_page()
    box = page.get_by_label("Seed (integer ≥ 0)")
    box.fill(seed)
    box.press("Enter")
    _button(page, "Reset").click()
    expect(page.locator(".hetsim-status")).to_contain_text(message)
    expect(_button(page, "Step")).to_be_disabled()


def test_a_moved_slider_an_intervention_resets_gets_a_notice(open_page):
    page = open_page()
    audit = page.get_by_role("slider", name="Audit probability")
    audit.focus()
    audit.press("ArrowRight")  # 0.1 -> 0.15
    expect(page.locator(".hetsim-notice")).to_have_count(0)
    page.locator(".hetsim-multiselect").click()
    page.get_by_role("option", name="audit_regime", exact=True).click()
    page.keyboard.press("Escape")
    notice = page.locator(".hetsim-notice")
    expect(notice).to_contain_text("Audit probability 0.15 → 0.6")
    assert len(notice.inner_text().strip().splitlines()) == 1


# ------------------------------------------------------------ sessions whose page is gone
def _server(url: str) -> list[psutil.Process]:
    port = url.rstrip("/").rsplit(":", 1)[1]
    return [
        p
        for p in psutil.process_iter(["cmdline"])
        if "--port" in (p.info["cmdline"] or []) and port in p.info["cmdline"]
    ]


def _cpu_s(processes) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes)


def _rss(processes) -> int:
    return sum(p.memory_info().rss for p in processes)


def _abandon(browser, url: str, *, play: bool) -> None:
    """Open a session, run it, and close the page without its unload handlers."""
    context = browser.new_context(viewport={"width": 1600, "height": 1150})
    page = context.new_page()
    page.route("**/_solara/api/close/**", lambda route: route.abort())  # no close beacon
    page.goto(url)
    page.locator(".hetsim-status").wait_for()
    if play:
        _button(page, "Play").click()
        page.wait_for_function(f"({STEP})() >= 2", timeout=60_000)
    else:
        _button(page, "Step").click()
        expect(page.locator(".hetsim-step")).to_contain_text("Step 1 of")
    page.close(run_before_unload=False)
    context.close()


def test_a_playing_page_closed_without_unload_stops_computing(browser, own_server):
    _abandon(browser, own_server, play=True)
    server = _server(own_server)
    probe = browser.new_page()
    probe.wait_for_timeout(20_000)
    before = _cpu_s(server)
    probe.wait_for_timeout(5_000)
    used = _cpu_s(server) - before
    probe.close()
    assert used < 0.05, f"the server used {used:.2f} s of CPU in 5 s with no page open"


def test_sessions_opened_and_closed_do_not_add_up_in_memory(browser, own_server):
    server = _server(own_server)
    probe = browser.new_page()
    _abandon(browser, own_server, play=False)
    probe.wait_for_timeout(CULL_WAIT_MS)
    first = _rss(server)
    for _ in range(SESSIONS - 1):
        _abandon(browser, own_server, play=False)
    probe.wait_for_timeout(CULL_WAIT_MS)
    last = _rss(server)
    probe.close()
    change = f"{first / 2**20:.0f} MiB after 1 session, {last / 2**20:.0f} after {SESSIONS}"
    print(f"server RSS: {change}")
    assert last <= 1.15 * first, change
