"""open() options, close/reopen, the context manager and ClosedError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import puppies

OPTIONS = dict(
    fanout_threshold=5,
    fanout_hysteresis_percent=20,
    inbox_cap=100,
    synchronous_fanout=True,
    sync=True,
    create_if_missing=True,
    error_if_exists=False,
    background_threads=1,
    fanout_batch_size=10,
    inline_fanout_followers=2,
    inline_follow_updates=False,
    block_cache_bytes=1 << 20,
    object_cache_bytes=1 << 16,
    write_buffer_bytes=4 << 20,
    max_post_bytes=10,
    max_display_name_bytes=8,
    max_bio_bytes=16,
    max_media_items=1,
)


def test_every_option_is_accepted(db_path: Path) -> None:
    with puppies.open(db_path, **OPTIONS) as db:
        uid = db.create_user("alice")
        db.post(uid, "0123456789")
        with pytest.raises(puppies.InvalidArgumentError):
            db.post(uid, "01234567890")  # max_post_bytes=10
        with pytest.raises(puppies.InvalidArgumentError):
            db.create_user("bob", display_name="x" * 9)  # max_display_name_bytes=8
        with pytest.raises(puppies.InvalidArgumentError):
            db.update_user(uid, bio="x" * 17)  # max_bio_bytes=16
        with pytest.raises(puppies.InvalidArgumentError):
            db.post(uid, "two", media=[{"url": "u", "mime_type": "m"}] * 2)  # max_media_items=1


def test_option_errors(db_path: Path) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'fanout_pull_threshold'"):
        puppies.open(db_path, fanout_pull_threshold=1)
    with pytest.raises(TypeError):
        puppies.open(db_path, sync=1)  # bools must be bool
    with pytest.raises(TypeError):
        puppies.open(db_path, inbox_cap="800")
    with pytest.raises(TypeError):
        puppies.open(db_path, inbox_cap=1.5)
    with pytest.raises(TypeError):
        puppies.open(db_path, "positional")  # type: ignore[misc]
    with pytest.raises(puppies.InvalidArgumentError, match="inbox_cap"):
        puppies.open(db_path, inbox_cap=0)
    with pytest.raises(puppies.InvalidArgumentError, match="inbox_cap"):
        puppies.open(db_path, inbox_cap=-1)
    with pytest.raises(puppies.InvalidArgumentError, match="background_threads"):
        puppies.open(db_path, background_threads=2**32)
    with pytest.raises(puppies.InvalidArgumentError):
        puppies.open("")
    with pytest.raises(TypeError):
        puppies.open(None)  # type: ignore[arg-type]
    assert not db_path.exists()  # nothing was created by the failures


def test_open_modes(db_path: Path) -> None:
    with pytest.raises(puppies.NotFoundError) as info:
        puppies.open(db_path, create_if_missing=False)
    assert info.value.code == "not_found"
    puppies.open(db_path).close()
    with pytest.raises(puppies.AlreadyExistsError):
        puppies.open(db_path, error_if_exists=True)
    puppies.open(db_path, create_if_missing=False).close()
    # str, bytes and os.PathLike paths all work
    puppies.open(str(db_path)).close()
    puppies.open(os.fsencode(db_path)).close()


def test_close_and_reopen_keep_data(db_path: Path) -> None:
    db = puppies.open(db_path)
    a, b, c = db.create_user("alice"), db.create_user("bob"), db.create_user("carol")
    db.follow(a, b)
    db.follow(c, b)
    pid = db.post(b, "persisted")
    db.like(a, pid)
    db.wait_idle()
    feed = db.home_feed(a)
    cursor = db.followers(b, limit=1).next_cursor
    assert not db.closed
    db.close()
    assert db.closed
    db.close()  # idempotent

    with puppies.open(db_path, create_if_missing=False) as db2:
        assert db2.find_user("alice").id == a
        assert db2.is_following(a, b)
        assert db2.get_post(pid).like_count == 1
        assert db2.home_feed(a) == feed
        assert db2.followers(b, limit=1, cursor=cursor).items == [a]  # cursors survive restarts
        assert db2.check() == []


def test_context_manager_closes(db_path: Path) -> None:
    with puppies.open(db_path) as db:
        assert isinstance(db, puppies.Engine)
        assert not db.closed
        assert repr(db) == f"<puppies.Engine path={str(db_path)!r} open>"
    assert db.closed
    assert repr(db).endswith(" closed>")
    with pytest.raises(puppies.ClosedError):
        with db:
            pass

    with pytest.raises(RuntimeError):  # exceptions propagate, the engine still closes
        with puppies.open(db_path) as db3:
            raise RuntimeError("boom")
    assert db3.closed
    puppies.open(db_path).close()  # the lock was released


# Every public method with valid-looking arguments.
CALLS = {
    "create_user": ("zed",),
    "get_user": (1,),
    "find_user": ("alice",),
    "update_user": (1,),
    "follow": (1, 2),
    "unfollow": (1, 2),
    "is_following": (1, 2),
    "followers": (1,),
    "following": (1,),
    "block": (1, 2),
    "unblock": (1, 2),
    "is_blocking": (1, 2),
    "is_muting": (1, 2),
    "mute": (1, 2),
    "unmute": (1, 2),
    "import_follows": ([(1, 2)],),
    "post": (1, "text"),
    "get_post": (1,),
    "get_posts": ([1],),
    "delete_post": (1, 1),
    "edit_post": (1, 1),
    "user_timeline": (1,),
    "replies": (1,),
    "hashtag_feed": ("cats",),
    "thread": (1,),
    "like": (1, 1),
    "unlike": (1, 1),
    "has_liked": (1, 1),
    "likers": (1,),
    "liked_posts": (1,),
    "bookmark": (1, 1),
    "unbookmark": (1, 1),
    "has_bookmarked": (1, 1),
    "bookmarks": (1,),
    "add_comment": (1, 1, "text"),
    "get_comment": (1,),
    "delete_comment": (1, 1),
    "comments": (1,),
    "home_feed": (1,),
    "wait_idle": (),
    "check": (),
    "repair": (),
    "compact": (),
    "stats": (),
}


def test_calls_table_covers_every_method() -> None:
    public = {n for n in dir(puppies.Engine) if not n.startswith("_")}
    assert public - set(CALLS) == {"close", "closed", "path", "iter_home_feed"}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_closed_error_after_close(db_path: Path, name: str) -> None:
    db = puppies.open(db_path)
    db.create_user("alice")
    db.create_user("bob")
    db.close()
    with pytest.raises(puppies.ClosedError) as info:
        getattr(db, name)(*CALLS[name])
    err = info.value
    assert isinstance(err, puppies.FailedPreconditionError) and isinstance(err, puppies.Error)
    assert err.code == "failed_precondition"


def test_closed_error_from_generator(db_path: Path) -> None:
    db = puppies.open(db_path)
    uid = db.create_user("alice")
    db.close()
    with pytest.raises(puppies.ClosedError):
        next(db.iter_home_feed(uid))


def test_second_process_gets_a_clean_lock_error(db_path: Path) -> None:
    """C11: a second process opening the same path gets StorageError; the first is unaffected."""
    with puppies.open(db_path) as db:
        uid = db.create_user("alice")
        code = (
            "import sys, puppies\n"
            "try:\n"
            "    puppies.open(sys.argv[1])\n"
            "except puppies.StorageError as e:\n"
            "    print(e.code, isinstance(e, OSError))\n"
        )
        out = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True,
                             text=True, timeout=60, env=os.environ.copy())
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "io_error True"
        assert db.get_user(uid).username == "alice"
