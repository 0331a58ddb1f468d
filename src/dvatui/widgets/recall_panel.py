"""One flashcard at a time, reviewed as recall: the front, ``space`` shows the back, then the
learner rates how well they knew it on 1-4 (Again, Hard, Good, Easy, as in Anki).

The panel only shows and posts: :class:`CardRated` when a rating key is pressed, and
``SectionRequested`` for ``r`` (read the note the card is written in). The screen records
the rating through the study session and calls :meth:`show` with the next card.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from dvatui.domain.model import Flashcard
from dvatui.messages import SectionRequested
from dvatui.widgets.markup import InlineStyles, component_style, inline_markdown

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


class CardRated(Message):
    """The learner rated a flashcard 1 (Again) to 4 (Easy)."""

    def __init__(self, card_id: str, rating: int) -> None:
        super().__init__()
        self.card_id = card_id
        self.rating = rating


class RecallPanel(VerticalScroll, can_focus=True):
    """A flashcard: front, then (``space``) back and the four ratings."""

    COMPONENT_CLASSES = {"recall-panel--code", "recall-panel--muted", "recall-panel--key"}

    DEFAULT_CSS = """
    RecallPanel {
        height: 1fr;
        & > .recall-panel--code { color: $text-accent; background: $boost; }
        & > .recall-panel--muted { color: $text-muted; }
        & > .recall-panel--key { color: $accent; text-style: bold; }
        & > #recall-body { height: auto; }
    }
    """

    BINDINGS = [
        Binding("space", "reveal", "Show answer", id="recall-reveal"),
        Binding("1", "rate(1)", "Again", id="recall-again"),
        Binding("2", "rate(2)", "Hard", id="recall-hard"),
        Binding("3", "rate(3)", "Good", id="recall-good"),
        Binding("4", "rate(4)", "Easy", id="recall-easy"),
        Binding("r", "read", "Read note", id="recall-read", tooltip="Open the note it is in"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.card: Flashcard | None = None
        self.revealed = False
        self.heading: RenderableType = Text("")
        self.shown: RenderableType = Group()
        """What the panel shows now (a Rich renderable)."""
        self.when: dict[int, str] = {}
        """Rating -> when the card would come back, shown next to the rating keys."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="recall-body")

    def show(
        self,
        card: Flashcard | None,
        heading: RenderableType = "",
        when: dict[int, str] | None = None,
    ) -> None:
        """Show a card's front (None: only ``heading``, e.g. that the review is done)."""
        self.card = card
        self.revealed = False
        self.heading = heading
        self.when = when or {}
        self.scroll_home(animate=False)
        self._render_body()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.card is not None and not self.revealed
        if action == "rate":
            return self.card is not None and self.revealed
        if action == "read":
            return self.card is not None
        return True

    def action_reveal(self) -> None:
        """Show the back of the card."""
        if self.card is not None and not self.revealed:
            self.revealed = True
            self._render_body()
            self.refresh_bindings()

    def action_rate(self, rating: int) -> None:
        """Rate the card (only once its back is shown)."""
        if self.card is not None and self.revealed:
            self.post_message(CardRated(self.card.id, rating))

    def action_read(self) -> None:
        """Ask to read the note the card is written in."""
        if self.card is not None:
            self.post_message(SectionRequested(self.card.section_id, None))

    def _render_body(self) -> None:
        body = self.query_one("#recall-body", Static)
        card = self.card
        if card is None:  # nothing to review: the heading says why (or nothing)
            self.shown = Group(self.heading)
            body.update(self.shown)
            return
        styles = InlineStyles(code=component_style(self, "recall-panel--code"))
        muted = component_style(self, "recall-panel--muted")
        parts: list[RenderableType] = [self.heading, Text("")]
        parts += [_lines(card.front, styles, "bold"), Text("")]
        if not self.revealed:
            parts.append(Text("space: show the answer", style=muted))
        else:
            parts += [Rule(style=muted), _lines(card.back, styles, ""), Text("")]
            key = component_style(self, "recall-panel--key")
            line = Text("How well did you know it?  ", style=muted)
            for rating, name in RATINGS.items():
                line.append(f"{rating}", style=key)
                line.append(f" {name}")
                if rating in self.when:
                    line.append(f" ({self.when[rating]})", style=muted)
                line.append("  ")
            parts.append(line)
        self.shown = Group(*parts)
        body.update(self.shown)


def _lines(source: str, styles: InlineStyles, style: str) -> Text:
    """A card side: each of its lines as inline Markdown (multi-line cards keep lines)."""
    text = Text(style=style)
    for number, line in enumerate(source.split("\n")):
        if number:
            text.append("\n")
        text.append_text(inline_markdown(line, styles))
    return text
