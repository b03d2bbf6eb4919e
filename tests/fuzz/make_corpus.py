#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets: tests/fuzz/corpus/<target>/<name>.

Each seed is a meaningful input: valid records and cursors, UTF-8 and username boundaries,
and engine scenarios (push, pull, draining, deep reads past the inbox cap, blocks, mutes,
likes, deletes, cursors). Files this script does not name (regression inputs found by
fuzzing, e.g. crash-*) are left alone. Run it after changing an input layout:

    /usr/bin/python3 tests/fuzz/make_corpus.py
"""

import pathlib
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


class Fdp:
    """Bytes that FuzzedDataProvider reads back in the order written: integers are consumed
    from the end of the input (most significant byte first), strings from the front
    (ConsumeRandomLengthString: a backslash is doubled, and a backslash followed by any other
    byte ends the string)."""

    def __init__(self):
        self.front = bytearray()
        self.back = bytearray()  # in consumption order

    def int(self, value, lo, hi):
        span, offset, n = hi - lo, 0, 0
        while offset < 64 and (span >> offset) > 0:
            offset += 8
            n += 1
        self.back += (value - lo).to_bytes(n, "big") if n else b""
        return self

    def u8(self, value):
        return self.int(value, 0, 255)

    def flag(self, value):
        return self.u8(1 if value else 0)

    def u64(self, value):
        return self.int(value, 0, 2**64 - 1)

    def i64(self, value):
        return self.int(value, -(2**63), 2**63 - 1)

    def string(self, s):
        self.front += s.replace(b"\\", b"\\\\") + b"\\ "
        return self

    def raw(self, s):
        self.front += s
        return self

    def bytes(self):
        return bytes(self.front) + bytes(reversed(self.back))


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def svarint(v):
    return varint(((v << 1) ^ (v >> 63)) & (2**64 - 1))


def lp(s):
    return varint(len(s)) + s


# ---- fuzz_cursor -----------------------------------------------------------------------------
# u64(salt) u8(kind index) u64(owner) bool(sealed), then the cursor or payload from the front.
KINDS = {"home": 1, "timeline": 2, "followers": 3, "following": 4, "likers": 5, "liked": 6,
         "comments": 7, "bookmarks": 8, "replies": 9}


def cursor_seed(payload, kind="home", owner=7, salt=0x5EED, sealed=True):
    index = list(KINDS).index(kind)
    return Fdp().u64(salt).int(index, 0, len(KINDS) - 1).u64(owner).flag(sealed).raw(payload).bytes()


def cursor_payload(kind, owner, position):
    return bytes([1, KINDS[kind]]) + struct.pack(">Q", owner) + lp(position)


def cursor_seeds():
    post = struct.pack(">Q", (1_700_000_000_000 << 22) | 5)
    edge = struct.pack(">QQ", 1_700_000_000_000_000, 42)
    yield "home_position", cursor_seed(cursor_payload("home", 7, post))
    yield "followers_position", cursor_seed(cursor_payload("followers", 7, edge), "followers")
    yield "liked_position", cursor_seed(cursor_payload("liked", 7, edge), "liked")
    yield "bookmarks_position", cursor_seed(cursor_payload("bookmarks", 7, edge), "bookmarks")
    yield "comments_position", cursor_seed(cursor_payload("comments", 7, struct.pack(">Q", 42)), "comments")
    yield "replies_position", cursor_seed(cursor_payload("replies", 7, struct.pack(">Q", 42)), "replies")
    yield "empty_position", cursor_seed(cursor_payload("timeline", 7, b""), "timeline")
    yield "other_owner", cursor_seed(cursor_payload("home", 8, post))
    yield "version_2", cursor_seed(b"\x02" + cursor_payload("home", 7, post)[1:])
    yield "trailing_byte", cursor_seed(cursor_payload("home", 7, post) + b"\x00")
    # Around kMaxCursorChars (256): 176 position bytes make 192 bytes, 256 characters.
    yield "longest_position", cursor_seed(cursor_payload("home", 7, b"p" * 176))
    yield "too_long_position", cursor_seed(cursor_payload("home", 7, b"p" * 177))
    yield "raw_base64", cursor_seed(b"AQEAAAAAAAAABwgAAAAAAAAAAQ", sealed=False)
    yield "raw_padding", cursor_seed(b"abc=", sealed=False)
    yield "raw_trailing_bits", cursor_seed(b"-_9", sealed=False)
    yield "raw_one_char", cursor_seed(b"a", sealed=False)
    yield "raw_empty", cursor_seed(b"", sealed=False)


# ---- fuzz_records ----------------------------------------------------------------------------
def user_record(name, display, bio, created):
    return b"\x01" + lp(name) + lp(display) + lp(bio) + svarint(created)


def media(url, mime, w, h, alt):
    return lp(url) + lp(mime) + varint(w) + varint(h) + lp(alt)


def post_record(flags, author, created, reply_to, text, items, edited=None, tags=None,
                mentions=None):
    # flags bit 0: deleted; bit 1: edited, when svarint(edited_at_us) follows the media; bit 2:
    # entities, when varint(n) n*LP(hashtag) varint(m) m*varint(user) follow.
    out = b"\x01" + bytes([flags]) + varint(author) + svarint(created) + varint(reply_to)
    out += lp(text) + varint(len(items)) + b"".join(items)
    out += svarint(edited) if edited is not None else b""
    if tags is not None or mentions is not None:
        out += varint(len(tags or [])) + b"".join(lp(t) for t in tags or [])
        out += varint(len(mentions or [])) + b"".join(varint(m) for m in mentions or [])
    return out


def comment_record(post, author, reply_to, created, text):
    return b"\x01" + varint(post) + varint(author) + varint(reply_to) + svarint(created) + lp(text)


def record_seeds():
    t = 1_700_000_000_000_000
    yield "user", user_record(b"alice", "Alice \u00e9".encode(), b"bio\nline", t)
    yield "user_empty_fields", user_record(b"b", b"", b"", 0)
    yield "user_negative_time", user_record(b"old", b"", b"", -1)
    yield "post", post_record(0, 3, t, 0, b"hello world", [])
    yield "post_reply_media", post_record(0, 3, t, 99, b"look", [
        media(b"https://x/y.png", b"image/png", 640, 480, b"a cat"),
        media(b"u", b"m", 2**32 - 1, 0, b"")])
    yield "post_tombstone", post_record(1, 3, t, 0, b"", [])
    yield "post_edited", post_record(2, 3, t, 99, b"fixed typo", [
        media(b"https://x/z.png", b"image/png", 1, 1, b"")], edited=t + 5_000_000)
    yield "post_edited_no_media", post_record(2, 3, t, 0, b"text only", [], edited=-(2**63))
    yield "post_edited_zero_time", post_record(2, 3, t, 0, b"bad", [], edited=0)
    yield "post_edited_missing_time", post_record(2, 3, t, 0, b"bad", [])
    yield "post_entities", post_record(4, 3, t, 0, "#Cats and #\u65e5\u672c, @bob".encode(), [],
                                       tags=[b"cats", "\u65e5\u672c".encode()], mentions=[7])
    yield "post_edited_entities", post_record(6, 3, t, 99, b"now #dogs", [
        media(b"https://x/d.png", b"image/png", 2, 2, b"")], edited=t + 1, tags=[b"dogs"],
        mentions=[])
    yield "post_mentions_only", post_record(4, 3, t, 0, b"@a @b @a", [], tags=[],
                                            mentions=[2**64 - 1, 5])
    yield "post_entities_empty", post_record(4, 3, t, 0, b"flag without entities", [], tags=[],
                                             mentions=[])
    yield "author_mode_pull", b"\x01\x01" + varint(12345) + varint(0)
    yield "author_mode_draining", b"\x01\x02" + varint(12345) + varint(77)
    for job_type in range(1, 6):
        yield f"job_{job_type}", bytes([1, job_type]) + varint(3) + varint(2**40) + varint(9) + varint(8)
    yield "be64", struct.pack(">Q", 2**63 + 5)
    yield "comment", comment_record(2**40, 3, 0, t, b"nice post")
    yield "comment_reply", comment_record(2**40, 4, 17, t, "r\u00e9ponse".encode())
    yield "varint_ten_bytes", post_record(0, 2**64 - 1, -(2**63), 2**64 - 1, b"", [])


# ---- fuzz_validation -------------------------------------------------------------------------
# The whole input is checked as UTF-8 and as a username; then from the end max_post_bytes
# (1..64), max_media_items (0..2), max_display_name_bytes (0..16), max_bio_bytes (0..32),
# the media count (0..3), bool(created_at) [i64], and from the front the text, each media's
# url, mime type and alt text, the display name and the bio.
def validation_seed(text, media_items=(), created=None, name=b"", bio=b"", limits=(64, 2, 16, 32)):
    f = Fdp().int(limits[0], 1, 64).int(limits[1], 0, 2).int(limits[2], 0, 16)
    f.int(limits[3], 0, 32).int(len(media_items), 0, 3).flag(created is not None)
    if created is not None:
        f.i64(created)
    f.string(text)
    for url, mime, alt in media_items:
        f.string(url).string(mime).string(alt)
    return f.string(name).string(bio).bytes()


def validation_seeds():
    # Raw inputs: the UTF-8 and username checks see every byte.
    yield "utf8_overlong_slash", b"\xc0\xaf"
    yield "utf8_overlong_3", b"\xe0\x80\xaf"
    yield "utf8_surrogate", b"\xed\xa0\x80"
    yield "utf8_last_scalar", b"\xf4\x8f\xbf\xbf"
    yield "utf8_above_max", b"\xf4\x90\x80\x80"
    yield "utf8_truncated", b"\xe2\x82"
    yield "utf8_mixed", "a\u00e9\u20ac\U0001f600z".encode()
    yield "username_30", b"A" * 15 + b"_" * 5 + b"0123456789"
    yield "username_31", b"u" * 31
    yield "username_dash", b"bad-name"
    # Structured inputs.
    yield "post_trimmed", validation_seed(b"  hello\tworld \r\n")
    yield "post_only_space", validation_seed(b" \t\n ")
    yield "post_control", validation_seed(b"a\x01b")
    yield "post_del", validation_seed(b"a\x7fb")
    yield "post_at_limit", validation_seed(b"x" * 8, limits=(8, 2, 16, 32))
    yield "post_over_limit", validation_seed(b"x" * 9, limits=(8, 2, 16, 32))
    yield "post_multibyte_limit", validation_seed("\u20ac\u20ac".encode(), limits=(5, 2, 16, 32))
    yield "post_bad_utf8", validation_seed(b"ok \xed\xa0\x80")
    yield "post_media", validation_seed(b"pic", [(b"https://x/a.png", b"image/png", b"alt\ntext")])
    yield "post_media_newline_url", validation_seed(b"pic", [(b"a\nb", b"image/png", b"")])
    yield "post_too_many_media", validation_seed(b"pic", [(b"u", b"m", b"")] * 2, limits=(64, 1, 16, 32))
    yield "post_negative_time", validation_seed(b"old", created=-1)
    yield "post_epoch", validation_seed(b"old", created=0)
    yield "profile", validation_seed(b"p", name="Zo\u00eb".encode(), bio=b"line\r\nline\t.")
    yield "profile_newline_name", validation_seed(b"p", name=b"a\nb", bio=b"")
    yield "profile_limits", validation_seed(b"p", name=b"n" * 5, bio=b"b" * 6, limits=(64, 2, 4, 5))


# ---- fuzz_engine_model -----------------------------------------------------------------------
# Operation numbers of fuzz_engine_model.cc (enum Op).
(FOLLOW, UNFOLLOW, BLOCK, UNBLOCK, MUTE, UNMUTE, POST, POST_TEXT, DELETE, LIKE, UNLIKE,
 FIRST_PAGE, NEXT_PAGE, FOREIGN_CURSOR, RAW_CURSOR, CHECK_USER, COMMENT, DELETE_COMMENT, BOOKMARK,
 UNBOOKMARK, REPLY, EDIT_POST, POST_TAGGED, EDIT_TAGGED, CREATE_USER, HASHTAG_FEED) = range(26)
ZERO_ID, UNKNOWN_ID = 250, 251  # PickUser / PickPost bytes for id 0 and an unknown id
# kTokens of fuzz_engine_model.cc, in order ("@%u" tokens name user k; ":upper" and ":first" are
# the case variants).
TOKENS = ["#Cats", "#cats", "#CATS", "#Dogs", "#dogs!", "#\u65e5\u672c", "#Caf\u00e9",
          "#CAF\u00c9", "#\u00fcber", "#\u00dcBER", "#caf\u00e9_2", "#_x", "#2024", "a#b", "##cats",
          "#", "x#cats", "http://h/p#cats", "&#39;", "(#dogs)", "hello", "@%u", "@%u:upper",
          "@%u:first", "@%u's", "x@%u", "@%u\u00e9", "(@%u):upper", "@nobody_here",
          "@abcdefghijklmnopqrstuvwxyz01234", "a@b.c", "@"]
SEPARATORS = [" ", ", ", "\n", "", " #"]
MAX_LATE_USERS = 9
# kHashtags (stored, upper) and kNotHashtags: AllTagQueries() lists each hashtag as stored,
# '#' + stored, upper, '#' + upper, then the strings that are no hashtag.
HASHTAGS = [("cats", "CATS"), ("dogs", "DOGS"), ("\u65e5\u672c", "\u65e5\u672c"),
            ("caf\u00e9", "CAF\u00c9"), ("\u00fcber", "\u00dcBER"), ("caf\u00e9_2", "CAF\u00c9_2"),
            ("_x", "_X"), ("never", "NEVER")]
NOT_HASHTAGS = ["#2024", "a#b", "##cats", "#", "", "@cats", "cats!", "#ca ts"]
TAG_QUERIES = [q for stored, upper in HASHTAGS for q in (stored, "#" + stored, upper, "#" + upper)]
TAG_QUERIES += NOT_HASHTAGS


class Scenario:
    """An engine input: users are picked by index, posts by creation index."""

    def __init__(self, users):
        self.f = Fdp().int(users, 2, 6)

    def op(self, code, *picks):
        self.f.int(code, 0, HASHTAG_FEED)
        for p in picks:
            self.f.u8(p)
        return self

    def pair(self, code, a, b):
        return self.op(code, a, b)

    def post(self, author, back_ms=None):
        self.op(POST, author)
        self.f.flag(back_ms is not None).int(back_ms or 1, 1, 1_000_000)
        return self

    def post_text(self, author, text):
        self.op(POST_TEXT, author)
        self.f.string(text)
        return self

    def delete(self, post, actor=None):
        # by_author (0..3, non-zero: the post's author) and the other actor are both read.
        self.op(DELETE, post)
        self.f.int(0 if actor is not None else 1, 0, 3).u8(actor if actor is not None else 0)
        return self

    def page(self, reader, limit):
        self.op(FIRST_PAGE, reader)
        self.f.int(limit, 0, 9)
        return self

    def next_page(self, limit):
        self.op(NEXT_PAGE)
        self.f.int(limit, 0, 9)
        return self

    def foreign_cursor(self, other, at, alphabet_index, cut):
        self.op(FOREIGN_CURSOR, other, at)
        self.f.int(alphabet_index, 0, 63).u8(cut)
        return self

    def raw_cursor(self, reader, cursor):
        self.op(RAW_CURSOR, reader)
        self.f.string(cursor)
        return self

    def check(self, user, limit=2):
        self.op(CHECK_USER, user)
        self.f.int(limit, 1, 5)
        return self

    def comment(self, author, post, reply_to=None):
        # reply_to: the index of a comment among those this input made (PickComment).
        self.op(COMMENT, author, post)
        self.f.flag(reply_to is not None)
        if reply_to is not None:
            self.f.u8(reply_to)
        return self

    def delete_comment(self, actor, comment):
        return self.op(DELETE_COMMENT, actor, comment)

    def reply(self, author, post):
        return self.op(REPLY, author, post)

    def edit(self, post, text=None, media=None, actor=None, bad_media=False):
        # by_author (0..3, non-zero: the post's author) and the other actor are both read, then
        # the fields (bit 0: text, bit 1: media), the media count (0..3), bad_media (0..7,
        # 0: the first item has no url) and the text, whatever the fields.
        self.op(EDIT_POST, post)
        self.f.int(0 if actor is not None else 1, 0, 3).u8(actor if actor is not None else 0)
        fields = (1 if text is not None else 0) | (2 if media is not None else 0)
        self.f.int(fields, 0, 3).int(media or 0, 0, 3).int(0 if bad_media else 1, 0, 7)
        self.f.string(text if text is not None else b"")
        return self

    def tagged_text(self, tokens):
        # tokens: (token, separator before it, user k for "@%u" tokens) each.
        self.f.int(len(tokens), 0, 6)
        for token, sep, k in tokens:
            self.f.int(TOKENS.index(token), 0, len(TOKENS) - 1)
            self.f.int(SEPARATORS.index(sep), 0, len(SEPARATORS) - 1).int(k, 0, MAX_LATE_USERS - 1)
        return self

    def post_tagged(self, author, tokens, reply_to=None):
        self.op(POST_TAGGED, author)
        self.f.int(0 if reply_to is not None else 1, 0, 3).u8(reply_to or 0)
        return self.tagged_text(tokens)

    def edit_tagged(self, post, tokens, media=False, actor=None):
        self.op(EDIT_TAGGED, post)
        self.f.int(0 if actor is not None else 1, 0, 3).u8(actor if actor is not None else 0)
        self.f.int(0 if media else 1, 0, 3)
        return self.tagged_text(tokens)

    def hashtag_feed(self, tag, limit):
        self.op(HASHTAG_FEED)
        self.f.int(TAG_QUERIES.index(tag), 0, len(TAG_QUERIES) - 1).int(limit, 0, 9)
        return self

    def bytes(self):
        return self.f.bytes()


def engine_seeds():
    s = Scenario(3).pair(FOLLOW, 0, 1).pair(FOLLOW, 2, 1).post(1).post(0).post(1)
    s.page(0, 2).next_page(2).op(LIKE, 0, 0).op(LIKE, 2, 1)
    yield "push_feed_pages", s.check(0).check(1).check(2).bytes()

    # Five followers put author 5 over the threshold (3): pulled; reads go past the inbox cap.
    s = Scenario(6)
    for u in range(5):
        s.pair(FOLLOW, u, 5)
    for _ in range(6):
        s.post(5)
    s.pair(FOLLOW, 0, 1).post(1).post(1).page(0, 3).next_page(3).next_page(3).check(0, 1)
    yield "pull_deep_read", s.bytes()

    # Pulled, then followers leave: the next post starts draining back to push.
    s = Scenario(5).pair(FOLLOW, 1, 0).pair(FOLLOW, 2, 0).pair(FOLLOW, 3, 0).post(0).post(0)
    s.pair(UNFOLLOW, 2, 0).pair(UNFOLLOW, 3, 0).post(0).pair(FOLLOW, 4, 0).post(0)
    yield "pull_then_drain", s.check(1).check(4).check(0).bytes()

    # Several pushed authors fill the reader's inbox (cap 4) many times over.
    s = Scenario(4).pair(FOLLOW, 0, 1).pair(FOLLOW, 0, 2).pair(FOLLOW, 0, 3)
    for i in range(9):
        s.post(1 + i % 3)
    yield "inbox_cap", s.page(0, 2).next_page(2).next_page(4).check(0, 3).bytes()

    # A thread four deep, replies to a post of several authors, a blocked replier, deleted
    # ancestors (gaps in threads) and a deleted parent whose replies stay, replies to a deleted,
    # an unknown and no post, and a deleted reply leaving its parent's list.
    s = Scenario(4).pair(FOLLOW, 1, 0).post(0).reply(1, 0).reply(2, 1).reply(0, 2).reply(3, 0)
    s.reply(2, 0).pair(BLOCK, 0, 3).reply(3, 0).reply(3, 1).delete(4).reply(1, 0).delete(1)
    s.reply(2, 1).reply(2, 3).reply(1, ZERO_ID).reply(1, UNKNOWN_ID).delete(2).page(1, 3)
    yield "replies", s.check(1).check(2).bytes()

    s = Scenario(3).pair(FOLLOW, 0, 1).pair(FOLLOW, 1, 0).post(1).post(0).pair(MUTE, 0, 1)
    s.check(0).pair(UNMUTE, 0, 1).pair(BLOCK, 1, 0).pair(FOLLOW, 0, 1).op(LIKE, 0, 0)
    s.pair(UNBLOCK, 1, 0).pair(FOLLOW, 0, 1).op(LIKE, 0, 0).pair(BLOCK, 0, 2).pair(BLOCK, 0, 2)
    yield "mute_block", s.check(0).check(1).bytes()

    s = Scenario(4).pair(FOLLOW, 1, 0).post(0).post(0).post(1)
    s.op(LIKE, 1, 0).op(LIKE, 2, 0).op(LIKE, 2, 0).op(LIKE, 3, 1).op(UNLIKE, 2, 0).op(UNLIKE, 2, 0)
    s.delete(1, actor=2).delete(1).delete(1).op(LIKE, 3, 1).op(UNLIKE, 3, 1).op(LIKE, 1, 2)
    yield "likes_deletes", s.check(1).check(2).bytes()

    # Comments and answers, a blocked commenter, deletions by the comment's and the post's
    # authors and by a stranger, and a deleted post taking its comments with it.
    s = Scenario(4).pair(FOLLOW, 1, 0).post(0).post(1)
    s.comment(1, 0).comment(2, 0, reply_to=0).comment(3, 1).comment(2, 1, reply_to=0)
    s.pair(BLOCK, 0, 3).comment(3, 0).delete_comment(3, 0).delete_comment(0, 1)
    s.comment(1, 0, reply_to=0).delete_comment(2, 1).delete(0).comment(1, 0).delete_comment(3, 2)
    yield "comments", s.check(1).bytes()

    # Bookmarks beside likes, a blocked bookmarker, and a deleted post leaving every list.
    s = Scenario(3).post(0).post(1).post(0)
    s.op(BOOKMARK, 1, 0).op(BOOKMARK, 1, 2).op(LIKE, 1, 0).op(BOOKMARK, 1, 0).op(BOOKMARK, 2, 1)
    s.op(UNBOOKMARK, 1, 2).op(UNBOOKMARK, 1, 2).op(BOOKMARK, 1, 2).pair(BLOCK, 0, 2)
    s.op(BOOKMARK, 2, 0).op(BOOKMARK, UNKNOWN_ID, 0).op(BOOKMARK, 1, ZERO_ID).delete(0)
    s.op(BOOKMARK, 1, 0).op(UNBOOKMARK, 1, 0)
    yield "bookmarks", s.check(1).check(2).bytes()

    s = Scenario(3).pair(FOLLOW, 0, 1).post(1).post(1).post(0).page(0, 1)
    s.foreign_cursor(1, 3, 0, 5).foreign_cursor(2, 200, 63, 1).raw_cursor(0, b"AAAA")
    s.raw_cursor(1, b"!!").next_page(1).post(1).next_page(1).next_page(8)
    yield "cursors", s.bytes()

    s = Scenario(2).post_text(0, b"  hello\tworld \r\n").post_text(0, b"\xc0\xaf")
    s.post_text(0, b"").post_text(0, b" \t ").post_text(0, b"a\x01b").post_text(1, "\u00e9t\u00e9".encode())
    s.post_text(UNKNOWN_ID, b"nobody").post_text(ZERO_ID, b"x").pair(FOLLOW, 1, 0)
    yield "post_texts", s.check(1).bytes()

    s = Scenario(3).pair(FOLLOW, 0, 1).post(1).post(1, back_ms=500).post(1, back_ms=100_000)
    s.post(2, back_ms=5).pair(FOLLOW, 0, 2).post(0, back_ms=999_999)
    yield "backdated", s.page(0, 2).next_page(2).next_page(2).check(0).bytes()

    # Edits of text, media (some, none, one without a url) or both, by the author and by
    # another user, of a deleted, an unknown and no post, with nothing to change, and with
    # texts the validator trims or refuses; the new versions in feeds, timelines, likes,
    # bookmarks, replies and threads.
    s = Scenario(3).pair(FOLLOW, 1, 0).post(0).post(1).reply(2, 0).op(LIKE, 1, 0)
    s.op(BOOKMARK, 2, 0).edit(0, text=b"  edited once ").edit(0, media=2).edit(0, media=0)
    s.edit(0, text=b"twice", media=1).edit(2, text=b"reply edited").edit(1, text=b"x", actor=0)
    s.edit(0).edit(0, text=b" \t ").edit(0, text=b"a\x01b").edit(0, media=1, bad_media=True)
    s.page(1, 3).delete(1).edit(1, text=b"gone").edit(UNKNOWN_ID, text=b"who")
    s.edit(ZERO_ID, text=b"zero").edit(0, text=b"by nobody", actor=UNKNOWN_ID)
    yield "edits", s.page(1, 2).next_page(2).check(1).check(2).bytes()

    # Tagged posts, replies and edits: hashtags in mixed case and Unicode, strings that hold
    # none, mentions in any case, of users created later (resolved only by an edit after their
    # creation) and of nobody; hashtag feeds after edits (text, media only) and deletions, paged,
    # under every spelling, and refused for strings that are no hashtag.
    s = Scenario(3).pair(FOLLOW, 1, 0)
    s.post_tagged(0, [("#Cats", " ", 0), ("@%u", " ", 1), ("#\u65e5\u672c", ", ", 0),
                      ("@%u:upper", " ", 2), ("@%u", " ", 4), ("#cats", " ", 0)])
    s.post_tagged(1, [("#CAF\u00c9", "\n", 0), ("a#b", " ", 0), ("@%u:first", " ", 0),
                      ("#2024", " ", 0), ("x@%u", " ", 2)])
    s.post_tagged(2, [("(#dogs)", " ", 0), ("#Cats", "", 0), ("@%u's", " ", 1)], reply_to=0)
    s.op(CREATE_USER).op(CREATE_USER).hashtag_feed("#CATS", 1).hashtag_feed("caf\u00e9", 2)
    s.edit_tagged(0, [("#Dogs", " ", 0), ("@%u", " ", 4), ("#\u00dcBER", " ", 0),
                      ("@nobody_here", " ", 0)])
    s.post_tagged(4, [("#caf\u00e9_2", " ", 0), ("@%u\u00e9", " ", 0), ("(@%u):upper", " ", 3)])
    s.edit(1, media=1).hashtag_feed("CAF\u00c9", 3).edit(2, text=b"plain now")
    s.edit(2, text=b"#cats again")
    s.edit_tagged(3, [("#_x", " #", 0)], media=True).edit_tagged(0, [("#Cats", " ", 0)], actor=1)
    s.delete(1).hashtag_feed("#caf\u00e9", 1).hashtag_feed("#2024", 3).hashtag_feed("dogs", 9)
    s.post_text(0, b"  #Cats @nobody_here\t")
    yield "hashtags_mentions", s.page(1, 2).check(1).check(0).bytes()

    s = Scenario(2).pair(FOLLOW, ZERO_ID, 0).pair(FOLLOW, UNKNOWN_ID, 0).pair(UNFOLLOW, 1, 1)
    s.pair(FOLLOW, 1, 1).pair(MUTE, 0, 0).page(0, 0).page(0, 9).page(UNKNOWN_ID, 3)
    s.post(UNKNOWN_ID).post(ZERO_ID).op(LIKE, 0, ZERO_ID).op(LIKE, 0, UNKNOWN_ID)
    s.delete(UNKNOWN_ID, actor=0).delete(ZERO_ID, actor=ZERO_ID)
    yield "invalid_ids", s.bytes()


def main():
    targets = {
        "fuzz_cursor": cursor_seeds(),
        "fuzz_records": record_seeds(),
        "fuzz_validation": validation_seeds(),
        "fuzz_engine_model": engine_seeds(),
    }
    for target, seeds in targets.items():
        directory = CORPUS / target
        directory.mkdir(parents=True, exist_ok=True)
        n = 0
        for name, data in seeds:
            (directory / name).write_bytes(data)
            n += 1
        print(f"{target}: {n} seeds in {directory}")


if __name__ == "__main__":
    main()
