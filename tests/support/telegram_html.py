"""Telegram's HTML parse mode as the Bot API applies it: the text a message shows, or why it is refused.

The Telegram double checks every ``sendMessage`` with it, so HTML the real API would refuse is
refused in the tests too. The tags are the Bot API's formatting options; the error messages follow
its parser's wording (``Unsupported start tag "foo" at byte offset 3``, ``Unmatched end tag at byte
offset 9, expected "</i>", found "</b>"``, ``Can't find end tag corresponding to start tag "b"``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                  "pre", "blockquote", "tg-emoji"})
# The only named entities Telegram decodes; any other (&nbsp;) stays in the text as typed.
ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[^\s>]*")  # Telegram reads a tag's name up to a space or ">"


class UnparsableHtml(ValueError):
    """Telegram would answer 400 "Bad Request: can't parse entities: " and this message."""


def visible_text(markup: str) -> str:
    """The text Telegram shows for ``markup`` sent with parse mode HTML: tags dropped, entities decoded.

    Raises:
        UnparsableHtml: an unsupported tag (or a bare ``<``, a comment), an end tag closing nothing
            or not the innermost open tag, a tag left open, a ``span`` without class ``tg-spoiler``.
    """
    parser = _TelegramHtml(markup)
    parser.feed(markup)
    parser.close()
    if parser.open_tags:
        raise UnparsableHtml(f'Can\'t find end tag corresponding to start tag "{parser.open_tags[-1]}"')
    return "".join(parser.text)


class _TelegramHtml(HTMLParser):
    """Collects the text and checks the tags as Telegram does; raises :class:`UnparsableHtml` at the first fault."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=False)  # entities one by one: Telegram decodes only a few
        self.markup = markup
        self.text: list[str] = []
        self.open_tags: list[str] = []
        self._line_starts = [0] + [index + 1 for index, char in enumerate(markup) if char == "\n"]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self._refuse_tag()
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise UnparsableHtml(f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset()}')
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise UnparsableHtml(f"Unexpected end tag at byte offset {self._byte_offset()}")
        if self.open_tags[-1] != tag:
            raise UnparsableHtml(f"Unmatched end tag at byte offset {self._byte_offset()}, "
                                 f'expected "</{self.open_tags[-1]}>", found "</{tag}>"')
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:  # html.parser passes a "<" that opens no tag as text; to Telegram every "<" opens one
            self._refuse_tag(data.index("<"))
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.text.append(ENTITIES.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name[0] in "xX" else int(name)
        self.text.append(chr(code) if 0 < code < 0x10FFFF else f"&#{name};")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._refuse_tag()  # "<br/>" is a tag named "br/" to Telegram

    def handle_comment(self, data: str) -> None:
        self._refuse_tag()

    handle_decl = handle_pi = unknown_decl = handle_comment

    def _refuse_tag(self, ahead: int = 0) -> None:
        name = _TAG_NAME.match(self.markup, self._index() + ahead + 1).group().lower()
        raise UnparsableHtml(f'Unsupported start tag "{name}" at byte offset {self._byte_offset(ahead)}')

    def _index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self, ahead: int = 0) -> int:
        """The UTF-8 offset Telegram reports, of the current tag (or ``ahead`` characters after it)."""
        return len(self.markup[:self._index() + ahead].encode())
