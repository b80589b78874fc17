"""The ``relaydesk`` command line: one entry point for serving, migrations and administration."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import click

from core.errors import ConfigurationError, RelaydeskError
from core.settings import ROLES, Settings, load_settings
from nlu.cli import nlu_group
from web.kb.cli import kb


def _settings(**overrides: object) -> Settings:
    from handoff.config import load_handoff_config

    try:
        settings = load_settings(**overrides)
        # The packages' own settings are read from the same environment; checking them here stops
        # every command at start, where the app would otherwise fail inside its lifespan.
        load_handoff_config()
        return settings
    except ConfigurationError as exc:
        click.echo(f"relaydesk: invalid settings: {exc}", err=True)
        sys.exit(2)


# Integers stored in the database are refused when parsed, naming the option, rather than failing in
# the driver: SQLite overflows beyond 64 bits with a traceback and PostgreSQL's error names no option.
# The columns behind these options (team SLA seconds, token ids) are Integer: 32-bit on PostgreSQL.
POSITIVE_INT32 = click.IntRange(1, 2**31 - 1)

# SQLSTATE of PostgreSQL's "relation does not exist"; SQLite says "no such table" in its message.
UNDEFINED_TABLE = "42P01"


class _RelaydeskGroup(click.Group):
    """The top-level group: a database that is not there or not migrated ends any command in one line."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; database failures become one line on stderr and exit code 1."""
        from sqlalchemy.exc import DBAPIError

        from web.migrate import DatabaseLocationError

        try:
            return super().invoke(ctx)
        # asyncpg raises network errors as they are, unwrapped by SQLAlchemy; other OSErrors (a file
        # that cannot be read) are not about the database and keep their traceback. A SQLite file's
        # folder that cannot be created is the database being out of reach, like a refused login.
        except (DBAPIError, ConnectionError, TimeoutError, socket.gaierror, DatabaseLocationError) as exc:
            click.echo(f"relaydesk: {_database_problem(exc)}", err=True)
            sys.exit(1)


def _database_problem(exc: Exception) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    # The settings loaded before the command ran, so they load again; the password is masked.
    url = make_url(load_settings().database_url).render_as_string(hide_password=True)
    if not isinstance(exc, DBAPIError):
        return f"cannot connect to the database at {url}: {exc}"
    reason = _first_line(exc.orig)
    if "no such table" in reason or getattr(exc.orig, "sqlstate", None) == UNDEFINED_TABLE:
        return "the database has no tables yet; run relaydesk db upgrade"
    # Only failures while connecting have no statement (e.g. an unknown database, a refused login).
    if exc.statement is None:
        return f"cannot connect to the database at {url}: {reason}"
    # The statement and its parameters stay out: they can carry customers' data.
    return f"database error at {url}: {reason}"


def _first_line(exc: BaseException) -> str:
    # Library errors run to several lines (hints, the SQL); the command's answer is one line.
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _load_embedding_model(settings: Settings) -> None:
    """Load a configured ``EMBEDDING_MODEL`` now, so a bad one stops the command in one line.

    The app loads the same process-wide encoder inside its lifespan, where a failure ends in
    uvicorn's traceback; loading it here first costs nothing, as the app then reuses it.
    """
    if settings.embedding_model is None:
        return  # the bundled model ships with the package
    from nlu.encoder import get_encoder

    try:
        get_encoder(settings.embedding_model)
    except (OSError, ValueError) as exc:
        click.echo(f"relaydesk: invalid settings: RELAYDESK_EMBEDDING_MODEL: cannot load "
                   f"{settings.embedding_model!r} ({_first_line(exc)}); a model name is found only among models "
                   "already downloaded to this machine, since nothing is fetched from the model hub", err=True)
        sys.exit(2)


@click.group(cls=_RelaydeskGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Relaydesk: self-hosted customer conversations for e-commerce."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
# Port 0 (any free port) is refused too: the webhooks and the printed URLs need the real one.
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--demo", is_flag=True, help="Seed the demo store into an empty database and print its logins.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run the whole platform in one process: console, REST API, webhooks, delivery."""
    import uvicorn

    from core.logs import configure_logging
    from web.app import create_app
    from web.demo import seed_demo
    from web.migrate import upgrade

    settings = _settings()
    _load_embedding_model(settings)  # before logging is configured: its failure is one line, not log noise
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
        click.echo(f"Console: {base}/console   Analytics: {base}/console/analytics   Knowledge base: {base}/kb   "
                   f"Web chat: {base}/chat")
    # The app opens its own engine inside its lifespan, on uvicorn's event loop.
    # ws_max_size: the protocol layer refuses (1009) a WebSocket frame larger than any request body we
    # accept before buffering it; the sockets' own, smaller limits apply below that.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, timeout_graceful_shutdown=10,
                ws_max_size=settings.max_request_bytes)


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
    from alembic.util.exc import AutogenerateDiffsDetected

    from web.migrate import DatabaseBehindError, check

    try:
        check(_settings())
    except DatabaseBehindError as exc:
        # The same words as every other command on an empty database (the README promises them).
        problem = ("the database has no tables yet" if not exc.applied
                   else "the database is not up to date with the migrations")
        click.echo(f"relaydesk: {problem}; run relaydesk db upgrade", err=True)
        sys.exit(1)
    except AutogenerateDiffsDetected as exc:
        click.echo(f"relaydesk: the models and the migrations disagree: {exc}", err=True)
        sys.exit(1)
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
def customers() -> None:
    """Customers and their orders."""


@customers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def customers_import(path: Path) -> None:
    """Import customers and orders from a CSV or JSON export; nothing is written when any row is bad."""
    from core.customers.importer import import_records, problem_location, read_source, validate
    from handoff.config import default_handoff_config
    from handoff.merges import after_shop_write
    from handoff.state import Outcome

    settings = _settings()

    async def action(factory):
        async with factory() as session, session.begin():
            records = await validate(session, read_source(path), region=settings.phone_region,
                                     currency=settings.shop_currency)
            with click.progressbar(length=len(records), label="importing customers", file=sys.stderr) as bar:
                report = await import_records(session, settings, records, progress=bar.update)
            # The console's live events are not published from here: it shows the changes on its next load,
            # and the delivery worker finds the texts for the shoppers by polling the outbox.
            await after_shop_write(session, linked=report.linked, split_off=report.split_off, settings=settings,
                                   config=default_handoff_config(), outcome=Outcome())
            return len(records), report

    try:
        total, report = asyncio.run(_with_factory(settings, action))
    except RelaydeskError as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        for problem in getattr(exc, "details", []):
            where = f"{problem_location(problem)}: " if "line" in problem else ""
            field = f"{problem['field']}: " if problem.get("field") else ""
            click.echo(f"  {where}{field}{problem['error']}", err=True)
        sys.exit(1)
    click.echo(f"imported {total} customers ({report.customers_created} new, {report.customers_existing} existing) "
               f"and {report.orders_created + report.orders_existing} orders ({report.orders_created} new, "
               f"{report.orders_existing} existing)")
    if report.linked or report.split_off:
        click.echo(f"messenger shoppers by verified phone: {len(report.linked)} linked to their account, "
                   f"{len(report.split_off)} split off an account that no longer lists their phone")


@main.group()
def telegram() -> None:
    """The Telegram bot."""


@telegram.command("poll")
def telegram_poll() -> None:
    """Run the Telegram bot by long polling (no public URL needed), with outbox delivery.

    Deletes the webhook first: Telegram serves getUpdates only while none is set.
    """
    from core.logs import configure_logging
    from web.migrate import upgrade

    settings = _settings()
    if not settings.telegram_enabled:
        click.echo("relaydesk: RELAYDESK_TELEGRAM_TOKEN is not set (the token @BotFather gave you)", err=True)
        sys.exit(2)
    _load_embedding_model(settings)  # before logging is configured: its failure is one line, not log noise
    configure_logging(settings.log_level, json_lines=settings.log_json)
    upgrade(settings)
    from bots.telegram.polling import PollingError

    # The PollingError comes out of the app lifespan's task group wrapped in an ExceptionGroup; except*
    # takes it out of the group (or as it is), while any other error in the group still propagates.
    try:
        asyncio.run(_poll_telegram(settings))
    except* PollingError as group:
        for exc in group.exceptions:
            click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)


async def _poll_telegram(settings: Settings) -> None:
    import signal

    from bots.telegram.polling import TelegramPoller
    from web.app import create_app

    app = create_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # The app's lifespan starts the same components as `serve` (flow, NLU, delivery worker).
    async with app.lifespan():
        await TelegramPoller(app.state.services.extras["telegram"]).run(stop)


@main.group()
def webhooks() -> None:
    """Channel webhooks."""


@webhooks.command("set")
def webhooks_set() -> None:
    """Register the Telegram and Viber webhooks at RELAYDESK_PUBLIC_URL (the server must be running there).

    Each channel is tried on its own and reported as soon as it is done, so a failure of one never
    hides that the other was changed.
    """
    from bots.webhook_setup import WebhookSetupError, check_configuration, set_telegram_webhook, set_viber_webhook

    settings = _settings()
    try:
        check_configuration(settings)
    except WebhookSetupError as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)
    setters = [setter for enabled, setter in ((settings.telegram_enabled, set_telegram_webhook),
                                              (settings.viber_enabled, set_viber_webhook)) if enabled]
    failed = False
    for setter in setters:
        try:
            click.echo(asyncio.run(setter(settings)))
        except WebhookSetupError as exc:
            failed = True
            click.echo(f"relaydesk: {exc}", err=True)
    if failed:
        sys.exit(1)


main.add_command(kb)
main.add_command(nlu_group)

@main.group()
def teams() -> None:
    """Teams of agents: skills (topics), VIP, business hours, SLA."""


@teams.command("set")
@click.argument("name")
@click.option("--skills", default=None, help="Comma-separated topics routed to this team, e.g. payment,refund.")
@click.option("--vip/--no-vip", default=None, help="The team that serves VIP customers.")
@click.option("--timezone", default=None, help="Time zone of the business hours, e.g. Europe/Kyiv.")
@click.option("--hours", default=None, help='Business hours as JSON: {"mon": ["09:00", "18:00"], ...}; {} = always.')
@click.option("--first-response-sla", type=POSITIVE_INT32, default=None, help="Seconds until the first reply is due.")
@click.option("--next-response-sla", type=POSITIVE_INT32, default=None, help="Seconds until each next reply is due.")
def teams_set(name: str, skills: str | None, vip: bool | None, timezone: str | None, hours: str | None,
              first_response_sla: int | None, next_response_sla: int | None) -> None:
    """Create team NAME or change what is given."""
    import json

    from handoff import teams as team_service

    try:
        business_hours = json.loads(hours) if hours is not None else None
    except ValueError as exc:
        click.echo(f"relaydesk: --hours is not JSON: {exc}", err=True)
        sys.exit(2)

    async def action(factory):
        async with factory() as session, session.begin():
            team = await team_service.upsert(
                session, name=name, skills=skills.split(",") if skills is not None else None, is_vip=vip,
                timezone=timezone, business_hours=business_hours, first_response_sla_s=first_response_sla,
                next_response_sla_s=next_response_sla)
            return team_service.view(team)

    try:
        view = asyncio.run(_with_factory(_settings(), action))
    except RelaydeskError as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(view, ensure_ascii=False))


@teams.command("list")
def teams_list() -> None:
    """Print every team as one JSON object per line."""
    import json

    from handoff import agents
    from handoff import teams as team_service

    async def action(factory):
        async with factory() as session:
            return [team_service.view(team) for team in await agents.get_teams(session)]

    for view in asyncio.run(_with_factory(_settings(), action)):
        click.echo(json.dumps(view, ensure_ascii=False))


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
@click.argument("token_id", type=POSITIVE_INT32)
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
