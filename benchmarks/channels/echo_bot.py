"""The baseline: a bare aiogram webhook echo bot (aiohttp server, secret token), no storage, no outbox.

    python benchmarks/channels/echo_bot.py --port 8081 --api http://127.0.0.1:9000 --token T --secret S
"""

from __future__ import annotations

import argparse

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web


def main() -> None:
    """Serve POST /webhook, answering every text with the same text."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    bot = Bot(args.token, session=AiohttpSession(api=TelegramAPIServer.from_base(args.api)))
    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text)

    app = web.Application()
    app.router.add_get("/health", lambda _request: web.json_response({"status": "ok"}))
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=args.secret).register(app, path="/webhook")
    setup_application(app, dispatcher, bot=bot)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
