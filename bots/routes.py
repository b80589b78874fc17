"""The HTTP and WebSocket handlers of the channels, handed to the web app by web/app.py."""

from bots.telegram.webhook import telegram_webhook
from bots.viber.webhook import viber_webhook
from bots.webchat.routes import chat_asset, chat_page, chat_socket

CHANNEL_ROUTE_HANDLERS = [telegram_webhook, viber_webhook, chat_page, chat_asset, chat_socket]
