"""Answers are written in a small Markdown subset and rendered safely for each channel.

The subset: paragraphs, line breaks, **bold**, *italic*, `code`, [links](https://…) and bullet or
numbered lists. Raw HTML is never passed through: ``<script>`` in an answer reaches the shopper as
the literal text ``<script>``. Links keep only safe schemes (http, https, mailto, tel, tg).
"""

from __future__ import annotations

from html import escape
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

Target = Literal["telegram", "viber", "web"]
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:", "tg://")

# "zero" preset: no raw HTML, no images, no headings or tables; we enable only the subset.
_parser = MarkdownIt("zero", {"breaks": True}).enable(["emphasis", "backticks", "link", "list", "newline"])

_TAGS = {
    "telegram": {"strong": "b", "em": "i"},
    "web": {"strong": "strong", "em": "em"},
}


def render(markdown: str, target: Target) -> str:
    """Render an answer for a channel.

    Args:
        markdown: The answer in the Markdown subset.
        target: "telegram" (Telegram HTML parse mode), "viber" (plain text) or "web" (HTML).

    Returns:
        Text safe to send with that channel's formatting; web HTML is safe to insert into a page.
    """
    return _Renderer(target).blocks(_parser.parse(markdown or ""))


def plain_text(markdown: str) -> str:
    """The answer without any markup (what Viber shows, and what is stored as the message text)."""
    return render(markdown, "viber")


def is_safe_link(href: str) -> bool:
    """Whether a link target uses a scheme that cannot run script."""
    return href.strip().lower().startswith(SAFE_SCHEMES)


class _Renderer:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.html = target != "viber"

    def blocks(self, tokens: list[Token]) -> str:
        parts: list[str] = []
        lists: list[dict] = []  # open lists: {"ordered", "counter", "items"}
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                lists.append({"ordered": kind == "ordered_list_open", "counter": int(token.attrs.get("start", 1)),
                              "items": []})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                finished = lists.pop()
                text = self._list(finished)
                if lists:
                    lists[-1]["items"][-1] += text if self.target == "web" else "\n" + text
                else:
                    parts.append(text)
            elif kind == "list_item_open":
                current = lists[-1]
                marker = f"{current['counter']}." if current["ordered"] else "•"
                current["counter"] += 1
                current["items"].append("" if self.target == "web" else "  " * (len(lists) - 1) + marker + " ")
            elif kind == "inline":
                text = self.inline(token.children or [])
                if lists:
                    lists[-1]["items"][-1] += text
                elif self.target == "web":
                    parts.append(f"<p>{text}</p>")
                else:
                    parts.append(text)
        return ("\n" if self.target == "web" else "\n\n").join(parts)

    def _list(self, finished: dict) -> str:
        if self.target != "web":
            return "\n".join(finished["items"])
        tag = "ol" if finished["ordered"] else "ul"
        return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in finished["items"]) + f"</{tag}>"

    def inline(self, children: list[Token]) -> str:
        out: list[str] = []
        links: list[str | None] = []  # href of each open link (None: unsafe, rendered as text)
        for child in children:
            kind = child.type
            if kind == "text":
                out.append(self._escape(child.content))
            elif kind == "code_inline":
                out.append(f"<code>{escape(child.content)}</code>" if self.html else child.content)
            elif kind in ("softbreak", "hardbreak"):
                out.append("<br>" if self.target == "web" else "\n")
            elif kind.endswith("_open") and kind[:-5] in ("strong", "em"):
                out.append(f"<{_TAGS[self.target][kind[:-5]]}>" if self.html else "")
            elif kind.endswith("_close") and kind[:-6] in ("strong", "em"):
                out.append(f"</{_TAGS[self.target][kind[:-6]]}>" if self.html else "")
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                links.append(href if is_safe_link(href) else None)
                if links[-1] and self.html:
                    extra = ' rel="nofollow noopener noreferrer" target="_blank"' if self.target == "web" else ""
                    out.append(f'<a href="{escape(href, quote=True)}"{extra}>')
                out.append("\x00")  # marks where the link text starts (plain text needs it)
            elif kind == "link_close":
                href = links.pop()
                start = len(out) - 1 - out[::-1].index("\x00")
                label = "".join(out[start + 1:])
                del out[start:]
                if href and self.html:
                    out.append(f"{label}</a>")
                elif href and label != href:
                    out.append(f"{label} ({href})")
                else:
                    out.append(label)
        return "".join(out)

    def _escape(self, text: str) -> str:
        return escape(text, quote=False) if self.html else text
