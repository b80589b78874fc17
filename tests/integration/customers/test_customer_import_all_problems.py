"""``customers import`` reports every problem of a file in one run, each where it is, and a file
that does not parse in one line."""

import json

import pytest

from core.customers.importer import problem_location, read_source, validate
from core.errors import ValidationFailed
from tests.support.cli import run_cli

HEADER = "external_id,name,phones,emails,tags,order_number,order_status,order_total,order_currency," \
         "order_created_at,order_tracking\n"


async def _problems(session_factory, settings, tmp_path, name: str, text: str) -> list[tuple[str, str, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    async with session_factory() as session, session.begin():
        with pytest.raises(ValidationFailed) as caught:
            await validate(session, read_source(path), region=settings.phone_region, currency=settings.shop_currency)
    return [(problem_location(p), p.get("field", ""), p["error"]) for p in caught.value.details]


async def test_a_row_whose_customer_columns_differ_hides_no_other_problem(settings, session_factory, tmp_path):
    text = HEADER + (
        "c1,Ann,+380671112233,a@example.com,,1001,new,10,UAH,2026-11-01,\n"
        "c1,Anna,+380671112233,a@example.com,,1003,new,abc,UAH,2026-11-01,\n"   # line 3: name differs, total abc
        "c2,Bob,12345,bad@,,1004,new,-5,UAH,notadate,\n"                        # line 4: four problems
        "c3,Cy,+380671112299,,,1001,new,1,UAH,,\n"                              # line 5: c1's order
        "c4,Di,,,,1005,new,1,UAH,,,extra\n"                                     # line 6: shifted cells
    )
    problems = await _problems(session_factory, settings, tmp_path, "shop.csv", text)
    assert [(where, field) for where, field, _ in problems] == [
        ("line 3", ""), ("line 3", "orders.1.total"),
        ("line 4", "phones"), ("line 4", "emails"), ("line 4", "orders.0.total"), ("line 4", "orders.0.created_at"),
        ("line 5", "orders.number"), ("line 6", "")]
    assert problems[0][2] == "customer columns differ from line 2 of the same customer"
    assert problems[-1][2] == "more cells than columns"


async def test_an_order_listed_by_two_customers_is_reported_when_one_of_them_is_bad(settings, session_factory,
                                                                                   tmp_path):
    text = HEADER + "c1,Ann,12345,,,2001,new,10,UAH,,\nc2,Bob,+380671112233,,,2001,new,10,UAH,,\n"
    problems = await _problems(session_factory, settings, tmp_path, "shop.csv", text)
    assert problems == [("line 2", "phones", "not a valid phone number: '12345'"),
                        ("line 3", "orders.number", "duplicate order 2001: already listed for customer c1")]
    swapped = HEADER + "c2,Bob,+380671112233,,,2001,new,10,UAH,,\nc1,Ann,12345,,,2001,new,10,UAH,,\n"
    problems = await _problems(session_factory, settings, tmp_path, "swapped.csv", swapped)
    assert ("line 3", "orders.number", "duplicate order 2001: already listed for customer c2") in problems


async def test_minified_json_names_each_customer_by_its_position(settings, session_factory, tmp_path):
    customers = [{"external_id": f"c{n}"} for n in range(1, 20001)]
    customers[19999]["phones"] = ["1"]
    text = json.dumps(customers)
    problems = await _problems(session_factory, settings, tmp_path, "shop.json", text)
    assert [where for where, _, _ in problems] == ["customer 20000 (line 1)"]
    pretty = await _problems(session_factory, settings, tmp_path, "pretty.json", json.dumps(customers[-2:], indent=0))
    assert [where for where, _, _ in pretty] == ["line 5"]


def test_the_command_names_the_customer_of_a_minified_file(settings, tmp_path):
    path = tmp_path / "shop.json"
    customers = [{"external_id": f"c{n}"} for n in range(1, 301)]
    customers[299]["phones"] = ["1"]
    path.write_text(json.dumps(customers), encoding="utf-8")
    result = run_cli("customers", "import", str(path), env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode == 1
    assert "  customer 300 (line 1): phones: " in result.stderr, result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ('{"external_id": "a"}', "relaydesk: JSON import: expected a list of customers"),
    ('[{"external_id": "a"}\n{"external_id": "b"}]', "relaydesk: JSON import: line 2: expected ',' or ']'"),
    ('[{"external_id": "a",\n', "relaydesk: JSON import: line 2: Expecting property name"),
])
def test_a_json_file_that_does_not_parse_is_one_line(settings, tmp_path, text, message):
    path = tmp_path / "shop.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli("customers", "import", str(path), env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
