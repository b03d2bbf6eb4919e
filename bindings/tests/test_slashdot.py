"""A real graph through Python: SNAP soc-Slashdot0902 (82,168 nodes, 948,464 directed edges).

The file lives in the shared data folder next to the repository; the test is skipped when it is
absent. It is imported once per module (module-scoped fixture); the timings are printed with
`pytest -s` and recorded in docs/python.md.
"""

from __future__ import annotations

import gzip
import random
import time
from collections import Counter
from pathlib import Path

import pytest

import puppies

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "soc-Slashdot0902.txt.gz"


def read_edges(path: Path) -> tuple[int, list[tuple[int, int]]]:
    """Returns (number of nodes, edges as (a, b) = a follows b) with self-loops dropped."""
    edges = []
    max_node = -1
    with gzip.open(path, "rt", encoding="ascii") as f:
        for line in f:
            if line.startswith("#"):
                continue
            a, b = map(int, line.split())
            if a != b:
                edges.append((a, b))
            max_node = max(max_node, a, b)
    return max_node + 1, edges


@pytest.fixture(scope="module")
def slashdot(tmp_path_factory: pytest.TempPathFactory):
    if not DATA.exists():
        pytest.skip(f"{DATA} is absent (the SNAP Slashdot graph from the shared data folder)")
    t0 = time.monotonic()
    n_nodes, edges = read_edges(DATA)
    t1 = time.monotonic()
    db = puppies.open(tmp_path_factory.mktemp("slashdot") / "db")
    uid = [db.create_user(f"u{n}") for n in range(n_nodes)]
    t2 = time.monotonic()
    added = db.import_follows((uid[a], uid[b]) for a, b in edges)
    t3 = time.monotonic()
    print(f"\nslashdot: parse {t1 - t0:.1f}s, {n_nodes} users {t2 - t1:.1f}s, "
          f"{len(edges)} edges -> {added} new in {t3 - t2:.1f}s "
          f"({len(edges) / (t3 - t2):,.0f} edges/s)")
    yield db, uid, edges, added
    db.close()


def test_import_counts(slashdot) -> None:
    db, uid, edges, added = slashdot
    distinct = set(edges)
    assert added == len(distinct)
    followers = Counter(b for _, b in distinct)
    following = Counter(a for a, _ in distinct)
    rng = random.Random(902)
    sample = rng.sample(range(len(uid)), 200) + [n for n, _ in followers.most_common(5)]
    for n in sample:
        user = db.get_user(uid[n])
        assert user.follower_count == followers[n], n
        assert user.following_count == following[n], n
    # A full follower list matches the file.
    top = followers.most_common(1)[0][0]
    page, got = db.followers(uid[top], limit=1000), []
    while True:
        got.extend(page.items)
        if page.next_cursor is None:
            break
        page = db.followers(uid[top], limit=1000, cursor=page.next_cursor)
    assert sorted(got) == sorted(uid[a] for a, b in distinct if b == top)
    # Importing again adds nothing.
    assert db.import_follows((uid[a], uid[b]) for a, b in edges[:10_000]) == 0


def test_feed_and_check(slashdot) -> None:
    db, uid, edges, _ = slashdot
    top = Counter(b for _, b in edges).most_common(1)[0][0]
    fan = next(a for a, b in edges if b == top)
    pid = db.post(uid[top], "hello slashdot")
    db.wait_idle()
    assert db.home_feed(uid[fan], limit=1).items[0].id == pid
    t0 = time.monotonic()
    assert db.check() == []
    print(f"\nslashdot: check() {time.monotonic() - t0:.1f}s")
