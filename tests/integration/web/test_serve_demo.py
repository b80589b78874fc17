"""``relaydesk serve --demo`` as a user runs it: seeds once, prints working logins, stops cleanly."""

import re
import signal

import httpx

from tests.support.server import serve


def test_demo_prints_logins_that_work_and_stops_on_sigterm(settings) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    with serve(env, "--demo") as server:
        ready = httpx.get(f"{server.url}/ready", timeout=5)
        assert ready.status_code == 200
        server.process.send_signal(signal.SIGTERM)
        # uvicorn re-raises SIGTERM after its graceful shutdown; the lifespan's last line proves it ran.
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
        output = server.output()
    assert "relaydesk stopped" in output
    logins = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", output, flags=re.MULTILINE)
    assert {role for role, _, _ in logins} == {"admin", "supervisor", "agent", "editor"}
    with serve(env, "--demo") as server:
        for role, email, password in logins:
            response = httpx.post(f"{server.url}/api/auth/login", json={"email": email, "password": password})
            assert response.status_code == 200, (role, response.text)
            assert response.json()["user"]["role"] == role
    # The second start found staff accounts and seeded nothing.
    assert "nothing was seeded" in server.output()
