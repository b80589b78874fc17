"""The Telegram channel: aiogram Dispatcher fed by the webhook or by long polling."""
