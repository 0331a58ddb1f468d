"""The Textual-free core: notes, quizzes, search and progress.

Nothing in this package imports Textual; the UI calls it, never the reverse.
"""
