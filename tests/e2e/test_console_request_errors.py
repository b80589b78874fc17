"""What the console says when the API refuses the shape of a request (before Relaydesk's own checks):
the field and the reason, not only "Validation failed for POST …"."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, make_agent, make_team
from tests.support.live_server import LiveServer


@pytest.mark.browser
async def test_a_refused_request_shape_names_the_field_and_the_reason(backend, settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "olena@shop.ua", PASSWORD)
            # The console's own API client, as its transfer form would call it with an overlong team name.
            message = await page.evaluate(
                "api('POST', '/api/conversations/1/transfer', {team: 'x'.repeat(100)})"
                ".then(() => 'ok', (e) => e.message)")
    assert message.startswith("team: ")
    assert "64 characters" in message
