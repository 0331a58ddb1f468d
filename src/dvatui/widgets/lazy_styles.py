"""Component class styles worked out when a widget first asks for them.

Textual works out the style of every component class of a widget each time it styles the
widget: at mount, when its screen resumes, on every focus change in it. The note, quiz and
tree panes declare 16, 11 and 20 of them, and the first frame of the main screen used about
160 such passes (~7.6 ms of the time to a usable screen, measured in a pty at 80x24), while
it paints with a handful. ``LazyComponentStyles`` works a component's style out the first
time ``get_component_styles`` asks for it, and after each restyle of the widget works out
again only those already asked for (refreshing the widget if one changed, as Textual does).
What a widget paints is the same.

It leans on two DOMNode internals: ``_get_component_classes`` (what the stylesheet
processes on each restyle) and ``_component_styles`` (the styles by name).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.css.styles import RenderStyles

    _Base = DOMNode
else:
    _Base = object

_declared = DOMNode._get_component_classes.__func__  # type: ignore[attr-defined]


@cache
def declared_component_classes(cls: type[DOMNode]) -> frozenset[str]:
    """The component classes ``cls`` declares and inherits."""
    found: frozenset[str] = _declared(cls)
    return found


class LazyComponentStyles(_Base):
    """Mixin for a widget (before its Textual base): component styles on first use."""

    @classmethod
    def _get_component_classes(cls) -> frozenset[str]:  # type: ignore[override]
        return frozenset()  # the stylesheet works none out when it styles the widget

    def get_component_styles(self, *names: str) -> RenderStyles:
        known = self._component_styles
        for name in names:
            if name not in known:
                if name not in declared_component_classes(type(self)):
                    raise KeyError(f"No {name!r} key in COMPONENT_CLASSES")
                known[name] = self._work_out(name)
        return super().get_component_styles(*names)

    def _work_out(self, name: str) -> RenderStyles:
        virtual = DOMNode(classes=name)
        virtual._attach(self)
        self.app.stylesheet.apply(virtual, animate=False)
        return virtual.styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        known = self._component_styles
        if not known or not self.is_attached:
            return
        changed = False
        for name, old in list(known.items()):
            new = known[name] = self._work_out(name)
            changed = changed or new != old
        if changed:
            self.refresh()
