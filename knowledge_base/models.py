"""Knowledge-base tables: articles, their language variants, saved versions, the revision counter, the
unanswered inbox and what happened after each answer (feedback, hand-offs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import models as _core_models  # noqa: F401  (registers the tables referenced below)
from core.database import Base, JSONType, UTCDateTime, utcnow

ARTICLE_STATUSES = ("draft", "published", "archived")
# Why a shopper's message landed in the unanswered inbox.
UNANSWERED_REASONS = ("fallback", "low_confidence", "not_helpful")


class Article(Base):
    """One answerable topic; ``version`` guards against two editors overwriting each other."""

    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The language the other variants are translated from; a translation older than it is stale.
    source_language: Mapped[str] = mapped_column(String(8), default="uk")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    variants: Mapped[list[ArticleVariant]] = relationship(
        back_populates="article", cascade="all, delete-orphan", lazy="selectin", order_by="ArticleVariant.language"
    )

    # SQLAlchemy adds "AND version = :old" to every UPDATE: a concurrent save fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}

    def variant(self, language: str) -> ArticleVariant | None:
        """The variant in ``language``, if the article has one."""
        return next((v for v in self.variants if v.language == language), None)


class ArticleVariant(Base):
    """The answer and example questions of an article in one language."""

    __tablename__ = "kb_article_variants"
    __table_args__ = (UniqueConstraint("article_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(String(255))  # None: the article's title
    answer: Mapped[str] = mapped_column(Text)
    questions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # When the answer or questions last changed, and which state of the source variant this one
    # was written against (equal to its own time for the source variant itself).
    content_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="variants")


class ArticleVersion(Base):
    """A snapshot of an article after one save: who, when, what changed against the previous one."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create | update | publish | restore | import
    snapshot: Mapped[dict] = mapped_column(JSONType)  # the article in its exchange shape
    diff: Mapped[str] = mapped_column(Text, default="")  # unified diff against the previous version
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnowledgeBaseRevision(Base):
    """One row counting the saves to the knowledge base (see :mod:`knowledge_base.revision`)."""

    __tablename__ = "kb_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class UnansweredQuestion(Base):
    """A shopper message the bot could not answer well, waiting in the editors' inbox."""

    __tablename__ = "kb_unanswered"
    __table_args__ = (Index("ix_kb_unanswered_open", "resolved_article_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16))  # see UNANSWERED_REASONS
    article_slug: Mapped[str | None] = mapped_column(String(128))  # the answer marked not helpful
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # Set when an editor turned this question's group into an article: it leaves the inbox.
    resolved_article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id", ondelete="SET NULL"))
    # Set when an editor dismissed it (nothing to write: a 👎 on a right answer, chatter): it leaves the inbox.
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnswerRecord(Base):
    """One time the bot answered with an article, and the shopper's 👍/👎 on it."""

    __tablename__ = "kb_answers"
    __table_args__ = (
        Index("ix_kb_answers_article", "article_id", "created_at"),
        Index("ix_kb_answers_conversation", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    feedback: Mapped[str | None] = mapped_column(String(8))  # None | "up" | "down"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
