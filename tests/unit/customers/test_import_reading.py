"""Reading a JSON export: each record knows the line it starts on, however the file is laid out."""

import pytest

from core.customers.importer import read_json
from core.errors import ValidationFailed


def test_json_records_carry_the_line_they_start_on():
    text = ('[\n{"external_id": "a"},\n{"external_id": "b",\n "name": "B"},\n\n'
            '  {"external_id": "c"}, {"external_id": "d"}]')
    assert [(record.line, record.data["external_id"]) for record in read_json(text)] == [
        (2, "a"), (3, "b"), (6, "c"), (6, "d")]


def test_a_missing_comma_after_several_records_names_its_line():
    with pytest.raises(ValidationFailed, match="line 4: expected ',' or ']'"):
        read_json('[\n{"external_id": "a"},\n{"external_id": "b"}\n{"external_id": "c"}]')
