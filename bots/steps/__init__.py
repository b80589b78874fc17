"""The flow steps, run in order for every inbound message until one marks it done.

Each step is one small module with one job; packages add theirs here:
contact/identity linking, human ownership (bot stays silent), ratings, order questions,
knowledge-base answers, hand-off.
"""

from bots.flow import Step
from bots.steps.answer import answer_from_knowledge_base
from bots.steps.throttle import throttle_flooding_shoppers


def default_steps() -> list[Step]:
    """The steps of the inbound flow, in order."""
    return [
        throttle_flooding_shoppers,  # first: a flooding shopper costs nothing further
        answer_from_knowledge_base,
    ]
