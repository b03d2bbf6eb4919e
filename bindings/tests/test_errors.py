"""The exception hierarchy: classes, codes, built-in bases, and the C++ -> Python mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

import puppies
from puppies import errors

# class, code, built-in base (besides Exception)
HIERARCHY = [
    (puppies.InvalidArgumentError, "invalid_argument", ValueError),
    (puppies.NotFoundError, "not_found", LookupError),
    (puppies.AlreadyExistsError, "already_exists", None),
    (puppies.PermissionDeniedError, "permission_denied", None),
    (puppies.FailedPreconditionError, "failed_precondition", None),
    (puppies.AbortedError, "aborted", None),
    (puppies.ResourceExhaustedError, "resource_exhausted", None),
    (puppies.ClosedError, "failed_precondition", None),
    (puppies.StorageError, "io_error", OSError),
    (puppies.CorruptionError, "corruption", None),
    (puppies.InternalError, "internal", None),
]


@pytest.mark.parametrize("cls, code, builtin", HIERARCHY)
def test_hierarchy(cls: type[puppies.Error], code: str, builtin: type | None) -> None:
    assert issubclass(cls, puppies.Error) and issubclass(puppies.Error, Exception)
    assert cls.code == code
    if builtin is not None:
        assert issubclass(cls, builtin)
    err = cls("some message")
    assert str(err) == "some message"
    assert err.code == code


def test_closed_error_is_a_failed_precondition() -> None:
    assert issubclass(puppies.ClosedError, puppies.FailedPreconditionError)


@pytest.mark.parametrize("cls, code, builtin", [h for h in HIERARCHY if h[0] is not puppies.ClosedError])
def test_one_table_maps_every_status_code(cls: type[puppies.Error], code: str, builtin: type | None) -> None:
    err = errors._from_status(code, "msg")
    assert type(err) is cls and str(err) == "msg" and err.code == code
    assert type(errors._from_status(code, "msg", True)) in (cls, puppies.ClosedError)


def test_unknown_code_becomes_internal() -> None:
    err = errors._from_status("unknown", "msg")
    assert isinstance(err, puppies.InternalError) and "unknown" in str(err)


def test_errors_raised_by_the_engine(engine: puppies.Engine, db_path: Path, tmp_path: Path) -> None:
    a = engine.create_user("alice")
    b = engine.create_user("bob")
    pid = engine.post(a, "mine")

    with pytest.raises(puppies.InvalidArgumentError) as e1:
        engine.get_user(0)
    assert e1.value.code == "invalid_argument" and "0" in str(e1.value)
    with pytest.raises(ValueError):
        engine.follow(a, a)

    with pytest.raises(puppies.NotFoundError) as e2:
        engine.get_user(12345)
    assert e2.value.code == "not_found" and str(e2.value) == "user 12345 not found"
    with pytest.raises(LookupError):
        engine.get_post(pid + 1)

    with pytest.raises(puppies.AlreadyExistsError) as e3:
        engine.create_user("Alice")
    assert e3.value.code == "already_exists"

    with pytest.raises(puppies.PermissionDeniedError) as e4:
        engine.delete_post(b, pid)
    assert e4.value.code == "permission_denied"

    with pytest.raises(puppies.StorageError) as e5:  # locked by this process's engine
        puppies.open(db_path)
    assert e5.value.code == "io_error" and isinstance(e5.value, OSError)
    file_path = tmp_path / "a-file"
    file_path.write_text("not a database directory")
    with pytest.raises(OSError):
        puppies.open(file_path)


def test_corruption_error(tmp_path: Path) -> None:
    path = tmp_path / "broken"
    puppies.open(path).close()
    (path / "CURRENT").write_text("garbage")
    with pytest.raises(puppies.CorruptionError) as info:
        puppies.open(path)
    assert info.value.code == "corruption"


def test_errors_can_be_caught_by_the_base_class(engine: puppies.Engine) -> None:
    with pytest.raises(puppies.Error):
        engine.get_user(77)
    try:
        engine.get_user(77)
    except puppies.Error as e:
        assert type(e) is puppies.NotFoundError
