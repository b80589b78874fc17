"""Helpers for knowledge-base tests: staff logins and article bodies."""

from __future__ import annotations

from core.accounts import create_user


async def staff_headers(session_factory, client, role: str, email: str | None = None) -> dict[str, str]:
    """Create a staff member with ``role`` and return bearer headers for ``client``."""
    email = email or f"{role}@shop.ua"
    async with session_factory() as session, session.begin():
        await create_user(session, email=email, password="long-password", role=role, name=role.title())
    response = await client.post("/api/auth/login", json={"email": email, "password": "long-password"})
    client.cookies.clear()  # talk with the bearer token only, like an API client
    return {"Authorization": f"Bearer {response.json()['token']}"}


def article_body(slug: str = "delivery-cost", **overrides) -> dict:
    """A valid draft article in three languages about delivery cost."""
    body = {
        "slug": slug,
        "title": "Delivery cost",
        "tags": ["delivery"],
        "variants": {
            "uk": {"answer": "Доставка коштує **70 грн**, від 1500 грн — безкоштовно.",
                   "questions": ["Скільки коштує доставка?", "Яка ціна доставки?"]},
            "ru": {"answer": "Доставка стоит **70 грн**, от 1500 грн — бесплатно.",
                   "questions": ["Сколько стоит доставка?", "Какая цена доставки?"]},
            "en": {"answer": "Delivery costs **70 UAH**, free from 1500 UAH.",
                   "questions": ["How much is delivery?", "What does shipping cost?"]},
        },
    }
    body.update(overrides)
    return body


async def publish_article(client, headers: dict[str, str], body: dict) -> dict:
    """Create ``body`` as a draft and publish it through the REST API, as an editor would; the article JSON."""
    created = await client.post("/api/articles", json=body, headers=headers)
    assert created.status_code == 201, created.text
    published = await client.post(f"/api/articles/{body['slug']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return published.json()


GIFT_WRAPPING_ANSWER = "Gift wrapping is free until the end of December."


def gift_wrapping_body(**overrides) -> dict:
    """A valid draft article in English about gift wrapping: a topic apart from delivery cost."""
    variants = {"en": {"answer": GIFT_WRAPPING_ANSWER, "questions": [
        "Do you offer gift wrapping?", "Can you wrap my order as a gift?", "Is gift packaging available?"]}}
    return article_body("gift-wrapping", title="Gift wrapping", variants=variants, **overrides)
