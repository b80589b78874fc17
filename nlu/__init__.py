"""Relaydesk NLU: answer language, retrieval over the knowledge base, and the bot's decisions.

Public surface: :class:`nlu.engine.NLUEngine`, the value types in :mod:`nlu.types`,
:func:`nlu.evaluation.evaluate` and the ``nlu_group`` click group in :mod:`nlu.cli`. Importing this
package is cheap; the model stack loads with :mod:`nlu.engine`.
"""

from nlu.types import Candidate, Decision, KnowledgeEntry

__all__ = ["Candidate", "Decision", "KnowledgeEntry"]
