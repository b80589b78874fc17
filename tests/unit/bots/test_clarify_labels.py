"""The "did you mean" buttons: an article offered twice (in two languages) gets one button, best first."""

from bots.inbound import Button
from bots.steps.clarify import clarify_buttons
from nlu.types import Candidate


class NoDatabase:
    """No titles collide here, so the tags are never read."""

    async def execute(self, *_args, **_kwargs):
        raise AssertionError("no query expected")


async def test_an_article_offered_in_two_languages_gets_one_button():
    candidates = (Candidate("returns", "Returns", 0.7, "en"), Candidate("delivery", "Доставка", 0.69, "uk"),
                  Candidate("returns", "Повернення", 0.68, "uk"))
    assert await clarify_buttons(NoDatabase(), candidates) == [
        [Button("Returns", "kb:returns")], [Button("Доставка", "kb:delivery")]]


async def test_the_same_article_under_the_same_title_twice_is_not_a_clash():
    candidates = (Candidate("faq", "FAQ", 0.7, "en"), Candidate("faq", "FAQ", 0.6, "uk"))
    assert await clarify_buttons(NoDatabase(), candidates) == [[Button("FAQ", "kb:faq")]]
