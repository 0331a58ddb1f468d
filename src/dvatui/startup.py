"""Start-up: the cyclic garbage collector waits until the first frame is on screen.

Importing Textual and dvatui and building the first screen allocate a few hundred thousand
objects that all stay alive, yet each batch of 700 new objects starts a collection: about
180 collections before the first frame, 35 ms of the time to a usable screen (measured with
``gc.callbacks``). So ``dvatui`` (the console script, ``python -m dvatui``) pauses the
collector before it imports anything, and the app resumes it after its first frame, with
``gc.freeze()`` first: what start-up built moves to the permanent generation, which later
full collections skip. Subcommands resume it at once. Textual pauses the collector the same
way during smooth scrolling (``App.PAUSE_GC_ON_SCROLL``).
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """Stop automatic collections until ``resume_collector`` (only if they were on)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Keep what exists now out of later collections, and collect automatically again.
    Does nothing unless ``pause_collector`` paused the collector."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
