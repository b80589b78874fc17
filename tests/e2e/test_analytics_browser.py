"""A supervisor signs in on /console/analytics in Chromium and reads the known set's figures and charts."""

import asyncio

import pytest
from playwright.sync_api import sync_playwright

from tests.support.analytics_data import seed_known_set
from tests.support.live_server import LiveServer
from tests.support.staff import add_staff

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


async def test_charts_and_figures_show_the_known_set(settings, session_factory) -> None:
    known = await seed_known_set(session_factory)
    async with session_factory() as session, session.begin():
        await add_staff(session, email="taras@shop.ua", password="supervisor-pw", role="supervisor", name="Taras")
    # Playwright's sync API and the server's own event loop both want a thread of their own.
    await asyncio.to_thread(_drive_browser, settings, known)


def _values(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "marks => marks.map(m => m.getAttribute('data-value'))")


def _drive_browser(settings, known) -> None:
    with LiveServer(settings) as server, sync_playwright() as p:
        base = server.url
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            console = []
            page.on("console", lambda message: console.append(message.text))
            page.goto(f"{base}/console/analytics?from={known.params['from']}&to={known.params['to']}")
            page.fill("input[name=email]", "taras@shop.ua")
            page.fill("input[name=password]", "wrong-password")
            page.click("button[type=submit]")
            page.wait_for_selector("#signin-error:not([hidden])")
            assert "Wrong e-mail or password" in page.inner_text("#signin-error")
            page.fill("input[name=password]", "supervisor-pw")
            page.click("button[type=submit]")
            page.wait_for_selector("[data-figure=conversations]")

            def figure(name: str) -> str:
                return page.inner_text(f"[data-figure={name}]")

            assert [figure(n) for n in ("conversations", "bot_resolved", "deflection_rate", "handoffs",
                                        "handoff_rate", "first_response_p50_s", "first_response_p90_s",
                                        "resolution_p50_s", "csat_avg", "sla_breaches")] == [
                "8", "2", "25.0%", "4", "50.0%", "5m 0s", "10m 0s", "30m 0s", "3.67", "3"]
            volume = "[data-chart=volume] circle[data-series={}]"
            assert _values(page, volume.format("conversations")) == ["4", "3", "0", "0", "0", "1"]
            assert _values(page, volume.format("bot_resolved")) == ["2", "0", "0", "0", "0", "0"]
            assert _values(page, volume.format("handoffs")) == ["2", "2", "0", "0", "0", "0"]
            assert _values(page, "[data-chart=deflection] circle") == ["50", "0", "0"]
            assert _values(page, "[data-chart=breaches] circle") == ["0", "3", "0", "0", "0", "0"]
            assert _values(page, "[data-chart=csat] rect") == ["0", "1", "0", "1", "1"]
            reasons = page.eval_on_selector_all("[data-chart=reasons] rect",
                                                "r => r.map(m => [m.dataset.label, m.dataset.value])")
            assert reasons == [["explicit_request", "2"], ["low_confidence", "1"], ["vip", "1"]]
            # People read the reasons in words; the codes stay in the data attributes for scripts.
            assert page.eval_on_selector_all("[data-chart=reasons] text[text-anchor=middle]",
                                             "t => t.map(m => m.textContent)") == [
                "asked for a person", "bot not confident", "VIP customer"]
            # The bars are drawn to scale: no bar for an unused score, the same height for equal counts.
            heights = page.eval_on_selector_all("[data-chart=csat] rect", "r => r.map(m => m.getBBox().height)")
            assert heights[0] == 0 and heights[1] == heights[4] > 0
            assert page.inner_text("[data-table=agents] tr[data-agent=Olena]").split("\t")[:4] == [
                "Olena", "2", "3", "1"]

            # Filter by channel through the form: the figures and the export link follow.
            page.select_option("select[name=channel]", "telegram")
            page.click("form.filters button[type=submit]")
            page.wait_for_url("**channel=telegram**")
            assert (figure("conversations"), figure("handoffs")) == ("4", "2")
            export = page.get_attribute("[data-testid=csv-export]", "href")
            assert "channel=telegram" in export
            csv_text = page.evaluate("url => fetch(url).then(r => r.text())", export)
            assert csv_text.splitlines()[-1].startswith("total,4,1,0.25,2,0.5,")
            assert not [m for m in console if "Content Security Policy" in m]
        finally:
            browser.close()
