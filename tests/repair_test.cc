// Check() and Repair() against drift written behind the engine's back (TESTING.md C13
// fsck_detects_injected_drift, I10): Check reports exactly the injected defects, Repair fixes
// them, Check is clean afterwards and the public reads agree with the model. Repair on a
// healthy database changes no byte, and refuses to touch a damaged one.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "graph/edges.h"
#include "keys/coding.h"
#include "keys/keys.h"
#include "puppies/puppies.h"
#include "records/records.h"
#include "testing/model.h"
#include "testing/raw_db.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

using internal::AuthoredKey;
using internal::Batch;
using internal::Cf;
using internal::CounterKey;
using internal::CounterKind;
using internal::EdgeKey;
using internal::EdgeKind;
using internal::EdgeOrderKey;
using internal::EncodeBE64;
using internal::InboxKey;
using testing::Driver;
using testing::ExpectConsistent;
using testing::kStartMicros;
using testing::TempEngine;

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string Lines(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += "\n  " + s;
  return out;
}

#define CHECK_LINES(got, want)                                                          \
  do {                                                                                  \
    const std::vector<std::string> puppies_g_ = Sorted(got), puppies_w_ = Sorted(want); \
    CHECK_MESSAGE(puppies_g_ == puppies_w_,                                             \
                  "got:" << Lines(puppies_g_) << "\nwant:" << Lines(puppies_w_));       \
  } while (0)

// A small world on a ManualClock, fanned out and checked against the model.
struct World {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e{testing::ClockOptions(clock)};
  Driver d{e.get(), clock};
  UserId alice = d.AddUser("alice"), bob = d.AddUser("bob"), carol = d.AddUser("carol"),
         dave = d.AddUser("dave"), eve = d.AddUser("eve");
  PostId a1, a2, a3, b1;

  World() {
    d.Follow(bob, alice);
    d.Follow(carol, alice);
    d.Follow(dave, alice);
    d.Follow(alice, bob);
    a1 = d.Post(alice);
    a2 = d.Post(alice);
    a3 = d.Post(alice);
    b1 = d.Post(bob);
    CHECK_VALUE(e->Like(carol, a1), true);
    CHECK_VALUE(e->Like(dave, a2), true);
    d.CheckAll();
  }

  // Closes the engine, runs `fn(store, batch)`, writes the batch and reopens.
  template <class Fn>
  void Behind(Fn&& fn) {
    REQUIRE_OK(e->Close());
    testing::WithRawStore(e.options(), e.dir().db(), [&](internal::Store& s) {
      Batch b = s.NewBatch();
      fn(b);
      REQUIRE_OK(s.Write(&b));
    });
    e.Reopen();
    d.SetEngine(e.get());
  }
};

uint64_t U(UserId u) { return ToInt(u); }
uint64_t P(PostId p) { return ToInt(p); }

TEST_CASE("repair: C13 fsck_detects_injected_drift, Repair fixes exactly it") {
  World w;
  auto& e = w.e;
  const int64_t t = w.clock->NowMicros();
  const uint64_t ghost = P(w.a3) + 7, ghost2 = P(w.a3) + 9;  // ids of posts that never existed
  w.Behind([&](Batch& b) {
    // A wrong counter.
    b.AddCounter(CounterKey{U(w.carol), CounterKind::kFollowers}.Encode(), 5);
    // Orphan inbox entries: a post that does not exist, an author the owner does not follow.
    b.Put(Cf::kInbox, InboxKey{U(w.carol), ghost}.Encode(), EncodeBE64(U(w.alice)));
    b.Put(Cf::kInbox, InboxKey{U(w.eve), P(w.a1)}.Encode(), EncodeBE64(U(w.alice)));
    // A follow that lost its mirror (the rest of its batch is there).
    internal::PutEdge(&b, U(w.eve), EdgeKind::kFollowing, U(w.dave), t);
    b.AddCounter(CounterKey{U(w.eve), CounterKind::kFollowing}.Encode(), 1);
    b.AddCounter(CounterKey{U(w.dave), CounterKind::kFollowers}.Encode(), 1);
    // A like and a block that lost their mirrors.
    internal::PutEdge(&b, U(w.eve), EdgeKind::kLiked, P(w.a3), t);
    internal::PutEdge(&b, U(w.dave), EdgeKind::kBlocking, U(w.eve), t);
    // An order key whose edge is gone.
    b.Put(Cf::kEdges, EdgeOrderKey{U(w.eve), EdgeKind::kMuting, t, U(w.alice)}.Encode(), "");
    // A timeline entry whose post record was lost, counted as CreatePost counts it.
    b.Put(Cf::kEdges, AuthoredKey{U(w.bob), ghost2}.Encode(), "");
    b.AddCounter(CounterKey{U(w.bob), CounterKind::kPosts}.Encode(), 1);
    // A fan-out entry of a push author that went missing.
    b.Delete(Cf::kInbox, InboxKey{U(w.carol), P(w.a2)}.Encode());
    // The username index loses one entry and gains a stale one.
    b.Delete(Cf::kUsernames, "eve");
    b.Put(Cf::kUsernames, "ghost", EncodeBE64(999));
    // The user id high-water mark falls behind the stored ids.
    b.Put(Cf::kMeta, internal::meta_keys::kUserIdHwm, EncodeBE64(2));
  });

  const std::vector<std::string> want_check = {
      "I2: counter 1 of 3 is 5, expected 0",
      fmt::format("I5: inbox of 3 holds missing post {}", ghost),
      fmt::format("I5: inbox of 5 holds post {} of unfollowed author 1", P(w.a1)),
      "I1: edge 5-[1]->4 has no mirror",
      fmt::format("I1: edge 5-[6]->{} has no mirror", P(w.a3)),
      "I1: edge 4-[3]->5 has no mirror",
      "I1: order key 5-[5]->1 without edge",
      fmt::format("I4: authored entry (2, {}) without a live post by that author", ghost2),
      fmt::format("I6: post {} by 1 missing from follower 3's inbox", P(w.a2)),
      "I8: user 5 ('eve') not indexed by username",
      "I8: username 'ghost' points to user 999 with another name",
      "I7: user id 3 above high-water mark 2",
      "I7: user id 4 above high-water mark 2",
      "I7: user id 5 above high-water mark 2",
  };
  CHECK_LINES(MUST(e->Check()), want_check);

  const std::vector<std::string> want_fixes = {
      "I1: follow 5 -> 4: removed (one-sided)",
      fmt::format("I3: like 5 -> {}: removed (one-sided)", P(w.a3)),
      "I1: block 4 -> 5: mirror restored",
      "I1: removed order key 5-[5]->1 without its edge",
      "I2: counter 1 of 3 corrected by -5",
      fmt::format("I4: removed post {} from the timeline of 2", ghost2),
      fmt::format("I5: removed post {} from the inbox of 3 (post gone)", ghost),
      fmt::format("I5: removed post {} from the inbox of 5 (not followed)", P(w.a1)),
      "I6: queued a backfill of author 1 into the inbox of 3",
      "I7: raised user_id_hwm from 2 to 5",
      "I8: indexed user 5 under username 'eve'",
      "I8: removed username 'ghost', which named user 999",
  };
  CHECK_LINES(MUST(e->Repair()), want_fixes);
  testing::ExpectCheckClean(*e);
  CHECK(MUST(e->Repair()).empty());

  // The public reads agree with the model: the lone block stands, the lone follow and like
  // are gone, the counters are exact and carol's feed has a2 back.
  w.d.model().Block(w.dave, w.eve);
  w.d.CheckAll();
  CHECK_VALUE(e->IsBlocking(w.dave, w.eve), true);
  CHECK_CODE(e->Follow(w.eve, w.dave), kPermissionDenied);
  CHECK_VALUE(e->HasLiked(w.eve, w.a3), false);
  CHECK(testing::LikedIds(*e, w.eve).empty());
  CHECK_EQ(MUST(e->GetPost(w.a1)).like_count, 1);
  CHECK_EQ(MUST(e->GetPost(w.a3)).like_count, 0);
  CHECK_EQ(MUST(e->FindUser("eve")).id, w.eve);
  CHECK_CODE(e->FindUser("ghost"), kNotFound);
  // The raised high-water mark keeps the next id clear of carol's.
  const UserId frank = MUST(e->CreateUser("frank"));
  CHECK_GT(U(frank), U(w.eve));
  CHECK_EQ(MUST(e->GetUser(w.carol)).username, "carol");

  // The fixes are durable.
  e.Reopen();
  ExpectConsistent(*e);
}

TEST_CASE("repair: comment drift (I11, I7, I2) is found and mended") {
  World w;
  auto& e = w.e;
  const CommentId c1 = MUST(e->AddComment(w.carol, w.a1, {"one"}));
  const CommentId c2 = MUST(e->AddComment(w.dave, w.a1, {"two", c1}));
  const CommentId c3 = MUST(e->AddComment(w.eve, w.b1, {"three"}));
  REQUIRE_EQ(ToInt(c3), 3u);
  const uint64_t ghost_post = P(w.a3) + 7, ghost = 9001, stale = 9002;
  using internal::CommentListKey;
  w.Behind([&](Batch& b) {
    // c1 lost its place in the post's list (its counter still counts it).
    b.Delete(Cf::kEdges, CommentListKey::OfPost(P(w.a1), ToInt(c1)).Encode());
    // A comment on a post that never existed, above the comment id mark.
    b.Put(Cf::kComments, internal::IdKey{ghost}.Encode(),
          internal::EncodeComment({ghost_post, U(w.carol), 0, kStartMicros, "lost"}));
    // A user list key whose comment is gone.
    b.Put(Cf::kEdges, CommentListKey::OfUser(U(w.eve), stale).Encode(), EncodeBE64(P(w.b1)));
    // A comment counter off on a post without comments.
    b.AddCounter(CounterKey{P(w.a2), CounterKind::kComments}.Encode(), 2);
  });
  const std::vector<std::string> want_check = {
      fmt::format("I11: comment {} missing from a list", ToInt(c1)),
      fmt::format("I11: comment {} on missing post {}", ghost, ghost_post),
      fmt::format("I7: comment id {} above high-water mark 3", ghost),
      fmt::format("I11: user list key ({}, comment {}) without a matching comment", U(w.eve),
                  stale),
      fmt::format("I2: counter 17 of {} is 2, expected 0", P(w.a2)),
  };
  CHECK_LINES(MUST(e->Check()), want_check);
  const std::vector<std::string> want_fixes = {
      fmt::format("I11: restored the list keys of comment {}", ToInt(c1)),
      fmt::format("I11: removed comment {} of post {}", ghost, ghost_post),
      fmt::format("I11: removed stale list keys of comment {}", stale),
      fmt::format("I2: comment count of post {} corrected by -2", P(w.a2)),
      fmt::format("I7: raised comment_id_hwm from 3 to {}", ghost),
  };
  CHECK_LINES(MUST(e->Repair()), want_fixes);
  testing::ExpectCheckClean(*e);
  CHECK(MUST(e->Repair()).empty());
  CHECK_EQ(MUST(e->GetPost(w.a1)).comment_count, 2);
  CHECK_EQ(MUST(e->GetPost(w.a2)).comment_count, 0);
  CHECK_EQ(MUST(e->GetPost(w.b1)).comment_count, 1);
  const CommentPage page = MUST(e->Comments(w.a1));
  REQUIRE_EQ(page.items.size(), 2u);
  CHECK_EQ(page.items[0].id, c1);
  CHECK_EQ(page.items[1].id, c2);
  CHECK_CODE(e->GetComment(CommentId{ghost}), kNotFound);
  // The raised mark keeps the next comment id clear of the one found above it.
  CHECK_GT(ToInt(MUST(e->AddComment(w.bob, w.b1, {"after"}))), ghost);
  e.Reopen();
  ExpectConsistent(*e);
}

TEST_CASE("repair: bookmark drift (I12, I1) is found and mended") {
  World w;
  auto& e = w.e;
  REQUIRE(MUST(e->Bookmark(w.carol, w.a1)));
  REQUIRE(MUST(e->Bookmark(w.dave, w.a1)));
  REQUIRE(MUST(e->Bookmark(w.eve, w.b1)));
  const int64_t t = w.clock->NowMicros();
  const uint64_t ghost = P(w.a3) + 7;  // a post that never existed
  w.Behind([&](Batch& b) {
    // A bookmark that lost its post side, and one whose user side is gone.
    internal::DeleteEdge(&b, P(w.a1), EdgeKind::kBookmarker, U(w.carol), t);
    internal::DeleteEdge(&b, U(w.eve), EdgeKind::kBookmarked, P(w.b1), t);
    // A whole bookmark of a post that does not exist (both sides, as Bookmark writes them).
    internal::PutEdge(&b, U(w.bob), EdgeKind::kBookmarked, ghost, t);
    internal::PutEdge(&b, ghost, EdgeKind::kBookmarker, U(w.bob), t);
  });
  const std::vector<std::string> want_check = {
      fmt::format("I1: edge 3-[8]->{} has no mirror", P(w.a1)),
      fmt::format("I1: edge {}-[9]->5 has no mirror", P(w.b1)),
      fmt::format("I12: bookmark of user 2 on missing post {}", ghost),
  };
  CHECK_LINES(MUST(e->Check()), want_check);
  const std::vector<std::string> want_fixes = {
      fmt::format("I12: bookmark 2 -> {}: removed (post {} is gone)", ghost, ghost),
      fmt::format("I12: bookmark 3 -> {}: removed (one-sided)", P(w.a1)),
      fmt::format("I12: bookmark 5 -> {}: removed (one-sided)", P(w.b1)),
  };
  CHECK_LINES(MUST(e->Repair()), want_fixes);
  testing::ExpectCheckClean(*e);
  CHECK(testing::BookmarkedIds(*e, w.carol).empty());
  CHECK(testing::BookmarkedIds(*e, w.eve).empty());
  CHECK(testing::BookmarkedIds(*e, w.bob).empty());
  CHECK_EQ(testing::BookmarkedIds(*e, w.dave), std::vector<PostId>{w.a1});
  // The one-sided bookmarks are gone for good: each can be made again.
  CHECK_VALUE(e->Bookmark(w.carol, w.a1), true);
  e.Reopen();
  ExpectConsistent(*e);
}

TEST_CASE("repair: reply drift (I13, I2) is found and mended") {
  World w;
  auto& e = w.e;
  auto reply = [&](UserId author, PostId parent) {
    w.clock->Advance(1000);
    return MUST(e->CreatePost(author, NewPost{.text = "re", .reply_to = parent}));
  };
  const PostId c1 = reply(w.carol, w.a1), c2 = reply(w.carol, w.a1), d1 = reply(w.dave, w.b1);
  w.Behind([&](Batch& b) {
    // A live reply missing from its parent's list (its count still says 2).
    b.Delete(Cf::kEdges, internal::ReplyKey{P(w.a1), P(c1)}.Encode());
    // A listed post that is no reply, and a count that drifted on its own.
    b.Put(Cf::kEdges, internal::ReplyKey{P(w.a1), P(w.a2)}.Encode(), EncodeBE64(U(w.alice)));
    b.AddCounter(CounterKey{P(w.b1), CounterKind::kReplies}.Encode(), 2);
  });
  const std::vector<std::string> want_check = {
      fmt::format("I13: reply key ({}, {}) without a live reply by 1 of a live post", P(w.a1),
                  P(w.a2)),
      fmt::format("I13: reply {} missing from the replies of post {}", P(c1), P(w.a1)),
      fmt::format("I2: counter 18 of {} is 3, expected 1", P(w.b1)),
  };
  CHECK_LINES(MUST(e->Check()), want_check);
  const std::vector<std::string> want_fixes = {
      fmt::format("I13: removed reply key ({}, {})", P(w.a1), P(w.a2)),
      fmt::format("I13: restored reply {} of post {}", P(c1), P(w.a1)),
      fmt::format("I2: reply count of post {} corrected by -2", P(w.b1)),
  };
  CHECK_LINES(MUST(e->Repair()), want_fixes);
  testing::ExpectCheckClean(*e);
  CHECK_EQ(testing::ReplyIds(*e, w.a1), (std::vector<PostId>{c1, c2}));
  CHECK_EQ(MUST(e->GetPost(w.a1)).reply_count, 2u);
  CHECK_EQ(MUST(e->GetPost(w.b1)).reply_count, 1u);
  CHECK_EQ(testing::ReplyIds(*e, w.b1), std::vector<PostId>{d1});
  e.Reopen();
  ExpectConsistent(*e);
}

TEST_CASE("repair: hashtag drift (I14) is found and mended") {
  World w;
  auto& e = w.e;
  w.clock->Advance(1000);
  const PostId tagged = MUST(e->CreatePost(w.bob, NewPost{.text = "#cats and #dogs"}));
  w.Behind([&](Batch& b) {
    // A tagged post missing from one of its hashtags; a post listed under a tag it lacks.
    b.Delete(Cf::kHashtags, internal::HashtagKey{"dogs", P(tagged)}.Encode());
    b.Put(Cf::kHashtags, internal::HashtagKey{"cats", P(w.a1)}.Encode(), EncodeBE64(U(w.alice)));
  });
  const std::vector<std::string> want_check = {
      fmt::format("I14: hashtag entry ('cats', {}) without a live post by 1 carrying it", P(w.a1)),
      fmt::format("I14: post {} missing from hashtag 'dogs'", P(tagged)),
  };
  CHECK_LINES(MUST(e->Check()), want_check);
  const std::vector<std::string> want_fixes = {
      fmt::format("I14: removed post {} from hashtag 'cats'", P(w.a1)),
      fmt::format("I14: restored post {} under hashtag 'dogs'", P(tagged)),
  };
  CHECK_LINES(MUST(e->Repair()), want_fixes);
  testing::ExpectCheckClean(*e);
  CHECK_EQ(MUST(e->HashtagFeed("dogs")).items.size(), 1u);
  CHECK_EQ(MUST(e->HashtagFeed("cats")).items.size(), 1u);
  e.Reopen();
  ExpectConsistent(*e);
}

TEST_CASE("repair: mirrors are re-timed, order keys restored, and a lost post body cleaned up") {
  World w;
  auto& e = w.e;
  w.Behind([&](Batch& b) {
    // bob -> alice: the follower side carries another time; its order key follows it.
    b.Put(Cf::kEdges, EdgeKey{U(w.alice), EdgeKind::kFollower, U(w.bob)}.Encode(),
          EncodeBE64(static_cast<uint64_t>(kStartMicros + 1)));
    b.Put(Cf::kEdges,
          EdgeOrderKey{U(w.alice), EdgeKind::kFollower, kStartMicros + 1, U(w.bob)}.Encode(), "");
    // a1's post record is lost: its timeline entry, inbox entries and like dangle.
    b.Delete(Cf::kPosts, internal::IdKey{P(w.a1)}.Encode());
  });
  const std::vector<std::string> found = MUST(e->Check());
  CHECK_FALSE(found.empty());
  const std::vector<std::string> fixes = MUST(e->Repair());
  INFO("fixes:" << Lines(fixes));
  CHECK(std::any_of(fixes.begin(), fixes.end(), [](const std::string& s) {
    return s == "I1: follow 2 -> 1: mirror re-timed";
  }));
  testing::ExpectCheckClean(*e);
  CHECK(MUST(e->Repair()).empty());
  // a1 is gone for good: every view agrees it never was.
  w.d.model().Delete(w.alice, w.a1);
  w.d.CheckAll();
  CHECK_CODE(e->GetPost(w.a1), kNotFound);
  CHECK(testing::LikedIds(*e, w.carol).empty());
  CHECK_VALUE(e->HasLiked(w.dave, w.a2), true);
}

TEST_CASE("repair: a healthy database is left byte for byte as it was") {
  // Pulled and draining authors, trimmed inboxes, deletes, blocks and mutes: all legitimate
  // states that Repair must recognise.
  Options o;
  o.synchronous_fanout = true;
  o.fanout_threshold = 4;
  o.fanout_hysteresis_percent = 50;
  o.inbox_cap = 4;
  TempEngine e(o);
  std::vector<UserId> u;
  for (int i = 0; i < 8; ++i) u.push_back(MUST(e->CreateUser("user" + std::to_string(i))));
  for (int i = 1; i < 8; ++i) MUST(e->Follow(u[i], u[0]));
  for (int i = 2; i < 5; ++i) MUST(e->Follow(u[i], u[1]));
  std::vector<PostId> posts;
  for (int i = 0; i < 12; ++i) posts.push_back(MUST(e->CreatePost(u[i % 3], testing::Text("p"))));
  REQUIRE_OK(e->DeletePost(u[0], posts[0]));
  MUST(e->Like(u[5], posts[3]));
  MUST(e->Like(u[6], posts[4]));
  MUST(e->Block(u[7], u[0]));
  MUST(e->Mute(u[2], u[1]));
  for (int i = 2; i < 7; ++i) MUST(e->Unfollow(u[i], u[0]));
  MUST(e->CreatePost(u[0], testing::Text("back under the threshold")));
  ExpectConsistent(*e);

  REQUIRE_OK(e->Close());
  const testing::Dump before = testing::DumpAll(e.options(), e.dir().db());
  e.Reopen();
  CHECK(MUST(e->Repair()).empty());
  REQUIRE_OK(e->Close());
  const testing::Dump after = testing::DumpAll(e.options(), e.dir().db());
  CHECK_MESSAGE(before == after, "Repair changed:" << testing::DescribeDumpDiff(before, after));
  e.Reopen();
}

TEST_CASE("repair: it runs while other threads use the engine") {
  World w;
  auto& e = w.e;
  w.Behind([&](Batch& b) {
    b.AddCounter(CounterKey{U(w.alice), CounterKind::kFollowers}.Encode(), 3);
    b.Delete(Cf::kInbox, InboxKey{U(w.bob), P(w.a1)}.Encode());
  });
  // Writers keep following, posting and liking while Repair recounts and backfills; nothing
  // they do may be lost or double counted.
  std::vector<PostId> posted;
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) {
      posted.push_back(MUST(e->CreatePost(w.alice, testing::Text("busy " + std::to_string(i)))));
      if (i % 10 == 0) MUST(e->Unfollow(w.dave, w.alice));
      if (i % 10 == 5) MUST(e->Follow(w.dave, w.alice));
      MUST(e->Like(w.eve, posted.back()));
    }
  });
  const std::vector<std::string> fixes = MUST(e->Repair());
  writer.join();
  INFO("fixes:" << Lines(fixes));
  CHECK(std::find(fixes.begin(), fixes.end(), "I2: counter 1 of 1 corrected by -3") != fixes.end());
  ExpectConsistent(*e);
  CHECK(MUST(e->Repair()).empty());
  const User alice = MUST(e->GetUser(w.alice));
  CHECK_EQ(alice.follower_count, 3);
  CHECK_EQ(alice.post_count, 3 + posted.size());
  CHECK_EQ(testing::LikedIds(*e, w.eve, 50).size(), posted.size());
  const std::vector<PostId> feed = testing::FeedIds(*e, w.bob);
  CHECK(std::find(feed.begin(), feed.end(), w.a1) != feed.end());
}

// The newest-written table file of the database, for damaging it on purpose.
std::filesystem::path LargestSst(const std::string& db) {
  std::filesystem::path best;
  uintmax_t size = 0;
  for (const auto& f : std::filesystem::directory_iterator(db)) {
    if (f.path().extension() == ".sst" && f.file_size() > size) {
      size = f.file_size();
      best = f.path();
    }
  }
  return best;
}

TEST_CASE("repair: I10 checksums are verified, paranoid_checks is on, damage stops Repair") {
  World w;
  auto& e = w.e;
  // Recovery writes the WAL into table files, so after two reopens the data sits in .sst files.
  e.Reopen();
  REQUIRE_OK(e->Close());
  std::string options_text;
  for (const auto& f : std::filesystem::directory_iterator(e.dir().db())) {
    if (f.path().filename().string().starts_with("OPTIONS-")) {
      std::ifstream in(f.path());
      options_text.assign(std::istreambuf_iterator<char>(in), {});
    }
  }
  CHECK(options_text.find("paranoid_checks=true") != std::string::npos);

  const std::filesystem::path sst = LargestSst(e.dir().db());
  REQUIRE_FALSE(sst.empty());
  {
    // A flipped byte inside the first data block: Open reads only footers, indexes and
    // filters, so it still succeeds; the checksum of that block no longer matches.
    std::fstream f(sst, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(10);
    char c;
    f.get(c);
    f.seekp(10);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  e.Reopen();
  const std::vector<std::string> found = MUST(e->Check());
  INFO("check:" << Lines(found));
  REQUIRE_FALSE(found.empty());
  CHECK(found[0].starts_with("I10: corruption: verify checksums"));
  // Nothing can be read back from a damaged table, so "nothing written" is seen in the
  // memtables, where every write lands first.
  auto memtables = [&] { return MUST(e->GetStats()).rocksdb["rocksdb.cur-size-all-mem-tables"]; };
  const uint64_t before = memtables();
  const Result<std::vector<std::string>> repaired = e->Repair();
  CHECK_CODE(repaired, kCorruption);
  CHECK(repaired.status().message().find("I10") != std::string::npos);
  CHECK_EQ(memtables(), before);
}

}  // namespace
}  // namespace puppies
