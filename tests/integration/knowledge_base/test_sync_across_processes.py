"""Regression: ``relaydesk kb import`` run as its own process on the embedded setup (SQLite, in-process
bus) never reached a running server, which answered from the old articles until restarted. Now the
server's revision check (``KB_SYNC_INTERVAL_S``) finds the import without any bus event."""

from __future__ import annotations

import asyncio
import json

import pytest

from knowledge_base import service
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from tests.support.asking import ask
from tests.support.channels import eventually
from tests.support.cli import run_cli
from tests.support.kb import GIFT_WRAPPING_ANSWER, article_body, gift_wrapping_body
from tests.support.scaleout import ServeNode, cluster_env
from tests.support.telegram_double import TelegramDouble

pytestmark = pytest.mark.slow

SYNC_INTERVAL_S = 1.0


def _with_english_answer(body: dict, answer: str) -> dict:
    return {**body, "variants": {**body["variants"], "en": {**body["variants"]["en"], "answer": answer}}}


async def test_a_kb_import_from_another_process_reaches_the_running_server(settings, session_factory, tmp_path):
    delivery = article_body(status="published")
    async with session_factory() as session, session.begin():
        await service.create(session, data=parse_article(delivery), author=Author())
    import_file = tmp_path / "articles.json"
    changed_delivery = _with_english_answer(delivery, "Delivery costs 90 UAH now.")
    import_file.write_text(json.dumps([changed_delivery, gift_wrapping_body(status="published")]))
    with TelegramDouble() as telegram:
        node = ServeNode(cluster_env(settings, telegram, RELAYDESK_KB_SYNC_INTERVAL_S=str(SYNC_INTERVAL_S)))
        await asyncio.to_thread(node.start)
        try:
            assert "70 UAH" in await ask(node.url, telegram, "How much is delivery?")

            # Without REDIS_URL the import's announcement reaches no other process (on SQLite there is
            # never one): only the server's revision check can bring the change.
            imported = await asyncio.to_thread(run_cli, "kb", "import", str(import_file),
                                               env={"RELAYDESK_DATABASE_URL": settings.database_url})
            assert imported.returncode == 0, imported.stderr
            assert "created 1, updated 1" in imported.stdout

            async def answers_from_the_import() -> bool:
                return GIFT_WRAPPING_ANSWER in await ask(node.url, telegram, "Do you offer gift wrapping?")

            await eventually(answers_from_the_import, within=20 * SYNC_INTERVAL_S)
            assert "90 UAH" in await ask(node.url, telegram, "How much is delivery?")
        finally:
            node.stop()
