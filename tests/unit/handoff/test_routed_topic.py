"""The topic a handed-off conversation records: the one its team was chosen for."""

import pytest

from core.models import Team
from handoff.routing import routed_topic


@pytest.mark.parametrize("skills, topics, expected", [
    pytest.param(["warranty"], ["returns", "warranty"], "warranty", id="the-skill-that-matched"),
    pytest.param(["general"], ["returns", "warranty"], "returns", id="no-skill-matched-the-first"),
    pytest.param(None, ["payment"], "payment", id="no-team"),
    pytest.param(["general"], [], None, id="no-topics"),
])
def test_the_routed_topic(skills, topics, expected) -> None:
    team = Team(name="desk", skills=skills) if skills is not None else None
    assert routed_topic(team, topics) == expected
