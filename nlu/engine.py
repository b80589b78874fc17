"""The NLU engine: indexes knowledge entries and decides what to do with each shopper message."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from nlu.calibration import Thresholds, choose_thresholds, fit_fusion, leave_out_samples
from nlu.classifier import ArticleClassifier
from nlu.decision import DecisionContext, decide_action
from nlu.encoder import Encoder, get_encoder
from nlu.follow_up import decide_in_context, reads_as_follow_up, with_context
from nlu.fusion import PART_GROUPS, Fusion
from nlu.index import Document, Index, Query, prepare_documents
from nlu.language import detect_language
from nlu.multi_question import split_questions
from nlu.multilingual import MultilingualEncoder, get_multilingual_encoder
from nlu.off_topic import closer_to_chatter, not_covered, off_topic_messages
from nlu.signals import SensitiveTopics, asks_for_person, is_frustrated, swears
from nlu.text import lemmas, normalize, script_of, warm_up
from nlu.types import Decision, KnowledgeEntry, PreviousAnswer

ALL_PARTS = ("lexical", "dense", "multilingual", "classifier")
# Calibration needs a few examples per article to learn from; below this the fixed fusion is used.
_MIN_DOCS_TO_CALIBRATE = 8
_QUERY_CHUNK = 256


@dataclass
class _State:
    """Everything built from one version of the knowledge base; replaced whole, never mutated."""

    index: Index | None = None
    classifier: ArticleClassifier | None = None
    fusion: Fusion | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    # Articles whose own questions ask for a person or sound angry: the shop chose to answer those.
    signal_articles: frozenset[int] = frozenset()
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    # Multilingual rows of the bundled chatter this knowledge base does not cover (empty when that
    # part is off): tells "а погода завтра?" from a follow-up question.
    chatter: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


class NLUEngine:
    """Matches messages to knowledge-base articles and decides: answer, clarify, hand off or fall back.

    Args:
        embedding_model: A local path or sentence-transformers model name; None for the bundled
            all-MiniLM-L6-v2.
        default_language: The answer language when the shopper's is unknown.
        sensitive_topics: Phrases that always send the conversation to a person.
        parts: Score parts to use (``"lexical"``, ``"dense"``, ``"multilingual"``, ``"classifier"``);
            fewer for ablations.
        calibrate: Learn fusion weights and thresholds from the knowledge base (False: fixed fusion and
            default thresholds, for ablations).
        encoder: An already loaded encoder (tests share one); overrides ``embedding_model``.
        multilingual_encoder: An already loaded multilingual encoder; the shared one by default.
    """

    def __init__(
        self,
        *,
        embedding_model: str | None = None,
        default_language: str = "uk",
        sensitive_topics: Sequence[str] = (),
        parts: Sequence[str] = ALL_PARTS,
        calibrate: bool = True,
        encoder: Encoder | None = None,
        multilingual_encoder: MultilingualEncoder | None = None,
    ) -> None:
        unknown = set(parts) - set(ALL_PARTS)
        if unknown or not parts:
            raise ValueError(f"parts must be a non-empty subset of {ALL_PARTS}, got {parts!r}")
        self.default_language = default_language
        self._parts = tuple(p for p in ALL_PARTS if p in parts)
        self._calibrate = calibrate
        self._encoder = encoder or get_encoder(embedding_model)
        self._ml_encoder = (
            (multilingual_encoder or get_multilingual_encoder()) if "multilingual" in self._parts else None
        )
        self._topics = SensitiveTopics.build(sensitive_topics)
        self._entries: dict[str, dict[str, KnowledgeEntry]] = {}
        # Encoder rows per normalised text (MiniLM, multilingual or None), so an upsert encodes only
        # what changed.
        self._vectors: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        self._oos: tuple[str, ...] = ()
        self._off_topic: list[Query] | None = None
        self._state = _State()
        self._build_lock = threading.Lock()
        # One worker: the model is shared and torch already uses both cores for a single query.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
        warm_up()

    # -- knowledge base -------------------------------------------------------------------------

    def rebuild(self, entries: Iterable[KnowledgeEntry], *, oos_examples: Sequence[str] = ()) -> None:
        """Index all entries from scratch and calibrate fusion weights and thresholds on them.

        Args:
            entries: Every published article variant.
            oos_examples: Optional out-of-scope example messages that sharpen the thresholds.
        """
        grouped: dict[str, dict[str, KnowledgeEntry]] = {}
        for entry in entries:
            grouped.setdefault(entry.article_id, {})[entry.language] = entry
        with self._build_lock:
            self._entries = grouped
            self._oos = tuple(oos_examples)
            self._state = self._build(recalibrate=True)

    def upsert_article(self, article_id: str, entries: Iterable[KnowledgeEntry]) -> None:
        """Add or replace one article's variants without re-encoding the rest or recalibrating.

        Only the new questions are encoded; the lexical parts and the classifier are refitted (cheap);
        the fusion and thresholds learnt at the last :meth:`rebuild` are kept.
        """
        variants = {e.language: e for e in entries if e.article_id == article_id}
        with self._build_lock:
            if variants:
                self._entries[article_id] = variants
            else:
                self._entries.pop(article_id, None)
            self._state = self._build(recalibrate=False)

    def remove_article(self, article_id: str) -> None:
        """Drop one article from the index (no-op when it is not there)."""
        with self._build_lock:
            if self._entries.pop(article_id, None) is not None:
                self._state = self._build(recalibrate=False)

    @property
    def article_ids(self) -> list[str]:
        """The indexed article slugs."""
        return list(self._entries)

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds in use."""
        return self._state.thresholds

    @property
    def encoder(self) -> Encoder:
        """The sentence encoder in use (its ``model_name`` and ``runtime`` say what ran)."""
        return self._encoder

    def _build(self, *, recalibrate: bool) -> _State:
        article_ids = sorted(self._entries)
        if not article_ids:
            return _State()
        grouped = {
            a: [
                (lang, text)
                for lang, e in self._entries[a].items()
                for text in (e.title, *e.questions)
                if text
            ]
            for a in article_ids
        }
        documents = prepare_documents(article_ids, grouped)
        present = {d.article for d in documents}
        if len(present) < len(article_ids):
            # An article with no text at all cannot be matched; leave it out rather than break the index.
            article_ids = [a for i, a in enumerate(article_ids) if i in present]
            documents = prepare_documents(article_ids, grouped)
        index = Index(article_ids, documents, *self._encode_documents(documents))
        classifier = ArticleClassifier(index).fit() if "classifier" in self._parts else None
        previous = self._state
        names = tuple(name for part in self._parts for name in PART_GROUPS[part])
        # The bundled chatter only where the knowledge base does not cover it.
        chatter = not_covered(index, self._off_topic_queries())
        if recalibrate or previous.fusion is None or not previous.fusion.fitted:
            fusion, thresholds = self._calibrated(index, classifier, names, chatter)
        else:
            fusion, thresholds = previous.fusion, previous.thresholds
        titles = {(a, lang): e.title for a, variants in self._entries.items() for lang, e in variants.items()}
        chatter_rows = (
            np.stack([q.ml_vector for q in chatter]) if chatter and self._ml_encoder is not None else _State().chatter
        )
        return _State(index, classifier, fusion, thresholds, _signal_articles(documents), titles, chatter_rows)

    def _off_topic_queries(self) -> list[Query]:
        # The same for every knowledge base: prepared once per engine, at the first build.
        if self._off_topic is None:
            self._off_topic = self._prepare_each(off_topic_messages())
        return self._off_topic

    def _calibrated(self, index: Index, classifier, names, chatter: list[Query]) -> tuple[Fusion, Thresholds]:
        fusion = Fusion(names)
        if not self._calibrate or len(index) < _MIN_DOCS_TO_CALIBRATE or len(index.article_ids) < 2:
            return fusion, Thresholds()
        # The shop's own out-of-scope examples count as given, besides the chatter it does not cover.
        oos = self._prepare_each(self._oos) + chatter
        samples = leave_out_samples(
            index, classifier, oos, lambda qs, mask: self._part_scores(index, qs, mask)
        )
        fit_fusion(fusion, samples)
        return fusion, choose_thresholds(fusion.score(samples.parts, samples.excluded), samples.labels)

    def _encode_documents(self, documents: list[Document]) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the documents' MiniLM rows and multilingual rows (None when that part is off)."""
        missing = sorted({d.normalized for d in documents} - self._vectors.keys())
        for start in range(0, len(missing), 1024):
            batch = missing[start : start + 1024]
            dense = self._dense_rows(batch)
            multilingual = self._ml_encoder.encode(batch) if self._ml_encoder is not None else [None] * len(batch)
            self._vectors.update(zip(batch, zip(dense, multilingual, strict=True), strict=True))
        keep = {d.normalized for d in documents}
        self._vectors = {text: v for text, v in self._vectors.items() if text in keep}
        dense_rows, ml_rows = zip(*(self._vectors[d.normalized] for d in documents), strict=True)
        ml_vectors = np.stack(ml_rows).astype(np.float32) if self._ml_encoder is not None else None
        return np.stack(dense_rows).astype(np.float32), ml_vectors

    # -- scoring --------------------------------------------------------------------------------

    def _dense_rows(self, texts: list[str]) -> np.ndarray:
        """The encoder's rows for ``texts``; zero rows for Cyrillic text when the encoder is English-only.

        The bundled MiniLM cuts Cyrillic into meaningless word pieces: its cosines there are noise that
        calibration then has to discount (and its slowest inputs). A zero row scores 0 against
        everything, so for those texts the lexical and multilingual parts decide alone.
        """
        rows = np.zeros((len(texts), self._encoder.dimension), dtype=np.float32)
        skip = getattr(self._encoder, "english_only", False)
        keep = [i for i, text in enumerate(texts) if not (skip and script_of(text) == "cyrillic")]
        if keep:
            rows[keep] = self._encoder.encode([texts[i] or " " for i in keep])
        return rows

    def _prepare(self, text: str, language: str) -> Query:
        normalized = normalize(text)
        vector = self._dense_rows([normalized])[0]
        ml_vector = self._ml_encoder.encode([normalized])[0] if self._ml_encoder is not None else None
        return Query(normalized, lemmas(normalized, language), vector, ml_vector)

    def _prepare_each(self, texts: Sequence[str]) -> list[Query]:
        # Each text in its own language: lemmas need it, and a uk line must not be lemmatised as en.
        return [self._prepare(text, self.detect_language(text)) for text in texts]

    def _part_scores(
        self, index: Index, queries: list[Query], doc_mask: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """Per-article part scores for ``queries``; ``doc_mask`` removes documents per query."""
        chunks = []
        for start in range(0, len(queries), _QUERY_CHUNK):
            batch = queries[start : start + _QUERY_CHUNK]
            docs = index.doc_scores(batch)
            centroids = {name: docs.pop(name) for name in index.centroid_parts}
            if doc_mask is not None:
                removed = doc_mask[start : start + _QUERY_CHUNK]
                docs = {name: np.where(removed, 0.0, m) for name, m in docs.items()}
            part = {name: index.per_article_max(m) for name, m in docs.items()}
            part.update(centroids)
            chunks.append(part)
        return {name: np.vstack([c[name] for c in chunks]) for name in chunks[0]}

    def score(self, text: str, language: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Return fused scores per indexed article and the per-part scores, for one message."""
        state = self._state
        if state.index is None:
            return np.zeros(0, dtype=np.float32), {}
        return self._score_query(state, self._prepare(text, language))

    def _score_query(self, state: _State, query: Query) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return self._fused(state, self._query_parts(state, query))

    def _query_parts(self, state: _State, query: Query) -> dict[str, np.ndarray]:
        parts = self._part_scores(state.index, [query], None)
        if state.classifier is not None:
            parts["clf"] = state.classifier.predict_proba(state.classifier.query_features([query]))
        return parts

    def _fused(self, state: _State, parts: dict[str, np.ndarray], *, left_out: str | None = None
               ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Fused and per-part scores per article; ``left_out`` names an article fused as if it were absent."""
        excluded = np.zeros((1, len(state.index.article_ids)), dtype=bool)
        if left_out in state.index.article_ids:
            # Absent, not zeroed after fusing: each part's lead of every other article is then measured
            # against the rest, as in calibration's leave-out samples.
            excluded[0, state.index.article_ids.index(left_out)] = True
        fused = state.fusion.score(parts, excluded)[0]
        return fused, {name: np.where(excluded[0], 0.0, m[0]) for name, m in parts.items()}

    # -- decisions ------------------------------------------------------------------------------

    def detect_language(self, text: str, *, hint: str | None = None, previous: str | None = None) -> str:
        """Pick the answer language for ``text`` (see :func:`nlu.language.detect_language`)."""
        return detect_language(text, hint=hint, previous=previous, default=self.default_language)

    def touches_sensitive_topic(self, text: str, language: str) -> bool:
        """Tell whether ``text`` (read as ``language``) touches a configured sensitive topic."""
        return self._sensitive(normalize(text), language)

    def _sensitive(self, normalized: str, language: str) -> bool:
        return self._topics.matches(normalized, set(lemmas(normalized, language)))

    def decide(
        self,
        text: str,
        *,
        language_hint: str | None = None,
        previous_language: str | None = None,
        recent_failures: int = 0,
        previous_answer: PreviousAnswer | None = None,
    ) -> Decision:
        """Decide what to do with one shopper message. Synchronous and CPU-bound; never raises on input.

        Args:
            text: The message as received.
            language_hint: The channel's language code, if any.
            previous_language: The conversation's language so far, if any.
            recent_failures: How many of the shopper's latest messages in a row got no answer.
            previous_answer: The bot's answer just before this message, if it was one: a short
                follow-up ("а до Києва?") is then also read in its context (:mod:`nlu.follow_up`).

        Returns:
            The decision, with candidates and an explanation for editors.
        """
        text = text if isinstance(text, str) else ""
        language = self.detect_language(text, hint=language_hint, previous=previous_language)
        normalized = normalize(text)
        state = self._state
        context = DecisionContext(
            language=language,
            normalized=normalized,
            asks_for_person=asks_for_person(normalized),
            frustrated=is_frustrated(text[:4000], normalized),
            swearing=swears(normalized),
            sensitive=self._sensitive(normalized, language),
            recent_failures=max(0, int(recent_failures)),
            thresholds=state.thresholds,
            signal_articles=state.signal_articles,
            article_ids=state.index.article_ids if state.index is not None else [],
            titles=state.titles,
            fusion_weights=state.fusion.weights() if state.fusion is not None else {},
        )
        if not context.has_content or state.index is None:
            return decide_action(context, np.zeros(0), {})
        query = self._prepare(text, language)
        fused, parts = self._score_query(state, query)
        context = replace(context, chatter=closer_to_chatter(query.ml_vector, state.chatter, parts.get("dense_ml")))
        decision = decide_action(context, fused, parts)
        if previous_answer and _open_to_context(decision) and not context.chatter and reads_as_follow_up(normalized):
            decision = self._in_context(state, context, text, decision, previous_answer)
        if _open_to_context(decision) and not context.chatter:
            decision = self._answer_each_question(state, context, text, decision)
        return decision

    def _in_context(self, state: _State, context: DecisionContext, text: str, alone: Decision,
                    previous: PreviousAnswer) -> Decision:
        """The decision for a follow-up (:func:`nlu.follow_up.decide_in_context`): the message read after the
        previous question; and, with the article just answered left out, that reading and the previous
        question's own (what the context suggested before the message added anything)."""
        parts = self._query_parts(state, self._prepare(with_context(text, previous), context.language))
        in_context = decide_action(context, *self._fused(state, parts))
        left_out = previous.article_id
        if left_out not in state.index.article_ids:
            # After a "Did you mean" no article was answered: there is nothing to leave out.
            return decide_in_context(alone, in_context, in_context, previous)
        elsewhere = decide_action(context, *self._fused(state, parts, left_out=left_out))
        asked = self._query_parts(state, self._prepare(previous.question, context.language))
        before, _ = self._fused(state, asked, left_out=left_out)
        return decide_in_context(alone, in_context, elsewhere, previous,
                                 before=dict(zip(state.index.article_ids, before.tolist(), strict=True)))

    def _answer_each_question(self, state: _State, context: DecisionContext, text: str, decision: Decision
                              ) -> Decision:
        """For a message of two or three questions, the answers to each when two or more get one.

        A confident answer to the whole message stays the main one (a question's elaboration must not
        displace it); the other questions' answers follow it in :attr:`Decision.also`. Each records the
        question it answers and its place among them (``asked_at``), so the bot sends them in the order
        asked whichever one the whole message matched best.
        """
        answers: list[Decision] = [decision] if decision.action == "answer" else []
        questions = split_questions(text)
        for question in questions:
            query = self._prepare(question, context.language)
            fused, parts = self._score_query(state, query)
            chatter = closer_to_chatter(query.ml_vector, state.chatter, parts.get("dense_ml"))
            found = decide_action(replace(context, normalized=query.normalized, chatter=chatter), fused, parts)
            if found.action != "answer":
                continue
            same = next((i for i, a in enumerate(answers) if a.article_id == found.article_id), None)
            if same is None:
                answers.append(_asked_by(found, question, questions.index(question)))
            elif "question" not in answers[same].explanation:
                # The question the whole message's answer answers: the one the figures record with it.
                answers[same] = _asked_by(answers[same], question, questions.index(question))
        if len(answers) < 2:
            return decision
        return replace(answers[0], also=tuple(answers[1:]))

    async def adecide(
        self,
        text: str,
        *,
        language_hint: str | None = None,
        previous_language: str | None = None,
        recent_failures: int = 0,
        previous_answer: PreviousAnswer | None = None,
    ) -> Decision:
        """Run :meth:`decide` on the engine's worker thread, keeping the event loop free."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor,
            lambda: self.decide(
                text,
                language_hint=language_hint,
                previous_language=previous_language,
                recent_failures=recent_failures,
                previous_answer=previous_answer,
            ),
        )

    def close(self) -> None:
        """Stop the worker thread (the shared model stays loaded for other engines)."""
        self._executor.shutdown(wait=False)


def _asked_by(decision: Decision, question: str, asked_at: int) -> Decision:
    return replace(decision, explanation={**decision.explanation, "question": question, "asked_at": asked_at})


def _open_to_context(decision: Decision) -> bool:
    # Scores decided it (an answer, or they fell short): a request for a person, anger or a sensitive topic
    # stays as decided.
    return decision.action in ("answer", "fallback", "clarify") or decision.reason == "low_confidence"


def _signal_articles(documents: list[Document]) -> frozenset[int]:
    # When most of an article's own questions ask for a person or sound angry, the shop wrote an answer
    # for exactly those messages ("How do I reach an agent?"), so a confident match is answered.
    hits: dict[int, list[bool]] = {}
    for d in documents:
        hits.setdefault(d.article, []).append(
            asks_for_person(d.normalized) or is_frustrated(d.text, d.normalized)
        )
    return frozenset(a for a, flags in hits.items() if sum(flags) * 2 > len(flags))
