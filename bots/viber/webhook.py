"""``POST /webhooks/viber``: Viber callbacks, verified by their HMAC signature."""

from __future__ import annotations

import hashlib
import hmac

from litestar import Request, Response, post

from bots.viber.events import UnreadableCallback
from bots.webhook_body import BadWebhookBody, parse_json_object

SIGNATURE_HEADER = "x-viber-content-signature"


def signature_matches(raw: bytes, signature: str, token: str) -> bool:
    """Whether ``signature`` is the hex HMAC-SHA256 of ``raw`` keyed with the auth token.

    Compared in constant time (viberbot's ``Api.verify_signature`` uses ``==``, which leaks
    through timing how much of a forged signature is right).
    """
    expected = hmac.new(token.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


@post("/webhooks/viber", exclude_from_auth=True, tags=["webhooks"], status_code=200, errors=(403,))
async def viber_webhook(request: Request) -> Response:
    """Verify, parse and handle one callback; messages are stored before the 200.

    Bad signature: 403, nothing stored. Not a Viber callback: 400. ``conversation_started`` gets
    the welcome message as the response body.
    """
    services = request.app.state.services
    viber = services.extras.get("viber")
    if viber is None:
        return Response({"detail": "the Viber channel is not configured"}, status_code=404)
    raw = await request.body()
    if not signature_matches(raw, request.headers.get(SIGNATURE_HEADER, ""), services.settings.viber_token):
        return Response({"detail": "wrong or missing X-Viber-Content-Signature"}, status_code=403)
    payload = parse_json_object(raw)
    try:
        parsed = viber.parse(payload)
    except UnreadableCallback as exc:
        raise BadWebhookBody(detail=f"not a Viber callback: {exc}") from None
    return Response(await viber.handle(parsed, payload), status_code=200)
