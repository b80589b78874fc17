"""Customers and orders over REST: the customer card, shop pushes, merge/unmerge and the data tools."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post, put
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from core.customers import service
from core.customers.figures import refresh_customer_figures
from core.customers.linking import make_link_token, messenger_links
from core.customers.merge import merge, unmerge
from core.customers.privacy import erase_customer, export_customer
from core.customers.records import parse_customer, parse_order
from core.errors import NotFoundError, ValidationFailed
from core.models import Customer
from handoff.merges import after_merge, after_shop_write, after_unmerge
from handoff.state import Outcome
from web.api.publishing import after_commit, handoff_config
from web.auth import AGENTS, requires
from web.deps import DbSession, Services

INTEGRATION = ("admin", "integration")


async def _by_path(db_session, reference: str) -> Customer:
    """``{id}`` in a path: our numeric id, or (when not a number) the shop's external_id."""
    if reference.isdigit():
        return await service.get(db_session, customer_id=int(reference))
    customer = await service.get_by_external_id(db_session, external_id=reference)
    if customer is None:
        raise NotFoundError(f"no customer with external_id {reference!r}")
    return customer


@get("/api/customers/{customer_id:str}", guards=[requires(*AGENTS)], tags=["customers"])
async def get_customer(customer_id: FromPath[str], db_session: DbSession) -> dict:
    """The customer card: phones, e-mails, identities per channel, tags, VIP, figures, orders, conversations.

    ``{customer_id}`` is the numeric id (or, when not a number, the shop's external_id).
    """
    return await service.customer_card(db_session, await _by_path(db_session, customer_id))


@put("/api/customers/{customer_id:str}", guards=[requires(*INTEGRATION)], tags=["customers"], errors=(409,))
async def put_customer(customer_id: FromPath[str], data: JSONBody[dict[str, Any]], db_session: DbSession,
                       services: Services) -> Response:
    """Create or update the customer the shop knows as ``{customer_id}`` (its external_id), with orders.

    Body: ``{"name", "phones": ["+380…"], "emails", "tags", "orders": [{"number", "status", "total",
    "currency", "created_at", "tracking", "items"}]}``. Phones are normalised to E.164; a malformed
    phone is a 400 and an order number of another customer a 409. Sending the same body twice
    changes nothing.

    A messenger shopper who verified one of the phones earlier is merged into the account, unless the
    phone is on another shop account too; one who came to the account only through a verified phone
    the body no longer lists is split off again (:mod:`core.customers.phone_links`). The card comes
    with both lists: ``linked`` and ``split_off``, ``[{"customer_id", "phone"}]``. The conversations
    people hold are joined, promoted to the VIP line, given back and reopened as after staff's merge
    and unmerge (:mod:`handoff.merges`).
    """
    if data.get("external_id") not in (None, customer_id):
        raise ValidationFailed("external_id in the body differs from the path",
                               [{"field": "external_id", "error": "differs from the path"}])
    record = parse_customer({**data, "external_id": customer_id}, region=services.settings.phone_region,
                            currency=services.settings.shop_currency)
    customer, upserted = await service.upsert_customer(db_session, record)
    split_off = [{"customer_id": s["customer_id"], "phone": s["phone"]} for s in upserted.split_off]
    await refresh_customer_figures(db_session, services.settings,
                                   [customer.id, *(s["customer_id"] for s in split_off)])
    outcome = Outcome()
    await after_shop_write(db_session, linked=upserted.linked, split_off=upserted.split_off,
                           settings=services.settings, config=handoff_config(services), outcome=outcome)
    card = {**await service.customer_card(db_session, customer),
            "linked": [{"customer_id": s["customer_id"], "phone": s["phone"]} for s in upserted.linked],
            "split_off": split_off}
    return Response(card, background=after_commit(services, outcome))


@put("/api/orders/{number:str}", guards=[requires(*INTEGRATION)], tags=["customers"], errors=(409,))
async def put_order(number: FromPath[str], data: JSONBody[dict[str, Any]], db_session: DbSession,
                    services: Services) -> dict:
    """Create or update order ``{number}``.

    Body: ``{"customer": "<external_id>", "status", "total", "currency", "created_at", "tracking",
    "items"}``. An unknown customer is a 400 (push the customer first); an order number that
    belongs to another customer is a 409.
    """
    fields = dict(data)
    customer = fields.pop("customer", None)
    if not isinstance(customer, str) or not customer:
        raise ValidationFailed("customer: the external_id of the order's customer is required",
                               [{"field": "customer", "error": "required"}])
    record = parse_order({**fields, "number": number}, currency=services.settings.shop_currency)
    order, _ = await service.upsert_order_for(db_session, customer_external_id=customer, record=record)
    await refresh_customer_figures(db_session, services.settings, [order.customer_id])
    return {**service.order_view(order), "customer_id": order.customer_id}


class LinkResponse(BaseModel):
    """A signed link token and the messenger links carrying it (None when that messenger is not set up)."""

    token: str
    telegram: str | None
    viber: str | None


@get("/api/customers/{customer_id:str}/link", guards=[requires(*INTEGRATION)], tags=["customers"])
async def get_link(customer_id: FromPath[str], db_session: DbSession, services: Services) -> LinkResponse:
    """Links for a shop e-mail that join the shopper's Telegram/Viber to the account ``{customer_id}``.

    ``{customer_id}`` is the shop's external_id only (an unknown one is a 404), never our numeric id.
    """
    customer = await service.get_shop_customer(db_session, external_id=customer_id)
    token = make_link_token(customer.id, services.secret_key)
    return LinkResponse(token=token, **messenger_links(token, services.settings))


class MergeRequest(BaseModel):
    """Merge the path's customer into ``into`` (the survivor)."""

    into: int
    reason: str = Field("manual", max_length=64)


@post("/api/customers/{customer_id:str}/merge", guards=[requires("admin")], tags=["customers"], status_code=200,
      errors=(409,))
async def merge_customer(customer_id: FromPath[str], data: JSONBody[MergeRequest], request: Request,
                         db_session: DbSession, services: Services) -> Response:
    """Merge two records of one person (audited); returns the survivor's card. 409 for two shop accounts.

    Conversations people hold for both are joined into one, as when the shopper's own phone joins them
    (:mod:`handoff.joining`); when the survivor is a VIP, the one kept moves to the VIP line
    (:mod:`handoff.promotion`). The merge's audit record keeps the kept conversation's team and priority
    from before (``kept_conversation``) for an unmerge.
    """
    source = await _by_path(db_session, customer_id)
    target = await service.get(db_session, customer_id=data.into)
    record = await merge(db_session, source=source, target=target, reason=data.reason, actor_type="staff",
                         actor_id=request.user.user_id)
    # The merged-away customer keeps its figures (as in a full refresh); the survivor gained orders.
    await refresh_customer_figures(db_session, services.settings, [target.id])
    outcome = Outcome()
    await after_merge(db_session, record, target, settings=services.settings, config=handoff_config(services),
                      outcome=outcome)
    return Response(await service.customer_card(db_session, target), background=after_commit(services, outcome))


@post("/api/customers/{customer_id:str}/unmerge", guards=[requires("admin")], tags=["customers"], status_code=200,
      errors=(409,))
async def unmerge_customer(customer_id: FromPath[str], request: Request, db_session: DbSession,
                           services: Services) -> Response:
    """Undo the merge of customer ``{customer_id}`` from its audit record (audited); returns its card.

    409 while the customer it was merged into has itself been merged since: that merge is undone first
    (:func:`core.customers.merge.unmerge`).

    Conversations the merge joined into the other person's are reopened as they were
    (:func:`handoff.joining.reopen_after_unmerge`) while people still hold the one they were joined into
    and their shopper has opened none since; the audit record lists them under ``reopened``, and the
    joins left as they are, with why, under ``not_reopened``. The conversation the merge kept gets back
    the team and priority it had before the merge (:func:`handoff.kept.restore_after_unmerge`), listed
    under ``restored``, unless people have changed them since: then under ``not_restored``, with why.
    """
    customer = await _by_path(db_session, customer_id)
    survivor_id = customer.merged_into_id  # unmerge clears it; the survivor gives back orders
    record = await unmerge(db_session, customer=customer, actor_type="staff", actor_id=request.user.user_id)
    outcome = Outcome()
    await after_unmerge(db_session, record, [customer.id, survivor_id], settings=services.settings,
                        config=handoff_config(services), outcome=outcome)
    await refresh_customer_figures(db_session, services.settings, [customer.id, survivor_id])
    return Response(await service.customer_card(db_session, customer), background=after_commit(services, outcome))


@get("/api/customers/{customer_id:str}/export", guards=[requires("admin")], tags=["customers"])
async def export(customer_id: FromPath[str], request: Request, db_session: DbSession) -> dict:
    """Everything stored about the customer, as JSON (GDPR access request; audited)."""
    customer = await _by_path(db_session, customer_id)
    return await export_customer(db_session, customer, actor_id=request.user.user_id)


@post("/api/customers/{customer_id:str}/erase", guards=[requires("admin")], tags=["customers"], status_code=200,
      errors=(409,))
async def erase(customer_id: FromPath[str], request: Request, db_session: DbSession) -> dict:
    """Erase the customer's personal data (GDPR erasure; audited); anonymous orders stay, counting for no figures."""
    customer = await _by_path(db_session, customer_id)
    record = await erase_customer(db_session, customer, actor_id=request.user.user_id)
    return {"customer_id": customer.id, "erased": True, **record.details}
