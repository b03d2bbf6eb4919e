"""T6 py_threads_gil: one Engine shared by Python threads; the GIL is released in C++."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import puppies

THREADS = 4


def run_threads(target, n: int = THREADS) -> None:
    errors: list[BaseException] = []

    def wrapper(i: int) -> None:
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "deadlock?"
    if errors:
        raise errors[0]


def test_concurrent_follow_like_post(db_path: Path) -> None:
    with puppies.open(db_path, fanout_threshold=3) as db:  # some authors pulled, some pushed
        users = [db.create_user(f"user{i}") for i in range(40)]
        seed_posts = [db.post(u, f"seed {u}") for u in users[:10]]
        new_posts: list[list[int]] = [[] for _ in range(THREADS)]
        results: list[list[bool]] = [[] for _ in range(THREADS)]

        def work(i: int) -> None:
            # Every thread follows and likes the same things: each edge must be created once.
            for j, follower in enumerate(users):
                followee = users[(j + 1 + i % 2) % len(users)]
                results[i].append(db.follow(follower, followee))
                results[i].append(db.like(follower, seed_posts[j % len(seed_posts)]))
            for k in range(25):
                author = users[(i * 25 + k) % len(users)]
                new_posts[i].append(db.post(author, f"thread {i} post {k}"))
            db.home_feed(users[i])

        run_threads(work)
        db.wait_idle()

        # Exact counts: 2 distinct follow targets per follower, 1 like per follower.
        assert sum(r.count(True) for r in results) == 2 * len(users) + len(users)
        assert sum(db.get_user(u).following_count for u in users) == 2 * len(users)
        assert sum(db.get_user(u).follower_count for u in users) == 2 * len(users)
        assert sum(db.get_post(p).like_count for p in seed_posts) == len(users)
        all_new = [p for ps in new_posts for p in ps]
        assert len(set(all_new)) == THREADS * 25
        assert sum(db.get_user(u).post_count for u in users) == len(seed_posts) + len(all_new)
        assert db.stats()["operations"]["follow"] == THREADS * len(users)

        # Every follower's feed holds exactly the posts of the accounts it follows, and its own.
        reader = users[0]
        followed = set(db.following(reader, limit=100).items) | {reader}
        expected = sorted((p for p in seed_posts + all_new if db.get_post(p).author in followed),
                          reverse=True)
        assert [p.id for p in db.iter_home_feed(reader, page_size=7)] == expected
        assert db.check() == []


def test_readers_and_writers_share_an_engine(engine: puppies.Engine) -> None:
    author = engine.create_user("author")
    readers = [engine.create_user(f"reader{i}") for i in range(THREADS)]
    engine.import_follows((r, author) for r in readers)
    stop = threading.Event()

    def work(i: int) -> None:
        if i == 0:
            for k in range(100):
                engine.post(author, f"post {k}")
            stop.set()
        else:
            while not stop.is_set():
                ids = [p.id for p in engine.home_feed(readers[i], limit=50).items]
                assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))

    run_threads(work)
    assert len(list(engine.iter_home_feed(readers[1]))) == 100
    assert engine.check() == []


def test_gil_is_released_while_waiting(db_path: Path) -> None:
    """A thread blocked in wait_idle (and in import_follows) must let other threads run."""
    with puppies.open(db_path, fanout_threshold=puppies.NO_PULL, fanout_batch_size=1,
                      background_threads=1) as db:
        author = db.create_user("author")
        fans = [db.create_user(f"fan{i}") for i in range(2000)]
        db.import_follows((f, author) for f in fans)
        for k in range(20):
            db.post(author, f"post {k}")  # 40k fan-out steps of one follower each

        inside = threading.Event()
        done = threading.Event()
        ticks_inside = 0

        def waiter() -> None:
            inside.set()
            db.wait_idle()
            done.set()

        t = threading.Thread(target=waiter)
        start = time.monotonic()
        t.start()
        inside.wait()
        while not done.is_set():
            ticks_inside += 1  # pure Python work: needs the GIL
            db.get_user(author)  # and other engine calls proceed concurrently
        t.join()
        elapsed = time.monotonic() - start
        assert db.stats()["pending_jobs"] == 0
        # With the GIL held in wait_idle this loop could not run at all until it returned.
        assert ticks_inside > 10, (ticks_inside, elapsed)
        assert db.check() == []


def test_close_while_other_threads_call(db_path: Path) -> None:
    db = puppies.open(db_path)
    uid = db.create_user("alice")
    started = threading.Barrier(THREADS + 1)
    outcomes: list[str] = []

    def work(i: int) -> None:
        started.wait()
        while True:
            try:
                db.get_user(uid)
                db.post(uid, f"from {i}")
            except puppies.ClosedError:
                outcomes.append("closed")
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.05)
    db.close()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert outcomes == ["closed"] * THREADS
    with puppies.open(db_path) as db2:
        assert db2.check() == []
