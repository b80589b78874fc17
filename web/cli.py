"""The ``relaydesk`` command line: one entry point for serving, migrations and administration."""

from __future__ import annotations

import asyncio
import sys

import click

from core.errors import ConfigurationError, RelaydeskError
from core.settings import ROLES, Settings, load_settings


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigurationError as exc:
        click.echo(f"relaydesk: invalid settings: {exc}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Relaydesk: self-hosted customer conversations for e-commerce."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--demo", is_flag=True, help="Seed the demo store into an empty database and print its logins.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run the whole platform in one process: console, REST API, webhooks, delivery."""
    import uvicorn

    from core.logs import configure_logging
    from web.app import create_app
    from web.demo import seed_demo
    from web.migrate import upgrade

    settings = _settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    upgrade(settings)
    if demo:
        logins = asyncio.run(_with_factory(settings, seed_demo))
        base = f"http://{host}:{port}"
        if logins is None:
            click.echo("Demo: the database already has staff accounts; nothing was seeded.")
        else:
            click.echo("Demo store seeded. Logins:")
            for login in logins:
                click.echo(f"  {login.role:<10} {login.email:<28} {login.password}")
        click.echo(f"Console: {base}/console   Knowledge base: {base}/kb   Web chat: {base}/chat")
    # The app opens its own engine inside its lifespan, on uvicorn's event loop.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, timeout_graceful_shutdown=10)


async def _with_factory(settings: Settings, action):
    from core.database import create_engine, create_session_factory

    engine = create_engine(settings)
    try:
        return await action(create_session_factory(engine))
    finally:
        await engine.dispose()


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to RELAYDESK_DATABASE_URL."""
    from web.migrate import upgrade

    settings = _settings()
    upgrade(settings)
    click.echo("database is up to date")


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    from web.migrate import check

    check(_settings())
    click.echo("models and migrations agree")


@main.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--team", default=None, help="Team name (created when new).")
@click.option("--name", default="", help="Display name shown to shoppers and colleagues.")
def users_create(email: str, password: str, role: str, team: str | None, name: str) -> None:
    """Create a staff account."""
    from core.accounts import create_user

    settings = _settings()

    async def action(factory):
        async with factory() as session, session.begin():
            return (await create_user(session, email=email, password=password, role=role, team=team,
                                      name=name)).id

    try:
        user_id = asyncio.run(_with_factory(settings, action))
    except RelaydeskError as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)
    click.echo(f"created user {user_id} ({email}, {role})")


@main.group()
def tokens() -> None:
    """API tokens for integrations and scripts."""


@tokens.command("create")
@click.option("--email", required=True, help="The staff account the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. 'shop backend'.")
def tokens_create(email: str, name: str) -> None:
    """Issue an API token for an existing account and print it (shown only this once)."""
    from sqlalchemy import select

    from core.api_tokens import create_user_token
    from core.models import StaffUser

    settings = _settings()

    async def action(factory):
        async with factory() as session, session.begin():
            user = await session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
            if user is None or not user.active:
                raise RelaydeskError(f"no active staff account with e-mail {email}")
            issued = await create_user_token(session, user=user, name=name)
            return issued.secret, issued.record.id, user.role

    try:
        secret, token_id, role = asyncio.run(_with_factory(settings, action))
    except RelaydeskError as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)
    click.echo(f"token {token_id} ({name}, acts as {email.strip().lower()}, role {role}); store it now, "
               "it is not shown again:")
    click.echo(secret)


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke an API token by its id (see GET /api/tokens)."""
    from core.api_tokens import revoke_token

    async def action(factory):
        async with factory() as session, session.begin():
            await revoke_token(session, token_id=token_id)

    try:
        asyncio.run(_with_factory(_settings(), action))
    except RelaydeskError as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)
    click.echo(f"token {token_id} revoked")
