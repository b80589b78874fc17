"""The flow steps, run in order for every inbound message until one marks it done.

Each step is one small module with one job; packages add theirs here:
contact/identity linking, human ownership (bot stays silent), ratings, order questions,
greetings and thanks, knowledge-base answers, hand-off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.steps.answer import answer_from_knowledge_base
from bots.steps.csat import csat
from bots.steps.edits import answer_edits_of_unanswered
from bots.steps.handoff import handoff, handoff_after_failure
from bots.steps.human_owned import human_owned
from bots.steps.linking import link_from_start, link_shared_contact
from bots.steps.media import explain_unreadable_media
from bots.steps.opt_out import handle_marketing_opt_out
from bots.steps.orders import answer_order_questions
from bots.steps.small_talk import answer_small_talk
from bots.steps.throttle import throttle_flooding_shoppers

if TYPE_CHECKING:
    # Only for the annotations: bots.flow reads rating presses with bots.steps.csat at import time.
    from bots.flow import Step


def default_steps() -> list[Step]:
    """The steps of the inbound flow, in order."""
    return [
        throttle_flooding_shoppers,  # first: a flooding shopper costs nothing further
        link_shared_contact,
        link_from_start,
        human_owned,
        csat,
        answer_edits_of_unanswered,
        explain_unreadable_media,
        handle_marketing_opt_out,
        answer_order_questions,
        answer_small_talk,  # before the knowledge base: a greeting is not a question it failed
        answer_from_knowledge_base,
        handoff,
    ]


def rescue_steps() -> list[Step]:
    """What runs instead of the steps when they fail on a message: a person takes over."""
    return [handoff_after_failure]
