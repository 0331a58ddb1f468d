"""Pilot-test fixtures: the app on the small test notes, with its data in a temp folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dvatui.app import DvaApp, make_app

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "dvatui.json"


@pytest.fixture
def app_factory(db_path: Path) -> Callable[..., DvaApp]:
    def factory(notes: Path = NOTES) -> DvaApp:
        return make_app(notes=notes, db_path=db_path)

    return factory
