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


def spellings(db_path: Path) -> list[str]:
    """Other paths to the same directory (issue 9): each must be refused while it is open."""
    link = db_path.parent / "link"
    link.symlink_to(db_path)
    rel = os.path.relpath(db_path)
    return [f"{db_path}/", f"{db_path}//", f"{db_path}/.", f"{db_path}/./",
            f"{db_path.parent}//{db_path.name}",
            f"{db_path.parent}/../{db_path.parent.name}/{db_path.name}", rel, "./" + rel, str(link)]


def test_other_spellings_of_the_path_are_locked_too(db_path: Path) -> None:
    with puppies.open(db_path) as db:
        alice = db.create_user("alice")
        for spelling in spellings(db_path):
            with pytest.raises(puppies.StorageError, match="is locked"):
                puppies.open(spelling)
            code, _, message = open_in_another_process(Path(spelling)).partition(" | ")
            assert code == "io_error" and "locked" in message, (spelling, message)
        # Every refusal left the first handle's lock and data alone.
        assert open_in_another_process(db_path).startswith("io_error")
        assert db.get_user(alice).username == "alice"
        assert db.check() == []
    with puppies.open(f"{db_path}/.") as again:
        assert again.get_user(alice).username == "alice"
        assert again.check() == []
