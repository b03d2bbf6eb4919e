"""Every Engine method and value type, on small hand-built networks."""

from __future__ import annotations

import time

import pytest

import puppies
from conftest import all_items


# ---- Users ----------------------------------------------------------------------------------------


def test_create_get_find_update_user(engine: puppies.Engine) -> None:
    before = int(time.time() * 1e6)
    uid = engine.create_user("Alice_1", display_name="Alice", bio="Dogs ♥")
    assert isinstance(uid, int) and uid > 0
    user = engine.get_user(uid)
    assert isinstance(user, puppies.User)
    assert (user.id, user.username, user.display_name, user.bio) == (uid, "Alice_1", "Alice", "Dogs ♥")
    assert before - 5_000_000 <= user.created_at <= int(time.time() * 1e6) + 5_000_000
    assert (user.follower_count, user.following_count, user.post_count) == (0, 0, 0)

    assert engine.find_user("alice_1") == user  # case-insensitive
    assert engine.find_user("nobody") is None

    engine.update_user(uid, bio="Cats now")
    updated = engine.get_user(uid)
    assert (updated.display_name, updated.bio) == ("Alice", "Cats now")
    engine.update_user(uid, display_name="")
    assert engine.get_user(uid).display_name == ""
    engine.update_user(uid)  # nothing to change
    assert engine.get_user(uid).bio == "Cats now"

    with pytest.raises(puppies.AlreadyExistsError):
        engine.create_user("ALICE_1")
    with pytest.raises(puppies.InvalidArgumentError):
        engine.create_user("no spaces")
    with pytest.raises(puppies.InvalidArgumentError):
        engine.find_user("")  # invalid usernames raise, only unknown ones give None
    with pytest.raises(puppies.NotFoundError):
        engine.get_user(uid + 100)
    with pytest.raises(puppies.NotFoundError):
        engine.update_user(uid + 100, bio="x")


def test_user_value_type(engine: puppies.Engine, users: list[int]) -> None:
    alice = engine.get_user(users[0])
    assert alice == engine.get_user(users[0])
    assert alice != engine.get_user(users[1])
    assert alice != "alice"
    assert repr(alice).startswith(f"User(id={users[0]}, username='alice', ")
    with pytest.raises(AttributeError):
        alice.username = "eve"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(alice)
    with pytest.raises(TypeError):
        puppies.User()


# ---- Graph ------------------------------------------------------------------------------------------


def test_follow_unfollow_lists(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, d, e = users
    assert engine.follow(a, b) is True
    assert engine.follow(a, b) is False
    assert engine.follow(c, b) and engine.follow(d, b) and engine.follow(e, b)
    assert engine.follow(a, c)
    assert engine.is_following(a, b) and not engine.is_following(b, a)

    assert all_items(engine.followers, b) == [e, d, c, a]  # newest edge first
    assert all_items(engine.following, a) == [c, b]
    first = engine.followers(b, limit=3)
    assert isinstance(first, puppies.Page)
    assert first.items == [e, d, c] and first.has_more and isinstance(first.next_cursor, str)
    last = engine.followers(b, limit=3, cursor=first.next_cursor)
    assert last == engine.followers(b, limit=3, cursor=first.next_cursor)
    assert last.items == [a] and not last.has_more and last.next_cursor is None
    assert repr(last) == f"Page(items=[{a}], next_cursor=None, has_more=False)"
    assert engine.followers(b, cursor="") == engine.followers(b)  # "" is the first page too

    assert engine.get_user(b).follower_count == 4
    assert engine.get_user(a).following_count == 2
    assert engine.unfollow(a, b) is True
    assert engine.unfollow(a, b) is False
    assert engine.get_user(b).follower_count == 3
    assert not engine.is_following(a, b)

    with pytest.raises(puppies.InvalidArgumentError):
        engine.follow(a, a)
    with pytest.raises(puppies.NotFoundError):
        engine.follow(a, 999)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.followers(b, limit=0)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.followers(b, limit=1001)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.followers(b, limit=2**40)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.followers(b, cursor="not a cursor!")
    assert engine.check() == []


def test_cursor_of_another_list_is_rejected(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, d, e = users
    for f in (b, c, d):
        engine.follow(a, f)
        engine.follow(f, a)
    following_cursor = engine.following(a, limit=1).next_cursor
    followers_cursor = engine.followers(a, limit=1).next_cursor
    assert following_cursor and followers_cursor
    with pytest.raises(puppies.InvalidArgumentError) as info:
        engine.followers(a, cursor=following_cursor)  # same user, other list
    assert info.value.code == "invalid_argument"
    with pytest.raises(puppies.InvalidArgumentError):
        engine.following(b, cursor=following_cursor)  # same list, other user
    with pytest.raises(puppies.InvalidArgumentError):
        engine.home_feed(a, cursor=followers_cursor)
    assert engine.following(a, limit=1, cursor=following_cursor).items == [c]


def test_block_and_mute(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, _, _ = users
    engine.follow(a, b)
    engine.follow(b, a)
    bob_post = engine.post(b, "from bob")
    carol_post = engine.post(c, "from carol")
    engine.follow(a, c)

    assert engine.block(a, b) is True
    assert engine.block(a, b) is False
    assert engine.is_blocking(a, b) and not engine.is_blocking(b, a)
    assert not engine.is_following(a, b) and not engine.is_following(b, a)  # both ways removed
    with pytest.raises(puppies.PermissionDeniedError) as info:
        engine.follow(b, a)
    assert info.value.code == "permission_denied"
    alice_post = engine.post(a, "from alice")
    with pytest.raises(puppies.PermissionDeniedError):
        engine.like(b, alice_post)
    assert engine.unblock(a, b) is True
    assert engine.unblock(a, b) is False
    assert not engine.is_following(a, b)  # not restored
    assert engine.follow(a, b)

    feed = [p.id for p in engine.home_feed(a).items]
    assert bob_post in feed and carol_post in feed
    assert engine.mute(a, c) is True
    assert engine.mute(a, c) is False
    assert engine.is_muting(a, c) and not engine.is_muting(c, a)
    assert carol_post not in [p.id for p in engine.home_feed(a).items]
    assert engine.is_following(a, c)  # mute changes nothing else
    assert engine.unmute(a, c) is True
    assert engine.unmute(a, c) is False
    assert not engine.is_muting(a, c)
    assert carol_post in [p.id for p in engine.home_feed(a).items]
    with pytest.raises(puppies.InvalidArgumentError):
        engine.mute(a, a)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.block(b, b)
    assert engine.check() == []


def test_import_follows(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, d, e = users
    engine.follow(a, b)
    edges = [(a, b), (a, c), [b, c], (c, c), (d, a), (d, a), (e, a)]  # dup, self-loop, existing
    assert engine.import_follows(edges) == 4
    assert engine.import_follows(iter([(b, d)])) == 1  # any iterable, e.g. a generator
    assert engine.import_follows([]) == 0
    assert all_items(engine.following, a) == [c, b]
    assert sorted(all_items(engine.followers, a)) == sorted([d, e])
    assert engine.get_user(c).follower_count == 2
    with pytest.raises(puppies.NotFoundError):
        engine.import_follows([(a, 999)])
    with pytest.raises(puppies.InvalidArgumentError):
        engine.import_follows([(a, 0)])
    with pytest.raises(TypeError):
        engine.import_follows([(a, b, c)])
    with pytest.raises(TypeError):
        engine.import_follows([a, b])
    with pytest.raises(TypeError):
        engine.import_follows("ab")
    with pytest.raises(TypeError):
        engine.import_follows([("1", "2")])
    assert engine.check() == []


# ---- Posts -------------------------------------------------------------------------------------------


def test_post_get_delete_timeline(engine: puppies.Engine, users: list[int]) -> None:
    a, b, _, _, _ = users
    image = puppies.Media("https://x.test/a.png", "image/png", width=640, height=480, alt_text="A dog")
    p1 = engine.post(a, "  first post  ", media=[image, {"url": "https://x.test/b.mp4", "mime_type": "video/mp4"}])
    p2 = engine.post(b, "a reply", reply_to=p1)
    p3 = engine.post(a, "third")
    assert p1 < p3  # ids are time-sortable

    post = engine.get_post(p1)
    assert isinstance(post, puppies.Post)
    assert (post.id, post.author, post.text, post.reply_to) == (p1, a, "first post", None)
    assert post.media == [image, puppies.Media("https://x.test/b.mp4", "video/mp4")]
    assert post.media[1].width == 0 and post.media[1].alt_text == ""
    assert (post.like_count, post.comment_count) == (0, 0)  # comments are not built yet
    assert engine.get_post(p2).reply_to == p1
    assert post == engine.get_post(p1) and post != engine.get_post(p3)
    assert repr(post).startswith(f"Post(id={p1}, author={a}, text='first post', media=[Media(url=")
    assert repr(image) == (
        "Media(url='https://x.test/a.png', mime_type='image/png', width=640, height=480, "
        "alt_text='A dog')"
    )
    assert engine.get_user(a).post_count == 2

    assert [p.id for p in all_items(engine.user_timeline, a)] == [p3, p1]
    assert engine.get_posts([p3, 12345, p1]) == [engine.get_post(p3), None, engine.get_post(p1)]
    assert engine.get_posts(x for x in [p2]) == [engine.get_post(p2)]
    assert engine.get_posts([]) == []

    with pytest.raises(puppies.PermissionDeniedError):
        engine.delete_post(b, p1)
    engine.delete_post(a, p1)
    with pytest.raises(puppies.NotFoundError):
        engine.get_post(p1)
    with pytest.raises(puppies.NotFoundError):
        engine.delete_post(a, p1)
    assert engine.get_posts([p1]) == [None]
    assert [p.id for p in engine.user_timeline(a).items] == [p3]
    assert engine.get_user(a).post_count == 1
    engine.wait_idle()
    assert engine.check() == []


def test_post_validation_and_created_at(engine: puppies.Engine, users: list[int]) -> None:
    a = users[0]
    past = 1_600_000_000_000_000  # 2020-09-13, in microseconds
    pid = engine.post(a, "imported", created_at=past)
    assert engine.get_post(pid).created_at == past  # a whole millisecond: kept as is
    # Time has millisecond precision, the precision lists order by.
    odd = engine.post(a, "imported at an odd microsecond", created_at=past + 1_999)
    assert engine.get_post(odd).created_at == past + 1_000
    assert (pid >> 22) == past // 1000  # the id sorts by its creation time (ms in the high bits)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.post(a, "from the future", created_at=int(time.time() * 1e6) + 3_600_000_000)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.post(a, "   ")
    with pytest.raises(puppies.InvalidArgumentError):
        engine.post(a, "x" * 5001)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.post(a, "bad media", media=[{"url": "", "mime_type": "image/png"}])
    with pytest.raises(TypeError):
        engine.post(a, "bad media", media=[{"url": "u", "mime_type": "m", "colour": "red"}])
    with pytest.raises(TypeError):
        engine.post(a, "bad media", media=[{"url": "u"}])  # mime_type missing
    with pytest.raises(TypeError):
        engine.post(a, "bad media", media=["https://x.test/a.png"])
    with pytest.raises(TypeError):
        engine.post(a, "bad media", media={"url": "u", "mime_type": "m"})  # not a list
    with pytest.raises(puppies.InvalidArgumentError):
        engine.post(a, "x", reply_to=0)
    with pytest.raises(puppies.NotFoundError):
        engine.post(a, "x", reply_to=123)
    with pytest.raises(puppies.NotFoundError):
        engine.post(999, "x")
    with pytest.raises(puppies.InvalidArgumentError):
        engine.get_posts([1] * 1001)
    with pytest.raises(TypeError):
        engine.get_posts("123")
    with pytest.raises(puppies.InvalidArgumentError):
        puppies.Media("u", "m", width=-1)
    assert engine.get_user(a).post_count == 2  # nothing written by the failures


# ---- Likes ------------------------------------------------------------------------------------------


def test_likes(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, _, _ = users
    p1 = engine.post(a, "like me")
    p2 = engine.post(b, "me too")
    assert engine.like(b, p1) is True
    assert engine.like(b, p1) is False
    assert engine.like(c, p1) and engine.like(a, p1) and engine.like(b, p2)
    assert engine.has_liked(b, p1) and not engine.has_liked(c, p2)
    assert engine.get_post(p1).like_count == 3
    assert all_items(engine.likers, p1) == [a, c, b]  # newest like first
    assert [p.id for p in all_items(engine.liked_posts, b)] == [p2, p1]
    assert engine.unlike(b, p1) is True
    assert engine.unlike(b, p1) is False
    assert engine.get_post(p1).like_count == 2
    assert [p.id for p in engine.liked_posts(b).items] == [p2]
    with pytest.raises(puppies.NotFoundError):
        engine.like(a, 42)
    with pytest.raises(puppies.NotFoundError):
        engine.likers(42)
    engine.delete_post(b, p2)
    assert engine.liked_posts(b).items == []  # deleted posts are omitted
    engine.wait_idle()
    assert engine.check() == []


# ---- Comments ---------------------------------------------------------------------------------------


def test_bookmarks(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, _, _ = users
    p1 = engine.post(a, "keep this")
    p2 = engine.post(c, "and this")
    assert engine.bookmark(b, p1) and not engine.bookmark(b, p1)
    assert engine.bookmark(b, p2)
    assert engine.has_bookmarked(b, p1) and not engine.has_bookmarked(c, p1)
    assert not engine.has_liked(b, p1)  # a bookmark is not a like
    assert engine.get_post(p1).like_count == 0
    page = engine.bookmarks(b, limit=1)
    assert [p.id for p in page.items] == [p2] and page.has_more  # newest bookmark first
    assert isinstance(page.items[0], puppies.Post)
    assert [p.id for p in engine.bookmarks(b, cursor=page.next_cursor).items] == [p1]
    with pytest.raises(puppies.InvalidArgumentError):
        engine.liked_posts(b, cursor=page.next_cursor)  # a bookmarks cursor is no other list's
    assert engine.bookmarks(c).items == []  # private: each user sees only their own
    assert engine.unbookmark(b, p1) and not engine.unbookmark(b, p1)
    with pytest.raises(puppies.NotFoundError):
        engine.bookmark(b, 42)
    engine.block(c, b)
    with pytest.raises(puppies.PermissionDeniedError):
        engine.bookmark(b, engine.post(c, "not for b"))
    engine.delete_post(c, p2)
    assert engine.bookmarks(b).items == []  # deleted posts are omitted at once
    engine.wait_idle()
    assert engine.check() == []
    assert engine.stats()["operations"]["bookmark"] == 5  # calls, failed ones too


def test_edit_post(engine: puppies.Engine, users: list[int]) -> None:
    a, b, _, _, _ = users
    engine.follow(b, a)
    p = engine.post(a, "first version", media=[{"url": "https://x", "mime_type": "image/png"}])
    engine.wait_idle()
    assert engine.get_post(p).edited_at is None
    engine.edit_post(a, p, text="  second version ")
    edited = engine.get_post(p)
    assert edited.text == "second version" and edited.edited_at is not None
    assert edited.edited_at >= edited.created_at
    assert [m.url for m in edited.media] == ["https://x"]  # not in the edit: unchanged
    assert engine.home_feed(b).items[0] == edited  # every view reads the new version
    engine.edit_post(a, p, media=[])
    assert engine.get_post(p).media == [] and engine.get_post(p).text == "second version"
    with pytest.raises(puppies.PermissionDeniedError):
        engine.edit_post(b, p, text="not mine")
    with pytest.raises(puppies.InvalidArgumentError):
        engine.edit_post(a, p)  # nothing to change
    with pytest.raises(puppies.InvalidArgumentError):
        engine.edit_post(a, p, text=" ")
    with pytest.raises(TypeError):
        engine.edit_post(a, p, media=[{"url": "https://x"}])  # mime_type missing
    engine.delete_post(a, p)
    with pytest.raises(puppies.NotFoundError):
        engine.edit_post(a, p, text="back")
    engine.wait_idle()
    assert engine.check() == []


def test_hashtags_and_mentions(engine: puppies.Engine, users: list[int]) -> None:
    a, b, _, _, _ = users
    bob = engine.get_user(b).username
    p1 = engine.post(a, f"#Cats and #dogs, hi @{bob} and @nobody #cats")
    p2 = engine.post(b, "more #CATS here")
    post = engine.get_post(p1)
    assert post.hashtags == ["cats", "dogs"]  # lowercase, each once, in order
    assert post.mentions == [b]  # existing users only
    assert [p.id for p in engine.hashtag_feed("#cats").items] == [p2, p1]  # newest first
    page = engine.hashtag_feed("Cats", limit=1)
    assert [p.id for p in page.items] == [p2] and page.has_more
    assert [p.id for p in engine.hashtag_feed("cats", cursor=page.next_cursor).items] == [p1]
    with pytest.raises(puppies.InvalidArgumentError):
        engine.hashtag_feed("dogs", cursor=page.next_cursor)  # a cursor names its hashtag
    assert engine.hashtag_feed("birds").items == []
    for bad in ["", "#", "2024", "no spaces", "#a#b"]:
        with pytest.raises(puppies.InvalidArgumentError):
            engine.hashtag_feed(bad)
    engine.edit_post(a, p1, text="now about #birds")  # derived again on edit
    assert engine.get_post(p1).hashtags == ["birds"] and engine.get_post(p1).mentions == []
    assert [p.id for p in engine.hashtag_feed("cats").items] == [p2]
    assert [p.id for p in engine.hashtag_feed("birds").items] == [p1]
    engine.delete_post(b, p2)
    assert engine.hashtag_feed("cats").items == []
    engine.wait_idle()
    assert engine.check() == []


def test_replies_and_thread(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, _, _ = users
    root = engine.post(a, "root")
    r1 = engine.post(b, "first answer", reply_to=root)
    r2 = engine.post(c, "second answer", reply_to=root)
    r3 = engine.post(a, "an answer to the first", reply_to=r1)
    assert engine.get_post(root).reply_count == 2 and engine.get_post(r1).reply_count == 1
    page = engine.replies(root, limit=1)
    assert [p.id for p in page.items] == [r1] and page.has_more  # oldest first
    assert [p.id for p in engine.replies(root, cursor=page.next_cursor).items] == [r2]
    with pytest.raises(puppies.InvalidArgumentError):
        engine.replies(r1, cursor=page.next_cursor)  # a cursor belongs to one post's replies
    thread = engine.thread(r3)
    assert [p.id for p in thread if p is not None] == [root, r1]  # root first
    assert thread[1] == engine.get_post(r1)
    assert engine.thread(root) == []
    engine.delete_post(b, r1)
    assert engine.get_post(root).reply_count == 1
    assert [p.id for p in engine.replies(root).items] == [r2]
    thread = engine.thread(r3)
    assert thread[1] is None and thread[0] is not None and thread[0].id == root  # the gap shows
    assert engine.get_post(r3).reply_to == r1  # a reply to a deleted post stays
    with pytest.raises(puppies.NotFoundError):
        engine.replies(r1)
    with pytest.raises(puppies.NotFoundError):
        engine.thread(r1)
    with pytest.raises(puppies.NotFoundError):
        engine.post(c, "too late", reply_to=r1)
    engine.wait_idle()
    assert engine.check() == []
    assert engine.stats()["operations"]["thread"] == 4  # calls, failed ones too


def test_comments(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, _, _ = users
    post = engine.post(a, "discuss")
    c1 = engine.add_comment(b, post, "  first  ")
    c2 = engine.add_comment(c, post, "an answer", reply_to=c1)
    c3 = engine.add_comment(a, post, "thanks")
    assert c1 < c2 < c3
    assert engine.get_post(post).comment_count == 3
    got = engine.get_comment(c2)
    assert isinstance(got, puppies.Comment)
    assert (got.id, got.post, got.author, got.text, got.reply_to) == (c2, post, c, "an answer", c1)
    assert engine.get_comment(c1).text == "first" and engine.get_comment(c1).reply_to is None
    assert repr(got).startswith(f"Comment(id={c2}, post={post}, author={c}, text='an answer'")
    page = engine.comments(post, limit=2)
    assert [x.id for x in page.items] == [c1, c2] and page.has_more  # oldest first
    assert [x.id for x in engine.comments(post, cursor=page.next_cursor).items] == [c3]
    assert page.items[1] == got
    with pytest.raises(puppies.PermissionDeniedError):
        engine.delete_comment(c, c1)  # neither the comment's author nor the post's
    engine.delete_comment(a, c1)  # the post's author
    engine.delete_comment(c, c2)  # the comment's author
    with pytest.raises(puppies.NotFoundError):
        engine.get_comment(c1)
    assert [x.id for x in all_items(engine.comments, post)] == [c3]
    assert engine.get_post(post).comment_count == 1
    for bad in ("", "   ", "x" * 5001):
        with pytest.raises(puppies.InvalidArgumentError):
            engine.add_comment(b, post, bad)
    with pytest.raises(puppies.InvalidArgumentError):
        engine.add_comment(b, post, "x", reply_to=0)
    with pytest.raises(puppies.NotFoundError):
        engine.add_comment(b, 42, "on no post")
    engine.block(a, b)
    with pytest.raises(puppies.PermissionDeniedError):
        engine.add_comment(b, post, "blocked")
    engine.delete_post(a, post)
    with pytest.raises(puppies.NotFoundError):
        engine.comments(post)
    engine.wait_idle()
    assert engine.check() == []
    assert engine.stats()["operations"]["add_comment"] == 8  # calls, failed ones too


# ---- Feed -------------------------------------------------------------------------------------------


def test_home_feed_and_iter(engine: puppies.Engine, users: list[int]) -> None:
    a, b, c, d, _ = users
    engine.follow(a, b)
    engine.follow(a, c)
    posts = []
    for i in range(7):
        for author in (a, b, c, d):
            posts.append((author, engine.post(author, f"post {i} by {author}")))
    expected = [pid for author, pid in reversed(posts) if author != d]

    assert [p.id for p in all_items(engine.home_feed, a, limit=3)] == expected
    feed = list(engine.iter_home_feed(a, page_size=4))
    assert all(isinstance(p, puppies.Post) for p in feed)
    assert [p.id for p in feed] == expected
    assert [p.id for p in engine.iter_home_feed(a)] == expected
    page = engine.home_feed(a, limit=5)
    assert len(page.items) == 5 and page.has_more
    assert [p.id for p in engine.home_feed(d).items] == [pid for au, pid in reversed(posts) if au == d][:20]

    engine.unfollow(a, c)  # takes effect on the next read
    assert [p.id for p in engine.iter_home_feed(a)] == [pid for au, pid in reversed(posts) if au in (a, b)]
    with pytest.raises(puppies.NotFoundError):
        engine.home_feed(999)
    with pytest.raises(puppies.InvalidArgumentError):
        list(engine.iter_home_feed(a, page_size=0))


def test_background_fanout_and_wait_idle(db_path) -> None:
    with puppies.open(db_path, fanout_threshold=puppies.NO_PULL, fanout_batch_size=3) as db:
        author = db.create_user("author")
        fans = [db.create_user(f"fan{i}") for i in range(20)]
        db.import_follows((f, author) for f in fans)
        pid = db.post(author, "hello fans")
        db.wait_idle()
        stats = db.stats()
        assert stats["pending_jobs"] == 0
        assert stats["fanout_entries"] >= len(fans)
        for f in fans[:3]:
            assert [p.id for p in db.home_feed(f).items] == [pid]
        assert db.check() == []


def test_pulled_authors_feed_is_identical(tmp_path) -> None:
    feeds = []
    for threshold in (0, 2, puppies.NO_PULL):
        with puppies.open(tmp_path / f"db{threshold}", fanout_threshold=threshold,
                          synchronous_fanout=True, inbox_cap=3) as db:
            ids = [db.create_user(f"u{i}") for i in range(5)]
            db.import_follows([(x, y) for x in ids for y in ids])
            for i in range(12):
                db.post(ids[i % 5], f"post {i}", created_at=1_600_000_000_000_000 + i)
            feeds.append([(p.author, p.text) for p in db.iter_home_feed(ids[0], page_size=5)])
            if threshold == 0:
                assert db.stats()["pulled_authors"] >= 1
            assert db.check() == []
    assert feeds[0] == feeds[1] == feeds[2]
    assert len(feeds[0]) == 12


# ---- Maintenance ------------------------------------------------------------------------------------


def test_stats_and_check(engine: puppies.Engine, users: list[int]) -> None:
    engine.follow(users[0], users[1])
    engine.wait_idle()
    stats = engine.stats()
    assert set(stats) == {
        "operations", "latency", "pending_jobs", "completed_jobs", "fanout_entries", "feed_inbox_pages",
        "feed_pull_pages", "pulled_authors", "object_cache_hits", "object_cache_misses",
        "object_cache_bytes", "rocksdb",
    }
    assert stats["operations"]["create_user"] == 5
    assert stats["operations"]["follow"] == 1
    follow = stats["latency"]["follow"]
    assert follow["count"] == 1
    assert 0 < follow["p50_us"] <= follow["p99_us"] <= follow["p999_us"] <= follow["max_us"]
    assert "unfollow" not in stats["latency"]
    assert all(isinstance(v, int) for v in stats["operations"].values())
    assert "rocksdb.total-sst-files-size" in stats["rocksdb"]
    engine.get_user(users[0])
    engine.get_user(users[0])
    again = engine.stats()
    assert again["object_cache_hits"] > stats["object_cache_hits"]
    assert again["object_cache_bytes"] > 0
    assert engine.check() == []
    assert isinstance(engine.check(), list)


def test_compact(engine: puppies.Engine, users: list[int]) -> None:
    post = engine.post(users[0], "kept through compaction")
    engine.like(users[1], post)
    engine.wait_idle()
    assert engine.stats()["rocksdb"]["rocksdb.total-sst-files-size"] == 0
    assert engine.compact() is None
    assert engine.stats()["rocksdb"]["rocksdb.total-sst-files-size"] > 0
    assert engine.get_post(post).like_count == 1
    assert engine.stats()["operations"]["compact"] == 1
    assert engine.check() == []


# ---- Module ------------------------------------------------------------------------------------------


def test_module_surface() -> None:
    assert puppies.NO_PULL == 2**64 - 1
    assert isinstance(puppies.__version__, str) and puppies.__version__.count(".") == 2
    assert puppies.Page[int] is not None  # subscriptable at run time, like the stubs
    assert repr(puppies.Engine) == "<class 'puppies.Engine'>"
    for name in puppies.__all__:
        assert hasattr(puppies, name), name
    for cls in (puppies.Engine, puppies.User, puppies.Post, puppies.Page):
        with pytest.raises(TypeError):
            cls()
