"""What every channel adapter turns a shopper's update into, and what the flow hands back."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from bots.normalize import storable

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.bus import EventBus
    from core.models import Conversation, Customer, Identity, Message
    from core.settings import Settings


# Attachments that carry the shopper's own words as a caption (Telegram ``caption``, Viber ``text``).
CAPTIONED_KINDS = frozenset({"photo", "picture", "document", "file", "video", "animation", "audio", "voice"})


@dataclass(frozen=True)
class InboundMessage:
    """One shopper update, normalised by a channel adapter.

    Attributes:
        channel: "telegram" | "viber" | "webchat".
        user_id: the sender's id on the channel (becomes ``Identity.external_id``).
        chat_id: where replies go on the channel.
        dedup_key: unique per channel for this update (Telegram update_id, Viber message_token,
            web chat client message id); a repeat is ignored.
        kind: text, start, contact, callback, photo, document, voice, sticker, video, location, ...
        text: what the shopper wrote; for callbacks the pressed button's data (every channel stores
            that; the label, where the channel reports it, is ``payload["label"]``).
        payload: channel details: attachments (file ids), deep-link payload, callback data, raw ids.
        phone: a phone number the channel vouches belongs to the sender (own shared contact only).
        language_hint: the channel's language code for the sender (Telegram language_code, Viber language).
    """

    channel: str
    user_id: str
    chat_id: str
    dedup_key: str | None
    kind: str = "text"
    text: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    display_name: str | None = None
    username: str | None = None
    phone: str | None = None
    language_hint: str | None = None
    sent_at: datetime | None = None

    @property
    def reads_as_text(self) -> bool:
        """Whether the bot reads this update as words: text, an edit of it, or an attachment with a caption.

        A photo captioned "чи є такий в наявності?" is a question like any other (found by QA: it got
        "I can only read text"); the attachment stays on the message for the agents. Which edits are
        answered is :mod:`bots.steps.edits`'s choice.
        """
        return self.kind == "text" or (self.kind in (*CAPTIONED_KINDS, "edited") and bool(self.text.strip()))

    def __post_init__(self) -> None:
        # Every channel builds one of these, so text a database cannot store is made storable here once.
        for name in (f.name for f in fields(self) if f.name != "sent_at"):
            object.__setattr__(self, name, storable(getattr(self, name)))


@dataclass(frozen=True)
class Button:
    """A reply button: ``data`` comes back as a callback when pressed."""

    text: str
    data: str


@dataclass
class Reply:
    """A message for the shopper, written to the outbox in the same transaction as the inbound one.

    Attributes:
        keyboard: "inline" (buttons under the message, pressed → callback), "contact" (ask to share
            the phone number) or None.
    """

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: Literal["inline", "contact"] | None = None
    author: Literal["bot", "system"] = "bot"
    meta: dict[str, Any] = field(default_factory=dict)  # stored on the message payload (NLU decision, ...)

    def to_payload(self) -> dict[str, Any]:
        """The outbox payload every messenger understands."""
        return {
            "text": self.text,
            "keyboard": self.keyboard,
            "buttons": [[{"text": b.text, "data": b.data} for b in row] for row in self.buttons],
        }


@dataclass
class FlowContext:
    """Everything a flow step needs about the current inbound message; steps fill ``replies``.

    A step that fully handled the message sets ``done`` so later steps are skipped.
    """

    session: AsyncSession
    settings: Settings
    bus: EventBus
    inbound: InboundMessage
    customer: Customer
    identity: Identity
    conversation: Conversation
    message: Message
    services: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    decision: Any = None  # the NLU decision, once the answer step has made it
    # The tags of the article the message is about (answered, or the best unsure guess): hand-off rules, routing.
    topics: list[str] = field(default_factory=list)
    events: list[tuple[str, dict]] = field(default_factory=list)  # published after commit
    done: bool = False

    def reply(self, text: str, **options: Any) -> Reply:
        """Queue a reply to the shopper and return it."""
        reply = Reply(text, **options)
        self.replies.append(reply)
        return reply

    def publish_after_commit(self, topic: str, event: dict) -> None:
        """Publish ``event`` once the transaction has committed (so listeners see the data)."""
        self.events.append((topic, event))
