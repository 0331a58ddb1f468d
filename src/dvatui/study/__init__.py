"""The learner's study session: notes, data file and clock behind every screen (no Textual)."""

from dvatui.study.session import (
    BookmarkEntry,
    Clock,
    Location,
    SaveFailure,
    StudySession,
    utc_now,
)

__all__ = [
    "BookmarkEntry",
    "Clock",
    "Location",
    "SaveFailure",
    "StudySession",
    "utc_now",
]
