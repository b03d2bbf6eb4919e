"""Engine.repair(): nothing to fix on a healthy database, safe beside other threads, GIL released.

Drift written behind the engine's back is covered in C++ (tests/repair_test.cc, TESTING C13),
where the raw column families are reachable.
"""

from __future__ import annotations

import threading
from pathlib import Path

import puppies


def test_healthy_database_needs_no_repair(engine: puppies.Engine, users: list[int]) -> None:
    alice, bob, carol, dave, erin = users
    engine.import_follows([(bob, alice), (carol, alice), (alice, bob)])
    posts = [engine.post(alice, f"post {i}") for i in range(5)]
    engine.like(bob, posts[0])
    engine.block(erin, alice)
    engine.mute(dave, bob)
    engine.delete_post(alice, posts[1])
    fixes = engine.repair()
    assert fixes == [] and isinstance(fixes, list)
    assert engine.check() == []
    assert engine.stats()["operations"]["repair"] == 1
    assert [p.id for p in engine.iter_home_feed(bob)] == sorted(set(posts) - {posts[1]}, reverse=True)


def test_repair_beside_writers(db_path: Path) -> None:
    with puppies.open(db_path, fanout_threshold=3) as db:
        users = [db.create_user(f"user{i}") for i in range(12)]
        errors: list[BaseException] = []

        def write(i: int) -> None:
            try:
                for j, u in enumerate(users):
                    db.follow(u, users[(j + i + 1) % len(users)])
                    db.post(users[i], f"{i}/{j}")
            except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
                errors.append(e)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        repaired = [db.repair() for _ in range(3)]
        for t in threads:
            t.join(timeout=120)
            assert not t.is_alive(), "deadlock?"
        assert not errors, errors[0]
        assert repaired == [[], [], []]  # writers never leave anything to repair
        db.wait_idle()
        assert db.check() == []
        assert sum(db.get_user(u).following_count for u in users) == 3 * len(users)


def test_gil_is_released_while_repair_waits(db_path: Path) -> None:
    """repair() first waits for queued fan-out; other Python threads keep running meanwhile."""
    with puppies.open(db_path, fanout_threshold=puppies.NO_PULL, fanout_batch_size=1,
                      background_threads=1) as db:
        author = db.create_user("author")
        db.import_follows((db.create_user(f"fan{i}"), author) for i in range(1000))
        for k in range(10):
            db.post(author, f"post {k}")  # 10k fan-out steps of one follower each
        done = threading.Event()
        result: list[list[str]] = []

        def repairer() -> None:
            result.append(db.repair())
            done.set()

        t = threading.Thread(target=repairer)
        t.start()
        ticks = 0
        while not done.is_set():
            ticks += 1  # pure Python work: needs the GIL
            db.get_user(author)
        t.join()
        assert result == [[]]
        assert db.stats()["pending_jobs"] == 0
        assert ticks > 10, ticks
        assert db.check() == []
