"""S9 python_boundary: hostile Python values must raise Python exceptions, never crash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import puppies

BAD_IDS = [
    (0, puppies.InvalidArgumentError),
    (-1, puppies.InvalidArgumentError),
    (2**64, puppies.InvalidArgumentError),
    (2**64 + 1, puppies.InvalidArgumentError),
    (-(2**64), puppies.InvalidArgumentError),
    (10**100, puppies.InvalidArgumentError),
    (None, TypeError),
    (1.0, TypeError),
    ("1", TypeError),
    (b"1", TypeError),
    (True, TypeError),
    ([1], TypeError),
]

ID_METHODS = ["get_user", "get_post", "followers", "following", "user_timeline", "home_feed", "likers",
              "liked_posts", "bookmarks", "replies", "thread"]
PAIR_METHODS = ["follow", "unfollow", "is_following", "block", "unblock", "is_blocking", "mute", "unmute",
                "is_muting", "like", "unlike", "has_liked", "bookmark", "unbookmark", "has_bookmarked",
                "delete_post", "edit_post"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[puppies.Engine, int]]:
    """One engine with one user for the many read-only id checks (opening one per case is slow)."""
    with puppies.open(tmp_path_factory.mktemp("boundary") / "db") as db:
        yield db, db.create_user("alice")


@pytest.mark.parametrize("bad, exc", BAD_IDS, ids=repr)
@pytest.mark.parametrize("method", ID_METHODS)
def test_bad_ids(shared: tuple[puppies.Engine, int], method: str, bad: object, exc: type) -> None:
    engine, _ = shared
    with pytest.raises(exc):
        getattr(engine, method)(bad)


@pytest.mark.parametrize("bad, exc", BAD_IDS, ids=repr)
@pytest.mark.parametrize("method", PAIR_METHODS)
def test_bad_ids_in_pairs(shared: tuple[puppies.Engine, int], method: str, bad: object,
                          exc: type) -> None:
    engine, uid = shared
    with pytest.raises(exc):
        getattr(engine, method)(uid, bad)
    with pytest.raises(exc):
        getattr(engine, method)(bad, uid)


def test_shared_engine_is_untouched(shared: tuple[puppies.Engine, int]) -> None:
    engine, uid = shared
    user = engine.get_user(uid)
    assert (user.follower_count, user.following_count, user.post_count) == (0, 0, 0)
    assert engine.check() == []


def test_out_of_range_ints_everywhere(engine: puppies.Engine) -> None:
    uid = engine.create_user("alice")
    pid = engine.post(uid, "hi")
    for bad in (-1, 2**64, 2**200):
        with pytest.raises(puppies.InvalidArgumentError):
            engine.post(uid, "x", reply_to=bad)
        with pytest.raises(puppies.InvalidArgumentError):
            engine.followers(uid, limit=bad)
        with pytest.raises(puppies.InvalidArgumentError):
            engine.get_posts([pid, bad])
        with pytest.raises(puppies.InvalidArgumentError):
            engine.import_follows([(uid, bad)])
        with pytest.raises(puppies.InvalidArgumentError):
            puppies.Media("u", "m", width=bad)
    with pytest.raises(puppies.InvalidArgumentError, match=r"must be in 0\.\.9223372036854775807"):
        engine.post(uid, "x", created_at=2**63)
    with pytest.raises(puppies.InvalidArgumentError, match=r"limit is -1, must be in 1\.\.1000"):
        engine.followers(uid, limit=-1)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.post(uid, "x", created_at=-(2**70))
    with pytest.raises(ValueError):  # the id message names the range
        engine.get_user(-5)
    assert engine.check() == []


SURROGATES = ["\ud800", "abc\udfffdef", "\udc80"]


@pytest.mark.parametrize("text", SURROGATES, ids=repr)
def test_lone_surrogates(engine: puppies.Engine, text: str, tmp_path: Path) -> None:
    uid = engine.create_user("alice")
    calls = [
        lambda: engine.create_user(text),
        lambda: engine.create_user("bob", display_name=text),
        lambda: engine.create_user("bob", bio=text),
        lambda: engine.find_user(text),
        lambda: engine.update_user(uid, bio=text),
        lambda: engine.post(uid, text),
        lambda: engine.post(uid, "ok", media=[{"url": text, "mime_type": "image/png"}]),
        lambda: engine.post(uid, "ok", media=[puppies.Media("u", "m", alt_text=text)]),
        lambda: engine.followers(uid, cursor=text),
        lambda: engine.home_feed(uid, cursor=text),
        # os.fsencode maps "\udc80" to the byte 0x80 (surrogateescape): a valid, absent path.
        lambda: puppies.open(tmp_path / text, create_if_missing=False),
    ]
    for call in calls:
        with pytest.raises((puppies.InvalidArgumentError, ValueError, puppies.NotFoundError, OSError)):
            call()
    assert engine.find_user("bob") is None
    assert engine.get_user(uid).post_count == 0
    with pytest.raises(puppies.InvalidArgumentError, match="utf-8"):
        engine.post(uid, text)


def test_bytes_are_not_str(engine: puppies.Engine) -> None:
    uid = engine.create_user("alice")
    with pytest.raises(TypeError):
        engine.create_user(b"bob")
    with pytest.raises(TypeError):
        engine.create_user("bob", bio=b"bio")
    with pytest.raises(TypeError):
        engine.post(uid, b"hello")
    with pytest.raises(TypeError):
        engine.find_user(b"alice")
    with pytest.raises(TypeError):
        engine.followers(uid, cursor=b"")
    with pytest.raises(TypeError):
        engine.post(uid, "x", media=[{"url": b"u", "mime_type": "m"}])
    with pytest.raises(TypeError):
        puppies.Media(b"u", "m")
    assert engine.find_user("bob") is None


def test_none_where_a_value_is_required(engine: puppies.Engine) -> None:
    uid = engine.create_user("alice")
    for call in (
        lambda: engine.create_user(None),
        lambda: engine.create_user("bob", display_name=None),
        lambda: engine.post(uid, None),
        lambda: engine.followers(uid, limit=None),
        lambda: engine.import_follows(None),
        lambda: engine.import_follows([None]),
        lambda: engine.get_posts(None),
        lambda: engine.get_posts([None]),
        lambda: engine.find_user(None),
    ):
        with pytest.raises(TypeError):
            call()
    # None is fine where it means "absent".
    engine.update_user(uid, display_name=None, bio=None)
    assert engine.followers(uid, cursor=None).items == []
    pid = engine.post(uid, "x", media=None, reply_to=None, created_at=None)
    assert engine.get_post(pid).reply_to is None


def test_awkward_but_valid_text(engine: puppies.Engine) -> None:
    uid = engine.create_user("alice")
    for text in ("emoji 🐶🐕", "\U0010ffff", "日本語のテキスト", "tab\tand\nnewline"):
        pid = engine.post(uid, text)
        assert engine.get_post(pid).text == text
    for bad in ("nul\x00inside", "bell\x07"):
        with pytest.raises(puppies.InvalidArgumentError):
            engine.post(uid, bad)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.create_user("a" * 31)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.create_user("x" * 1_000_000)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.followers(uid, cursor="A" * 100_000)


class Index:
    """An int-like object (numpy-style __index__)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def test_index_objects_are_ints(engine: puppies.Engine) -> None:
    uid = engine.create_user("alice")
    assert engine.get_user(Index(uid)).id == uid  # type: ignore[arg-type]
    with pytest.raises(puppies.InvalidArgumentError):
        engine.get_user(Index(-1))  # type: ignore[arg-type]
