"""Web chat over a real WebSocket: messages stored once, replies pushed, unacknowledged replies replayed."""

import asyncio
import json
import uuid

import httpx
import pytest
import websockets

from bots.steps.answer import AnswerReply
from knowledge_base.rendering import plain_text, render
from tests.support.channels import channel_settings, delivery_test_steps, eventually, stored_messages
from tests.support.live_server import LiveServer


@pytest.fixture
def server(settings, backend):
    with LiveServer(channel_settings(backend), flow_steps=delivery_test_steps()) as live:
        yield live


def visitor_id() -> str:
    return uuid.uuid4().hex


async def frames_until(socket, predicate, within=10.0):
    """Read frames until one satisfies ``predicate``; returns every frame read."""
    seen = []
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await socket.recv())
            seen.append(frame)
            if predicate(frame):
                return seen


def connect(server, visitor, lang="en"):
    return websockets.connect(f"{server.ws_url}/chat/ws?visitor={visitor}&lang={lang}")


async def test_message_is_accepted_stored_once_and_answered(server, session_factory):
    visitor = visitor_id()
    async with connect(server, visitor, lang="ru-RU") as socket:
        history = json.loads(await socket.recv())
        assert history == {"type": "history", "messages": []}
        frame = {"type": "message", "id": "c1", "text": "Где мой заказ?"}
        await socket.send(json.dumps(frame))
        await socket.send(json.dumps(frame))  # re-sent after a flaky moment: stored once
        seen = await frames_until(socket, lambda f: f["type"] == "message")
        [stored] = await stored_messages(session_factory, "in")
        assert [f for f in seen if f["type"] == "accepted"][0] == {
            "type": "accepted", "id": "c1", "message_id": stored.id}
        reply = seen[-1]
        assert reply["text"] and reply["buttons"] == []
        await socket.send(json.dumps({"type": "ack", "message_id": reply["message_id"]}))

        async def delivered():
            return [m.delivery_status for m in await stored_messages(session_factory)] == ["received", "delivered"]

        await eventually(delivered)
    stored = await stored_messages(session_factory)
    assert [(m.direction, m.channel, m.chat_id, m.text) for m in stored][0] == (
        "in", "webchat", visitor, "Где мой заказ?")


async def test_reply_for_an_absent_visitor_is_delivered_on_reconnect(server, session_factory):
    visitor = visitor_id()
    async with connect(server, visitor) as socket:
        await socket.recv()  # history
        await socket.send(json.dumps({"type": "message", "id": "c1", "text": "hello"}))
        await frames_until(socket, lambda f: f["type"] == "accepted")
    # the visitor left before the reply was pushed (or before acknowledging it)

    async def reply_sent():
        return any(m.direction == "out" and m.delivery_status == "sent" for m in await stored_messages(session_factory))

    await eventually(reply_sent)
    async with connect(server, visitor) as socket:
        history = json.loads(await socket.recv())
    assert [(m["direction"], m["delivery_status"]) for m in history["messages"]] == [
        ("in", "received"), ("out", "sent")]
    assert history["messages"][1]["text"]
    # the visitor's own message names the id it was sent with: a page whose "accepted" was lost matches it
    assert [m.get("client_id") for m in history["messages"]] == ["c1", None]


async def test_a_visitor_sees_only_their_own_messages(server, session_factory):
    first, second = visitor_id(), visitor_id()
    async with connect(server, first) as socket:
        await socket.recv()
        await socket.send(json.dumps({"type": "message", "id": "c1", "text": "private question"}))
        reply = (await frames_until(socket, lambda f: f["type"] == "message"))[-1]

    async def reply_sent():
        return [m.delivery_status for m in await stored_messages(session_factory, "out")] == ["sent"]

    await eventually(reply_sent)  # pushed to the socket just before the worker records it as sent
    async with connect(server, second) as socket:
        assert json.loads(await socket.recv()) == {"type": "history", "messages": []}
        await socket.send(json.dumps({"type": "ack", "message_id": reply["message_id"]}))  # not theirs: ignored
    async with connect(server, first) as socket:
        history = json.loads(await socket.recv())
    assert history["messages"][1]["delivery_status"] == "sent"


@pytest.mark.parametrize(("frame", "detail"), [
    pytest.param("not json", "JSON", id="not-json"),
    pytest.param(json.dumps([1]), "objects", id="not-an-object"),
    pytest.param(json.dumps({"type": "shout"}), "unknown frame type", id="unknown-type"),
    pytest.param(json.dumps({"type": "message", "id": "c1", "text": ""}), "text", id="empty-text"),
    pytest.param(json.dumps({"type": "message", "id": "c1", "text": "x" * 4001}), "text", id="too-long"),
    # Found on the demo: zero-width spaces alone were stored, shown as an empty bubble and answered.
    pytest.param(json.dumps({"type": "message", "id": "c1", "text": "\u200b\u200b \ufeff"}), "invisible",
                 id="invisible-only"),
    pytest.param(json.dumps({"type": "message", "id": "../../x", "text": "hi"}), "id", id="bad-id"),
    # Found by QA: a callback's bad data was reported as "text".
    pytest.param(json.dumps({"type": "callback", "id": "c1", "data": {"x": 1}}), "data: 1-4000", id="callback-object"),
    pytest.param(json.dumps({"type": "callback", "id": "c1", "data": "x" * 5000}), "data: 1-4000",
                 id="callback-too-long"),
])
async def test_bad_frames_get_an_error_and_store_nothing(server, session_factory, frame, detail):
    async with connect(server, visitor_id()) as socket:
        await socket.recv()
        await socket.send(frame)
        answer = json.loads(await socket.recv())
    assert answer["type"] == "error" and detail in answer["detail"]
    assert await stored_messages(session_factory) == []


async def test_invalid_visitor_id_is_refused(server):
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with connect(server, "short") as socket:
            await socket.recv()


async def test_page_and_widget_are_served(server):
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = await client.get("/chat")
        widget = await client.get("/chat/widget.js")
        missing = await client.get("/chat/secrets.py")
    assert page.status_code == 200 and "/chat/app.js" in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers  # it would contradict frame-ancestors in older browsers
    assert widget.status_code == 200 and widget.headers["content-type"].startswith("text/javascript")
    assert "iframe" in widget.text
    assert missing.status_code == 404


@pytest.mark.parametrize(("query", "accept_language", "language"), [
    ("", "en-US,en;q=0.9", "en"),
    ("", "de-DE,de;q=0.9,ru;q=0.8,en;q=0.5", "ru"),  # the first one the shop speaks
    ("", "uk;q=0.2,en", "en"),  # by weight, not by place
    ("", "en;q=0,ru", "ru"),  # q=0: not wanted
    ("?lang=ru", "en-US", "ru"),  # the shop page's language, passed by the widget
    ("?lang=%22%3E%3Cscript%3E", "fr-FR", "uk"),  # else the shop's default; nothing else reaches the markup
])
async def test_the_page_is_served_in_the_shoppers_language(server, query, accept_language, language):
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = await client.get(f"/chat{query}", headers={"Accept-Language": accept_language})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text


async def test_an_oversized_frame_closes_only_that_socket_with_1009(server, session_factory):
    flooder, neighbour = visitor_id(), visitor_id()
    async with connect(server, flooder) as big, connect(server, neighbour) as small:
        await big.recv(), await small.recv()  # histories
        await big.send(json.dumps({"type": "message", "id": "c1", "text": "x" * 40_000}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(big.recv(), 10)
        assert closed.value.rcvd.code == 1009
        assert "32768 bytes" in closed.value.rcvd.reason
        await small.send(json.dumps({"type": "message", "id": "n1", "text": "still there?"}))
        seen = await frames_until(small, lambda f: f["type"] == "accepted")
        [stored] = await stored_messages(session_factory, "in")
        assert seen[-1] == {"type": "accepted", "id": "n1", "message_id": stored.id}
    assert stored.text == "still there?"


FORMATTED = "Delivery is **free**, see [terms](https://shop.example/terms)."
FORMATTED_HTML = ('<p>Delivery is <strong>free</strong>, see <a href="https://shop.example/terms" '
                  'rel="nofollow noopener noreferrer" target="_blank">terms</a>.</p>')


async def answer_formatted(ctx) -> None:
    """Stands in for the answer step: one knowledge-base style reply, rendered for the web, in English."""
    if ctx.inbound.kind == "text":
        ctx.conversation.language = "en"
        ctx.replies.append(AnswerReply(plain_text(FORMATTED), html=render(FORMATTED, "web")))


async def ask_and_see_the_reply(server, visitor: str, text: str, session_factory) -> dict:
    """Send one message from a fresh socket; return the reply pushed back, once it is stored as sent."""
    async with connect(server, visitor) as socket:
        await socket.recv()  # history
        await socket.send(json.dumps({"type": "message", "id": "c1", "text": text}))
        pushed = (await frames_until(socket, lambda f: f["type"] == "message"))[-1]

    async def reply_sent():
        return [m.delivery_status for m in await stored_messages(session_factory, "out")] == ["sent"]

    await eventually(reply_sent)
    return pushed


async def test_a_formatted_answer_keeps_its_html_and_label_live_and_when_replayed(settings, backend,
                                                                                  session_factory):
    visitor = visitor_id()
    with LiveServer(channel_settings(backend), flow_steps=[answer_formatted]) as server:
        # not acknowledged: the next connection replays it from the stored message
        pushed = await ask_and_see_the_reply(server, visitor, "delivery?", session_factory)
        async with connect(server, visitor) as socket:
            history = json.loads(await socket.recv())
    assert pushed["html"] == FORMATTED_HTML
    assert pushed["text"] == "Delivery is free, see terms (https://shop.example/terms)."
    assert (pushed["author"], pushed["author_name"]) == ("bot", "Bot")  # no WEBCHAT_BOT_NAME: generic, English
    shopper, replayed = history["messages"]
    assert "html" not in shopper and "author_name" not in shopper
    assert (replayed["message_id"], replayed["delivery_status"]) == (pushed["message_id"], "sent")
    assert {key: replayed[key] for key in ("text", "html", "author", "author_name")} == {
        key: pushed[key] for key in ("text", "html", "author", "author_name")}


async def test_replies_carry_the_configured_bot_name_and_plain_texts_no_html(settings, backend, session_factory):
    visitor = visitor_id()
    with LiveServer(channel_settings(backend, webchat_bot_name="Shop helper"),
                    flow_steps=delivery_test_steps()) as server:
        async with connect(server, visitor) as socket:
            await socket.recv()
            await socket.send(json.dumps({"type": "message", "id": "c1", "text": "<b>hi</b>"}))
            pushed = (await frames_until(socket, lambda f: f["type"] == "message"))[-1]
    assert pushed["text"] == "echo: <b>hi</b>" and "html" not in pushed
    assert (pushed["author"], pushed["author_name"]) == ("bot", "Shop helper")


LONG_ANSWER = "Our delivery terms, in full. " * 1200  # 34,800 characters: Telegram or Viber would cut it


async def answer_at_length(ctx) -> None:
    if ctx.inbound.kind == "text":
        ctx.replies.append(AnswerReply(LONG_ANSWER, html=f"<p>{LONG_ANSWER}</p>"))


async def test_a_long_answer_reaches_the_visitor_whole_in_one_message(settings, backend, session_factory):
    # Parts would share one message id, and the widget shows an id once: the visitor would see the start.
    visitor = visitor_id()
    with LiveServer(channel_settings(backend), flow_steps=[answer_at_length]) as server:
        pushed = await ask_and_see_the_reply(server, visitor, "delivery terms?", session_factory)
    assert pushed["text"] == LONG_ANSWER
    assert pushed["html"] == f"<p>{LONG_ANSWER}</p>"


async def test_a_message_typed_in_one_tab_shows_in_the_visitors_other_tab(server):
    # Found on the demo: the second tab showed the bot's answer but not the question it answered.
    visitor = visitor_id()
    async with connect(server, visitor) as first, connect(server, visitor) as second:
        await first.recv()
        await second.recv()  # both histories
        await first.send(json.dumps({"type": "message", "id": "c1", "text": "Where is my order?"}))
        seen = await frames_until(second, lambda f: f["type"] == "message")
        [echo] = [f for f in seen if f["type"] == "echo"]
        assert (echo["text"], echo["client_id"]) == ("Where is my order?", "c1")
        assert echo["message_id"] < seen[-1]["message_id"]  # the question comes before its answer
        own = await frames_until(first, lambda f: f["type"] == "echo")
        assert own[-1]["message_id"] == echo["message_id"]  # the sending tab knows it by its client id
    async with connect(server, visitor_id()) as stranger:
        assert json.loads(await stranger.recv()) == {"type": "history", "messages": []}


async def test_the_echo_shows_the_text_as_stored(server):
    # Found by QA: a NUL came back in the echo while the history (and every later view) shows U+FFFD.
    async with connect(server, visitor_id()) as socket:
        await socket.recv()
        await socket.send(json.dumps({"type": "message", "id": "c1", "text": "where\u0000 is it?"}))
        [echo] = [f for f in await frames_until(socket, lambda f: f["type"] == "echo") if f["type"] == "echo"]
        assert echo["text"] == "where\ufffd is it?"


async def test_a_pressed_button_is_shown_by_its_label_after_a_reload(server):
    # Found on the demo: after a reload the shopper's bubble read "csat:4" instead of the "4" they pressed.
    visitor = visitor_id()
    async with connect(server, visitor) as socket:
        await socket.recv()
        await socket.send(json.dumps({"type": "callback", "id": "c1", "data": "csat:4", "label": "4 ★"}))
        await frames_until(socket, lambda f: f["type"] == "accepted")
    async with connect(server, visitor) as socket:
        history = json.loads(await socket.recv())
    assert [(m["direction"], m["text"]) for m in history["messages"]][0] == ("in", "4 ★")
