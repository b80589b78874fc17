"""Proactive notifications over REST: a shop backend tells a customer their order has shipped."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field, model_validator

from core.customers import service
from core.customers.models import Notification
from core.customers.notifications import notification_view, send_notification
from core.errors import NotFoundError
from web.auth import requires
from web.deps import DbSession, Services

SENDERS = ("admin", "supervisor", "integration")


class NotificationRequest(BaseModel):
    """Who gets it, by exactly one of ``customer`` (the shop's external_id, as a shop knows them; a JSON
    number is read as that too) or ``customer_id`` (our id, as the customer card shows it);
    ``channel`` is tried before the preferred one."""

    customer: str | int | None = None
    customer_id: int | None = None
    template: str = Field(max_length=64)
    params: dict[str, str | int | float] = Field(default_factory=dict)
    channel: str | None = Field(None, pattern=r"^(telegram|viber|webchat)$")

    @model_validator(mode="after")
    def _one_recipient(self) -> NotificationRequest:
        # Two separate fields, never one read as the other: a shop's id that is not known yet must
        # not name whoever has that number as our id.
        if (self.customer is None) == (self.customer_id is None):
            raise ValueError("give exactly one of customer (the shop's external_id) or customer_id (our id)")
        return self


@post("/api/notifications", guards=[requires(*SENDERS)], tags=["notifications"], status_code=201,
      errors=(404, 409))
async def create_notification(data: JSONBody[NotificationRequest], request: Request, db_session: DbSession,
                              services: Services) -> dict:
    """Send a template (order_shipped, order_delivered, order_ready_for_pickup, payment_received, promo).

    Goes out on ``channel`` when given and reachable, else on the channel the customer last wrote
    from, and fails over to their next channel when delivery gives up. 400: unknown template or
    missing parameter; 409: no channel at all to reach the customer, or marketing to an opted-out
    customer (nothing is sent in either case); 404: no customer has the ``customer`` external_id (or
    the ``customer_id``).
    """
    if data.customer_id is not None:
        customer = await service.get(db_session, customer_id=data.customer_id)
    else:
        customer = await service.get_shop_customer(db_session, external_id=str(data.customer))
    notification, to_publish = await send_notification(
        db_session, services.settings, customer=customer, template=data.template, params=data.params,
        channel=data.channel, requested_by=request.user.user_id)
    view = await notification_view(db_session, notification)
    # The delivery workers must find the committed rows when they wake up.
    await db_session.commit()
    for topic, event in to_publish:
        # Stored and queued already: a retry of this request would send the customer a duplicate.
        await services.bus.publish_or_log(topic, event)
    return view


@get("/api/notifications/{notification_id:int}", guards=[requires(*SENDERS, "agent")], tags=["notifications"])
async def get_notification(notification_id: FromPath[int], db_session: DbSession) -> dict:
    """Status (queued, sent, delivered, failed_over, failed) with one entry per channel tried."""
    notification = await db_session.get(Notification, notification_id)
    if notification is None:
        raise NotFoundError(f"no notification {notification_id}")
    return await notification_view(db_session, notification)
