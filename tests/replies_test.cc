// Replies and threads through the public API: NewPost::reply_to, Post::reply_count, Replies and
// Thread (SPEC §3), and what a deleted reply or parent does to them.

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "keys/keys.h"
#include "puppies/puppies.h"
#include "store/store.h"
#include "testing/raw_db.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using testing::ExpectConsistent;
using testing::ReplyIds;
using Fixture = testing::UsersFixture;

PostId Reply(Fixture& f, UserId author, PostId parent, const std::string& text = "a reply") {
  f.Tick();
  return MUST(f.e->CreatePost(author, NewPost{.text = text, .reply_to = parent}));
}

uint64_t ReplyCount(Engine& e, PostId post) { return MUST(e.GetPost(post)).reply_count; }

// The ids of a thread, 0 for a gap.
std::vector<uint64_t> ThreadIds(Engine& e, PostId post) {
  std::vector<uint64_t> out;
  for (const std::optional<Post>& p : MUST(e.Thread(post))) out.push_back(p ? ToInt(p->id) : 0);
  return out;
}

TEST_CASE("replies: oldest first, exact counts, only direct replies") {
  Fixture f;
  const UserId author = f.users[0], a = f.users[1], b = f.users[2];
  const PostId parent = f.NewPost(author, "parent");
  CHECK(ReplyIds(*f.e, parent).empty());
  CHECK_EQ(ReplyCount(*f.e, parent), 0u);
  std::vector<PostId> replies;
  for (int i = 0; i < 5; ++i) replies.push_back(Reply(f, i % 2 ? a : b, parent));
  const PostId nested = Reply(f, author, replies[1], "an answer to a reply");
  replies.push_back(Reply(f, author, parent, "the author answers too"));

  CHECK_EQ(ReplyIds(*f.e, parent), replies);
  CHECK_EQ(ReplyIds(*f.e, parent, 2), replies);  // paged two at a time
  CHECK_EQ(ReplyCount(*f.e, parent), replies.size());
  CHECK_EQ(ReplyIds(*f.e, replies[1]), std::vector<PostId>{nested});
  CHECK_EQ(ReplyCount(*f.e, replies[1]), 1u);
  CHECK_EQ(ReplyCount(*f.e, nested), 0u);
  // Every view of a post carries its count: a page of replies, the author's timeline.
  PostPage page = MUST(f.e->Replies(parent, {2, ""}));
  REQUIRE_EQ(page.items.size(), 2u);
  CHECK_EQ(page.items[1], MUST(f.e->GetPost(replies[1])));
  CHECK_EQ(page.items[1].reply_count, 1u);
  CHECK_EQ(page.items[1].reply_to, parent);
  CHECK(page.has_more);
  PostPage timeline = MUST(f.e->UserTimeline(author, {20, ""}));
  REQUIRE_FALSE(timeline.items.empty());
  CHECK_EQ(timeline.items.back().id, parent);
  CHECK_EQ(timeline.items.back().reply_count, replies.size());

  // An imported reply with an earlier time sorts by that time, as every list does.
  NewPost early{.text = "imported", .reply_to = parent};
  early.created_at_us = f.clock->NowMicros() - 2'000'000;
  const PostId imported = MUST(f.e->CreatePost(a, early));
  CHECK_EQ(ReplyIds(*f.e, parent).front(), imported);

  // A deleted reply leaves its parent's list and count at once; its own replies stay.
  REQUIRE_OK(f.e->DeletePost(a, replies[1]));
  std::vector<PostId> want = {imported};
  for (PostId r : replies)
    if (r != replies[1]) want.push_back(r);
  CHECK_EQ(ReplyIds(*f.e, parent), want);
  CHECK_EQ(ReplyCount(*f.e, parent), want.size());
  CHECK_EQ(MUST(f.e->GetPost(nested)).reply_to, replies[1]);
  ExpectConsistent(*f.e);
  f.e.Reopen();
  CHECK_EQ(ReplyIds(*f.e, parent), want);
  CHECK_EQ(ReplyCount(*f.e, parent), want.size());
  ExpectConsistent(*f.e);
}

TEST_CASE("replies: errors and cursors") {
  Fixture f;
  const UserId author = f.users[0], reader = f.users[1];
  const PostId p = f.NewPost(author, "post");
  const PostId q = f.NewPost(author, "another");
  for (int i = 0; i < 3; ++i) {
    Reply(f, reader, p);
    Reply(f, reader, q);
  }
  const PostId unknown{ToInt(q) + 1000};
  CHECK_CODE(f.e->Replies(PostId{0}), kInvalidArgument);
  CHECK_CODE(f.e->Replies(unknown), kNotFound);
  for (uint32_t bad : {0u, 1001u}) CHECK_CODE(f.e->Replies(p, {bad, ""}), kInvalidArgument);
  CHECK_CODE(f.e->Replies(p, {2, "not a cursor"}), kInvalidArgument);
  CHECK_CODE(f.e->Thread(PostId{0}), kInvalidArgument);
  CHECK_CODE(f.e->Thread(unknown), kNotFound);

  // A replies cursor belongs to one post's replies, and is no other list's cursor.
  PostPage rp = MUST(f.e->Replies(p, {2, ""}));
  REQUIRE(rp.has_more);
  CHECK_OK(f.e->Replies(p, {2, rp.next_cursor}));
  CHECK_CODE(f.e->Replies(q, {2, rp.next_cursor}), kInvalidArgument);
  CHECK_CODE(f.e->Comments(p, {2, rp.next_cursor}), kInvalidArgument);
  PostPage tp = MUST(f.e->UserTimeline(reader, {2, ""}));
  CHECK_CODE(f.e->Replies(p, {2, tp.next_cursor}), kInvalidArgument);

  // reply_to must name a live post whose author does not block the replier.
  CHECK_CODE(f.e->CreatePost(reader, NewPost{.text = "x", .reply_to = unknown}), kNotFound);
  REQUIRE(MUST(f.e->Block(author, reader)));
  CHECK_CODE(f.e->CreatePost(reader, NewPost{.text = "x", .reply_to = p}), kPermissionDenied);
  REQUIRE_OK(f.e->DeletePost(author, q));
  CHECK_CODE(f.e->CreatePost(author, NewPost{.text = "x", .reply_to = q}), kNotFound);
  CHECK_CODE(f.e->Replies(q), kNotFound);
  CHECK_CODE(f.e->Thread(q), kNotFound);
  ExpectConsistent(*f.e);
}

TEST_CASE("thread: root first; a deleted ancestor is a gap and the walk goes on") {
  Fixture f;
  const UserId a = f.users[0], b = f.users[1];
  const PostId root = f.NewPost(a, "root");
  const PostId r1 = Reply(f, b, root);
  const PostId r2 = Reply(f, a, r1);
  const PostId r3 = Reply(f, b, r2);
  const uint64_t R = ToInt(root), R1 = ToInt(r1), R2 = ToInt(r2);
  CHECK(MUST(f.e->Thread(root)).empty());
  CHECK_EQ(ThreadIds(*f.e, r1), std::vector<uint64_t>{R});
  CHECK_EQ(ThreadIds(*f.e, r3), (std::vector<uint64_t>{R, R1, R2}));
  const std::vector<std::optional<Post>> full = MUST(f.e->Thread(r3));
  REQUIRE_EQ(full.size(), 3u);
  CHECK_EQ(*full[1], MUST(f.e->GetPost(r1)));
  CHECK_EQ(full[1]->reply_count, 1u);

  REQUIRE_OK(f.e->DeletePost(b, r1));
  CHECK_EQ(ThreadIds(*f.e, r3), (std::vector<uint64_t>{R, 0, R2}));
  CHECK_EQ(ReplyCount(*f.e, root), 0u);
  CHECK(ReplyIds(*f.e, root).empty());
  CHECK_CODE(f.e->Replies(r1), kNotFound);
  // r2 answers a deleted post: it stays, and so does its reply_to.
  CHECK_EQ(MUST(f.e->GetPost(r2)).reply_to, r1);
  CHECK_EQ(ReplyIds(*f.e, r2), std::vector<PostId>{r3});
  REQUIRE_OK(f.e->DeletePost(a, root));
  CHECK_EQ(ThreadIds(*f.e, r3), (std::vector<uint64_t>{0, 0, R2}));
  ExpectConsistent(*f.e);
  f.e.Reopen();
  CHECK_EQ(ThreadIds(*f.e, r3), (std::vector<uint64_t>{0, 0, R2}));
}

TEST_CASE("thread: the nearest 1'000 ancestors, and the rest from the first of them") {
  Fixture f(1);
  std::vector<PostId> chain = {f.NewPost(f.users[0], "root")};
  for (int i = 0; i < 1'001; ++i) chain.push_back(Reply(f, f.users[0], chain.back()));
  const std::vector<std::optional<Post>> near = MUST(f.e->Thread(chain.back()));
  REQUIRE_EQ(near.size(), 1'000u);
  REQUIRE(near.front().has_value());
  CHECK_EQ(near.front()->id, chain[1]);
  CHECK_EQ(near.back()->id, chain[chain.size() - 2]);
  // The first item still has a parent: the thread goes on above it.
  CHECK_EQ(near.front()->reply_to, chain[0]);
  CHECK_EQ(ThreadIds(*f.e, near.front()->id), std::vector<uint64_t>{ToInt(chain[0])});
}

TEST_CASE("replies: a deleted parent's list and count are purged; its replies stay") {
  Options o;
  o.fanout_batch_size = 3;  // more replies than one purge step takes
  Fixture f(4, o);
  const UserId author = f.users[0], replier = f.users[1];
  const PostId parent = f.NewPost(author, "parent");
  std::vector<PostId> replies;
  for (int i = 0; i < 10; ++i) replies.push_back(Reply(f, i % 2 ? replier : author, parent));
  REQUIRE_OK(f.e->DeletePost(author, parent));
  // A reply deleted after its parent counts nothing down (the parent's count is the purge's).
  REQUIRE_OK(f.e->DeletePost(replier, replies[1]));
  ExpectConsistent(*f.e);  // waits for the purge, then checks I13 and the counters
  for (PostId r : replies) {
    if (r == replies[1]) continue;
    const Post p = MUST(f.e->GetPost(r));
    CHECK_EQ(p.reply_to, parent);
    CHECK_EQ(ThreadIds(*f.e, r), std::vector<uint64_t>{0});
  }
  // Nothing of the parent's list is left in storage.
  REQUIRE_OK(f.e->Close());
  testing::WithRawStore(f.e.options(), f.e.dir().db(), [&](internal::Store& s) {
    int left = 0;
    REQUIRE_OK(s.Scan(internal::Cf::kEdges, internal::ReplyKey::Prefix(ToInt(parent)), "",
                      [&](std::string_view, std::string_view) {
                        ++left;
                        return true;
                      }));
    CHECK_EQ(left, 0);
    bool counter;
    REQUIRE_OK(s.Exists(
        internal::Cf::kCounters,
        internal::CounterKey{ToInt(parent), internal::CounterKind::kReplies}.Encode(), &counter));
    CHECK_FALSE(counter);
  });
}

}  // namespace
}  // namespace puppies
