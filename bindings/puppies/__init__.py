"""puppies: an embeddable social-graph and feed engine on RocksDB.

Quick start::

    import puppies

    with puppies.open("/tmp/social") as db:
        alice = db.create_user("alice")
        bob = db.create_user("bob")
        db.follow(alice, bob)
        db.post(bob, "hello")
        db.wait_idle()
        for post in db.iter_home_feed(alice):
            print(post.author, post.text)

The full reference is docs/python.md in the source tree.
"""

from __future__ import annotations

import types as _types
from typing import Any as _Any, Iterator as _Iterator

# errors first: the native module imports puppies.errors while it initializes.
from . import errors as _errors
from .errors import (
    AbortedError,
    AlreadyExistsError,
    ClosedError,
    CorruptionError,
    Error,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    StorageError,
)
from ._puppies import NO_PULL, Comment, Engine, Media, Page, Post, User, __version__, open

__all__ = [
    "open",
    "Engine",
    "User",
    "Post",
    "Comment",
    "Media",
    "Page",
    "NO_PULL",
    "__version__",
    *_errors.__all__,
]


def _page_class_getitem(cls: type, item: _Any, /) -> _types.GenericAlias:
    return _types.GenericAlias(cls, item)


# Page[int] / Page[Post] in annotations evaluated at run time, matching the stubs.
Page.__class_getitem__ = classmethod(_page_class_getitem)  # type: ignore[attr-defined]


def _iter_home_feed(self: Engine, user_id: int, *, page_size: int = 100) -> _Iterator[Post]:
    """Yields every post of ``user_id``'s home feed, newest first, following cursors.

    Pages are read lazily, ``page_size`` posts (1..1000) per engine call, each with the GIL
    released, so a long feed is never held in memory at once.
    """
    cursor = None
    while True:
        page = self.home_feed(user_id, limit=page_size, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


_iter_home_feed.__name__ = "iter_home_feed"
_iter_home_feed.__qualname__ = "Engine.iter_home_feed"
_iter_home_feed.__module__ = __name__
Engine.iter_home_feed = _iter_home_feed  # type: ignore[attr-defined]
