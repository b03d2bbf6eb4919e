"""C11: one process per database. Opening a database that another process (or this one) has
open raises StorageError saying it is locked; the engine that has it open is unaffected, and
once it closes the database opens elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import puppies

# Prints "opened", or "<code> | <message>" for a StorageError.
_CHILD = """
import sys, puppies
try:
    puppies.open(sys.argv[1]).close()
    print("opened")
except puppies.StorageError as e:
    print(e.code, "|", e)
"""


def open_in_another_process(db_path: Path) -> str:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(db_path)], capture_output=True,
                         text=True, timeout=60, env=os.environ.copy())
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_another_process_is_told_the_database_is_locked(db_path: Path) -> None:
    with puppies.open(db_path, synchronous_fanout=True) as db:
        alice = db.create_user("alice")
        code, _, message = open_in_another_process(db_path).partition(" | ")
        assert code == "io_error"
        assert "is locked" in message and str(db_path) in message

        # The first engine carries on: it writes, reads and passes its own check.
        bob = db.create_user("bob")
        assert db.follow(bob, alice)
        post = db.post(alice, "still here")
        assert [p.id for p in db.home_feed(bob).items] == [post]
        assert db.get_user(alice).follower_count == 1
        assert db.check() == []
    assert open_in_another_process(db_path) == "opened"


def test_this_process_is_told_the_database_is_locked(db_path: Path) -> None:
    with puppies.open(db_path) as db:
        with pytest.raises(puppies.StorageError, match="is locked") as info:
            puppies.open(db_path)
        assert info.value.code == "io_error" and isinstance(info.value, OSError)
        assert db.create_user("carol") > 0
    puppies.open(db_path).close()
