"""``POST /webhooks/telegram``: Telegram's Update JSON, checked against the webhook secret."""

from __future__ import annotations

import hmac

from litestar import Request, Response, post
from pydantic import ValidationError

from bots.webhook_body import BadWebhookBody, parse_json_object

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name, not a secret)


@post("/webhooks/telegram", exclude_from_auth=True, tags=["webhooks"], status_code=200, errors=(401,))
async def telegram_webhook(request: Request) -> Response:
    """Store the update (and queue the replies) before answering 200.

    Wrong or missing ``X-Telegram-Bot-Api-Secret-Token``: 401, nothing stored. A body that is not
    an Update, or one with an integer that is not a JSON integer of at most 52 significant bits: 400
    naming each problem. A duplicate update_id: 200, ignored. A failure to store answers 500, so
    Telegram delivers the update again.
    """
    services = request.app.state.services
    channel = services.extras.get("telegram")
    if channel is None:
        return Response({"detail": "the Telegram channel is not configured"}, status_code=404)
    expected = services.settings.telegram_webhook_secret or ""
    presented = request.headers.get(SECRET_HEADER, "")
    # Without a configured secret nothing can be verified, so nothing is accepted.
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        return Response({"detail": "wrong or missing secret token"}, status_code=401)
    payload = parse_json_object(await request.body())
    try:
        update = channel.parse(payload)
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_context=False, include_input=False)[:5]
        named = "; ".join(f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}" for problem in problems)
        more = f" (and {exc.error_count() - len(problems)} more)" if exc.error_count() > len(problems) else ""
        raise BadWebhookBody(detail=f"not a Telegram Update: {named}{more}", extra=problems) from None
    await channel.feed(update)
    return Response({"ok": True}, status_code=200)
