"""Exceptions raised by puppies.

Every failed engine call raises a subclass of :class:`Error`. Each class carries ``code``, the
stable status name of the C++ library (``puppies::CodeName``), and several also derive from the
matching built-in exception, so ``except LookupError`` or ``except ValueError`` work too::

    try:
        db.get_user(42)
    except puppies.NotFoundError as e:
        print(e.code, e)        # not_found user 42 not found

The native module maps C++ status codes to these classes through ``_CLASSES`` below (the only
mapping table) and raises :class:`ClosedError` for every call on a closed engine.
"""

from __future__ import annotations

__all__ = [
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


class Error(Exception):
    """Base class of every puppies error. ``code`` is the stable status name."""

    code: str = "unknown"


class InvalidArgumentError(Error, ValueError):
    """The input is wrong whatever the database holds: a bad username, empty or oversized text,
    invalid UTF-8, a malformed cursor or a cursor of another list, a limit out of range, an id
    of 0 or out of range."""

    code = "invalid_argument"


class NotFoundError(Error, LookupError):
    """A referenced user or post does not exist (or was deleted)."""

    code = "not_found"


class AlreadyExistsError(Error):
    """The object to create exists already, e.g. a taken username."""

    code = "already_exists"


class PermissionDeniedError(Error):
    """The caller may not do this: not the post's author, or blocked."""

    code = "permission_denied"


class FailedPreconditionError(Error):
    """The database is not in a state for this call, e.g. written by a newer format."""

    code = "failed_precondition"


class ClosedError(FailedPreconditionError):
    """The engine was closed; raised by every call after ``close()``."""

    code = "failed_precondition"


class AbortedError(Error):
    """A retryable conflict."""

    code = "aborted"


class ResourceExhaustedError(Error):
    """A configured limit other than input size was hit."""

    code = "resource_exhausted"


class StorageError(Error, OSError):
    """The file system failed, or the database is locked by another process."""

    code = "io_error"


class CorruptionError(Error):
    """Stored data is damaged."""

    code = "corruption"


class InternalError(Error):
    """A bug in puppies."""

    code = "internal"


# The one mapping from C++ status code names to classes.
_CLASSES: dict[str, type[Error]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        PermissionDeniedError,
        FailedPreconditionError,
        AbortedError,
        ResourceExhaustedError,
        StorageError,
        CorruptionError,
        InternalError,
    )
}


def _from_status(code: str, message: str, closed: bool = False) -> Error:
    """Builds the exception for a failed C++ Status (called by the native module)."""
    if closed:
        return ClosedError(message)
    cls = _CLASSES.get(code)
    if cls is None:
        return InternalError(f"{code}: {message}")
    return cls(message)
