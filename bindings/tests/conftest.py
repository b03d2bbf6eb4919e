"""Fixtures for the puppies Python tests (run by ctest `python_tests`, PYTHONPATH=<build>/python)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import puppies


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[puppies.Engine]:
    """An open engine on a fresh database. synchronous_fanout makes feeds deterministic."""
    db = puppies.open(db_path, synchronous_fanout=True)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def users(engine: puppies.Engine) -> list[int]:
    """Five users: alice, bob, carol, dave, erin (ids in that order)."""
    return [engine.create_user(name) for name in ("alice", "bob", "carol", "dave", "erin")]


def all_items(list_page, *args, limit: int = 2) -> list:
    """Reads a whole list by following cursors, `limit` items per page."""
    items: list = []
    cursor = None
    while True:
        page = list_page(*args, limit=limit, cursor=cursor)
        items.extend(page.items)
        assert (page.next_cursor is None) == (not page.has_more)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor
