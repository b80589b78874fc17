"""``relaydesk customers import`` (QA pass C): a CSV with an unclosed quote and JSON that is not
valid JSON are refused in one line naming the line; a NUL character is named with its line and field
on both backends. Nothing is written in any of these cases."""

import json

import pytest
from sqlalchemy import func, select

from core.models import Customer, Order
from tests.support.cli import run_cli

CSV_HEADER = "external_id,name,phones,emails,tags,order_number,order_status,order_total,order_currency," \
             "order_created_at,order_tracking\n"


def _import(settings, tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_cli("customers", "import", str(path), env={"RELAYDESK_DATABASE_URL": settings.database_url})


async def _counts(session_factory) -> tuple[int, int]:
    async with session_factory() as session:
        return (await session.scalar(select(func.count(Customer.id))),
                await session.scalar(select(func.count(Order.id))))


async def test_a_csv_with_an_unclosed_quote_is_refused_naming_its_line(settings, session_factory, tmp_path):
    text = CSV_HEADER + 'c1,"Oksana,,,,,,,,,\nc2,Ivan,,,,,,,,,\nc3,Petro,,,,,,,,,\n'
    result = _import(settings, tmp_path, "shop.csv", text)
    assert result.returncode == 1
    assert result.stderr == "relaydesk: CSV import: line 2: not valid CSV: unexpected end of data\n"
    assert await _counts(session_factory) == (0, 0)


@pytest.mark.parametrize(("text", "message"), [
    ('[{"external_id": "t2"}] garbage', "JSON import: line 1: text after the closing ']' (not valid JSON)"),
    ('[{"external_id": "t2"}]\n\n]', "JSON import: line 3: text after the closing ']' (not valid JSON)"),
    ('[{"external_id": "t1"},]', "JSON import: line 1: a comma before the closing ']' (not valid JSON)"),
    ('[\n{"external_id": "t1"},\n]\n', "JSON import: line 3: a comma before the closing ']' (not valid JSON)"),
])
async def test_json_that_is_not_valid_json_is_refused_naming_its_line(settings, session_factory, tmp_path, text,
                                                                      message):
    result = _import(settings, tmp_path, "shop.json", text)
    assert result.returncode == 1
    assert result.stderr == f"relaydesk: {message}\n"
    assert await _counts(session_factory) == (0, 0)


async def test_a_nul_character_is_named_with_its_line_and_field(settings, session_factory, tmp_path):
    customers = [{"external_id": "ok", "name": "Fine"},
                 {"external_id": "t1", "name": "bad\u0000name",
                  "orders": [{"number": "1", "status": "new", "total": 1, "currency": "UAH",
                              "tracking": "T\u00001"}]}]
    text = json.dumps(customers, indent=2)
    line = [n for n, row in enumerate(text.splitlines(), 1) if row == "  {"][1]
    result = _import(settings, tmp_path, "shop.json", text)
    assert result.returncode == 1
    assert result.stderr.splitlines()[1:] == [
        f"  line {line}: name: must not contain the NUL character (U+0000)",
        f"  line {line}: orders.0.tracking: must not contain the NUL character (U+0000)"]
    csv_result = _import(settings, tmp_path, "shop.csv", CSV_HEADER + "c1,Ok,,,,,,,,,\nc2,Na\u0000me,,,,,,,,,\n")
    assert csv_result.returncode == 1
    assert "  line 3: name: must not contain the NUL character (U+0000)" in csv_result.stderr
    assert await _counts(session_factory) == (0, 0)
