"""One browser, many tabs: every tab reads the session's CSRF token, signing in again keeps the session,
and an agent who signs out goes offline and gets no more conversations."""

from __future__ import annotations

from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper


async def _login(client, email: str):
    return await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})


async def test_me_gives_a_cookie_session_its_csrf_token(client, session_factory) -> None:
    await make_agent(session_factory, "olena@shop.ua")
    login = await _login(client, "olena@shop.ua")
    me = await client.get("/api/auth/me")
    assert me.json()["csrf_token"] == login.json()["csrf_token"]
    # A tab that only has the cookie writes with the token it read from /me.
    status = await client.post("/api/agents/me/status", json={"status": "away"},
                               headers={"X-CSRF-Token": me.json()["csrf_token"]})
    assert status.status_code == 200
    # The token is still required: the cookie alone may not write.
    assert (await client.post("/api/agents/me/status", json={"status": "away"})).status_code == 403
    bearer = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert bearer.json()["csrf_token"] is None  # bearer callers need none and are not handed one


async def test_signing_in_again_in_the_same_browser_keeps_the_session(client, session_factory) -> None:
    await make_agent(session_factory, "olena@shop.ua")
    await make_agent(session_factory, "petro@shop.ua")
    first = (await _login(client, "olena@shop.ua")).json()
    second = (await _login(client, "olena@shop.ua")).json()
    assert (second["token"], second["csrf_token"]) == (first["token"], first["csrf_token"])
    write = await client.post("/api/agents/me/status", json={"status": "away"},
                              headers={"X-CSRF-Token": first["csrf_token"]})
    assert write.status_code == 200
    # Another user signing in in this browser gets a session of their own.
    other = (await _login(client, "petro@shop.ua")).json()
    assert other["csrf_token"] != first["csrf_token"]
    assert (await client.get("/api/auth/me")).json()["email"] == "petro@shop.ua"


async def test_an_agent_who_signs_out_is_offline_and_gets_no_conversation(client, settings,
                                                                          session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena", status="online")
    csrf = (await _login(client, "olena@shop.ua")).json()["csrf_token"]
    assert (await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 200
    await _login(client, "olena@shop.ua")  # signing in again does not put her back online
    agents = (await client.get("/api/agents")).json()
    assert [(a["email"], a["status"]) for a in agents] == [("olena@shop.ua", "offline")]
    flow = harness(settings, session_factory)
    handed = await flow.flow.process(shopper("person", data="handoff:request"))
    conversation = (await client.get(f"/api/conversations/{handed.conversation_id}")).json()
    assert (conversation["status"], conversation["assignee_id"]) == ("queued", None)
