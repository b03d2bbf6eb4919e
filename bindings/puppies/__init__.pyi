# Type stubs for the puppies package (checked in CI with `python3 -m mypy.stubtest puppies`).
# The reference with semantics is docs/python.md.

import os
from types import GenericAlias, TracebackType
from typing import Any, ClassVar, Generic, Iterable, Iterator, NoReturn, TypedDict, TypeVar

from .errors import AbortedError as AbortedError
from .errors import AlreadyExistsError as AlreadyExistsError
from .errors import ClosedError as ClosedError
from .errors import CorruptionError as CorruptionError
from .errors import Error as Error
from .errors import FailedPreconditionError as FailedPreconditionError
from .errors import InternalError as InternalError
from .errors import InvalidArgumentError as InvalidArgumentError
from .errors import NotFoundError as NotFoundError
from .errors import PermissionDeniedError as PermissionDeniedError
from .errors import ResourceExhaustedError as ResourceExhaustedError
from .errors import StorageError as StorageError

__all__ = [
    "open",
    "Engine",
    "User",
    "Post",
    "Media",
    "Page",
    "NO_PULL",
    "__version__",
    "Error",
    "InvalidArgumentError",
    "NotFoundError",
    "AlreadyExistsError",
    "PermissionDeniedError",
    "FailedPreconditionError",
    "AbortedError",
    "ResourceExhaustedError",
    "ClosedError",
    "StorageError",
    "CorruptionError",
    "InternalError",
]

__version__: str
NO_PULL: int

_T = TypeVar("_T")

# The metaclass of every pybind11 class (pybind11_builtins.pybind11_type, not importable).
class _Pybind11Type(type): ...

# User, Post, Page and Engine have no public constructor: values come from Engine methods and
# engines from puppies.open(). Calling the class raises TypeError.

_Path = str | bytes | os.PathLike[str] | os.PathLike[bytes]

class Media(metaclass=_Pybind11Type):
    def __init__(
        self, url: str, mime_type: str, width: int = 0, height: int = 0, alt_text: str = ""
    ) -> None: ...
    @property
    def url(self) -> str: ...
    @property
    def mime_type(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def alt_text(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class User(metaclass=_Pybind11Type):
    def __init__(self, *args: NoReturn, **kwargs: NoReturn) -> None: ...
    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def bio(self) -> str: ...
    @property
    def created_at(self) -> int: ...
    @property
    def follower_count(self) -> int: ...
    @property
    def following_count(self) -> int: ...
    @property
    def post_count(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class Post(metaclass=_Pybind11Type):
    def __init__(self, *args: NoReturn, **kwargs: NoReturn) -> None: ...
    @property
    def id(self) -> int: ...
    @property
    def author(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def media(self) -> list[Media]: ...
    @property
    def reply_to(self) -> int | None: ...
    @property
    def created_at(self) -> int: ...
    @property
    def like_count(self) -> int: ...
    @property
    def comment_count(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class Page(Generic[_T], metaclass=_Pybind11Type):
    def __init__(self, *args: NoReturn, **kwargs: NoReturn) -> None: ...
    def __class_getitem__(cls, item: Any, /) -> GenericAlias: ...
    @property
    def items(self) -> list[_T]: ...
    @property
    def next_cursor(self) -> str | None: ...
    @property
    def has_more(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

# One operation's latency in Engine.stats()["latency"].
class _Latency(TypedDict):
    count: int
    p50_us: float
    p99_us: float
    p999_us: float
    max_us: float

# What Engine.stats() returns (a plain dict at run time).
class _Stats(TypedDict):
    operations: dict[str, int]
    latency: dict[str, _Latency]
    pending_jobs: int
    completed_jobs: int
    fanout_entries: int
    feed_inbox_pages: int
    feed_pull_pages: int
    pulled_authors: int
    object_cache_hits: int
    object_cache_misses: int
    object_cache_bytes: int
    rocksdb: dict[str, int]

# A media attachment for Engine.post: a Media, or a dict of Media's constructor arguments.
_MediaLike = Media | dict[str, str | int]

class Engine(metaclass=_Pybind11Type):
    def __init__(self, *args: NoReturn, **kwargs: NoReturn) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> str: ...
    def __enter__(self) -> Engine: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> None: ...
    # Users
    def create_user(self, username: str, *, display_name: str = "", bio: str = "") -> int: ...
    def get_user(self, user_id: int) -> User: ...
    def find_user(self, username: str) -> User | None: ...
    def update_user(
        self, user_id: int, *, display_name: str | None = None, bio: str | None = None
    ) -> None: ...
    # Social graph
    def follow(self, follower: int, followee: int) -> bool: ...
    def unfollow(self, follower: int, followee: int) -> bool: ...
    def is_following(self, follower: int, followee: int) -> bool: ...
    def followers(
        self, user_id: int, *, limit: int = 20, cursor: str | None = None
    ) -> Page[int]: ...
    def following(
        self, user_id: int, *, limit: int = 20, cursor: str | None = None
    ) -> Page[int]: ...
    def block(self, blocker: int, blocked: int) -> bool: ...
    def unblock(self, blocker: int, blocked: int) -> bool: ...
    def is_blocking(self, blocker: int, blocked: int) -> bool: ...
    def is_muting(self, muter: int, muted: int) -> bool: ...
    def mute(self, muter: int, muted: int) -> bool: ...
    def unmute(self, muter: int, muted: int) -> bool: ...
    def import_follows(
        self, edges: Iterable[tuple[int, int] | list[int]]
    ) -> int: ...
    # Posts
    def post(
        self,
        author: int,
        text: str,
        *,
        media: Iterable[_MediaLike] | None = None,
        reply_to: int | None = None,
        created_at: int | None = None,
    ) -> int: ...
    def get_post(self, post_id: int) -> Post: ...
    def get_posts(self, post_ids: Iterable[int]) -> list[Post | None]: ...
    def delete_post(self, actor: int, post_id: int) -> None: ...
    def user_timeline(
        self, user_id: int, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Post]: ...
    # Likes
    def like(self, user_id: int, post_id: int) -> bool: ...
    def unlike(self, user_id: int, post_id: int) -> bool: ...
    def has_liked(self, user_id: int, post_id: int) -> bool: ...
    def likers(self, post_id: int, *, limit: int = 20, cursor: str | None = None) -> Page[int]: ...
    def liked_posts(
        self, user_id: int, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Post]: ...
    # Feed
    def home_feed(
        self, user_id: int, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Post]: ...
    def iter_home_feed(self, user_id: int, *, page_size: int = 100) -> Iterator[Post]: ...
    # Maintenance
    def wait_idle(self) -> None: ...
    def check(self) -> list[str]: ...
    def repair(self) -> list[str]: ...
    def compact(self) -> None: ...
    def stats(self) -> _Stats: ...

def open(
    path: _Path,
    *,
    create_if_missing: bool = True,
    error_if_exists: bool = False,
    fanout_threshold: int = 10_000,
    fanout_hysteresis_percent: int = 10,
    inbox_cap: int = 800,
    synchronous_fanout: bool = False,
    sync: bool = False,
    background_threads: int = 2,
    fanout_batch_size: int = 1_000,
    inline_fanout_followers: int = 100,
    inline_follow_updates: bool = True,
    block_cache_bytes: int = 67108864,
    object_cache_bytes: int = 33554432,
    write_buffer_bytes: int = 67108864,
    max_post_bytes: int = 5_000,
    max_display_name_bytes: int = 64,
    max_bio_bytes: int = 500,
    max_media_items: int = 10,
) -> Engine: ...
