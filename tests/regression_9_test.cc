// Issue 9: defects a new user found. Each case failed on main before its fix (b0efa2b).

#include <doctest/doctest.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "puppies/puppies.h"
#include "testing/fault_fs.h"
#include "testing/other_process.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies {
namespace {

namespace fs = std::filesystem;
using testing::IdsOf;
using testing::TempDir;
using testing::TempEngine;

NewPost Text(std::string text) {
  NewPost p;
  p.text = std::move(text);
  return p;
}

NewPost At(int64_t created_at_us, std::string text = "imported") {
  NewPost p = Text(std::move(text));
  p.created_at_us = created_at_us;
  return p;
}

void CheckLocked(const Status& s, const std::string& spelling) {
  CHECK_MESSAGE(s.code() == StatusCode::kIOError, spelling << " -> " << s.ToString());
  CHECK_MESSAGE(s.message().find("locked") != std::string::npos, spelling << " -> " << s.ToString());
}

// Item 1: every spelling of an open database's directory is refused, in this process and in
// others, for as long as the first handle is open; refusals do not release the lock.
TEST_CASE("regression_9_open_through_other_spellings") {
  TempDir dir;
  const fs::path base = dir.path();
  auto first = MUST(Engine::Open(Options(), dir.db()));
  const UserId a = MUST(first->CreateUser("first"));
  fs::create_symlink(base / "db", base / "link");
  const std::string d = dir.db();
  const std::vector<std::string> spellings = {
      d + "/",
      d + "//",
      d + "/.",
      d + "/./",
      base.string() + "//db",
      (base / ".." / base.filename() / "db").string(),
      fs::relative(d).string(),
      "./" + fs::relative(d).string(),
      (base / "link").string(),
      (base / "link" / "").string(),
  };
  for (const std::string& s : spellings) {
    CAPTURE(s);
    Result<std::unique_ptr<Engine>> second = Engine::Open(Options(), s);
    REQUIRE_FALSE(second.ok());
    CheckLocked(second.status(), s);
    const std::string other = testing::OpenInAnotherProcess(s, base);
    CHECK_MESSAGE(other.starts_with("io_error: "), s << " -> " << other);
    CHECK_MESSAGE(other.find("lock") != std::string::npos, s << " -> " << other);
  }
  // The first handle still holds the OS lock after every refusal.
  const std::string other = testing::OpenInAnotherProcess(d, base);
  CHECK_MESSAGE(other.starts_with("io_error: "), other);
  const UserId b = MUST(first->CreateUser("second"));
  CHECK_VALUE(first->Follow(b, a), true);
  testing::ExpectConsistent(*first);
  REQUIRE_OK(first->Close());
  first.reset();
  // Closed: any spelling opens it again, and the data is whole.
  auto again = MUST(Engine::Open(Options(), (base / "link" / "").string()));
  CHECK_EQ(MUST(again->GetUser(a)).follower_count, uint64_t{1});
  testing::ExpectConsistent(*again);
  REQUIRE_OK(again->Close());
  CHECK_EQ(testing::OpenInAnotherProcess(d + "/.", base), "OK");
}

// Rough edge: Open of a non-empty directory that holds no database is refused (a wrong path is
// the likelier story), and nothing is written into it.
TEST_CASE("regression_9_open_refuses_a_foreign_directory") {
  TempDir dir;
  fs::create_directories(dir.db());
  std::ofstream(dir.db() + "/notes.txt") << "mine";
  Result<std::unique_ptr<Engine>> e = Engine::Open(Options(), dir.db());
  CHECK_CODE(e, kFailedPrecondition);
  CHECK_MESSAGE(e.status().message().find("notes.txt") != std::string::npos, e.status().ToString());
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.db())) ++entries;
  CHECK_EQ(entries, size_t{1});
  // An empty directory is fine, and so is a database made in it.
  fs::remove(dir.db() + "/notes.txt");
  auto made = MUST(Engine::Open(Options(), dir.db()));
  REQUIRE_OK(made->Close());
  auto reopened = MUST(Engine::Open(Options(), dir.db()));
  REQUIRE_OK(reopened->Close());
}

// Item 2: after more than 100,000 distinct back-dated milliseconds (where the id hints used
// to be cleared), many threads importing into the same few milliseconds get distinct ids, and
// every acknowledged post is stored as its author wrote it. WAL appends are slowed while they
// do, so that ids are still in flight (minted, not yet written) when the next caller mints.
TEST_CASE("regression_9_explicit_ids_unique_under_concurrency") {
  auto clock = std::make_shared<ManualClock>(testing::kStartMicros);
  testing::FaultEnv fault;
  Options options = testing::ClockOptions(clock);
  options.env = fault.env.get();
  TempEngine e(options);
  const UserId filler = MUST(e->CreateUser("filler"));
  const int64_t first_ms = testing::kStartMicros / 1000 - 200'000;
  constexpr int kFill = 100'000;
  {
    std::vector<std::thread> fill;
    for (int t = 0; t < 2; ++t) {
      fill.emplace_back([&, t] {
        for (int i = t; i < kFill; i += 2) REQUIRE_OK(e->CreatePost(filler, At((first_ms + i) * 1000)));
      });
    }
    for (auto& t : fill) t.join();
  }
  // Round 0 crosses the 100,000 hints: its writes are held 20 ms each, the rest run at speed.
  fault.fs->SetWalAppendDelay(std::chrono::milliseconds(20));
  constexpr int kThreads = 8, kRounds = 10, kPerRound = 3;
  int phase = 0;
  std::vector<UserId> authors;
  for (int t = 0; t < kThreads; ++t) authors.push_back(MUST(e->CreateUser("imp" + std::to_string(t))));
  std::vector<std::vector<std::pair<PostId, std::string>>> made(kThreads);
  std::barrier sync(kThreads, [&]() noexcept {
    if (++phase == 2) fault.fs->SetWalAppendDelay(std::chrono::microseconds(0));
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        // Every round lands in a new millisecond (a new hint) that all threads share.
        const int64_t ms = first_ms - 1 - r;
        sync.arrive_and_wait();
        for (int k = 0; k < kPerRound; ++k) {
          const std::string text = "t" + std::to_string(t) + " r" + std::to_string(r) + " k" +
                                   std::to_string(k);
          const PostId id = MUST(e->CreatePost(authors[t], At(ms * 1000 + k * 7, text)));
          made[t].emplace_back(id, text);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  fault.fs->SetWalAppendDelay(std::chrono::microseconds(0));
  std::set<uint64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    for (const auto& [id, text] : made[t]) {
      CHECK_MESSAGE(ids.insert(ToInt(id)).second, "id " << ToInt(id) << " handed out twice");
      const Post p = MUST(e->GetPost(id));
      CHECK_EQ(p.author, authors[t]);
      CHECK_EQ(p.text, text);
    }
    CHECK_EQ(MUST(e->GetUser(authors[t])).post_count, uint64_t{kRounds * kPerRound});
  }
  testing::ExpectConsistent(*e);
}

// Item 3: lists and the created_at they return agree, at millisecond precision, for live and
// back-dated posts alike.
TEST_CASE("regression_9_order_agrees_with_created_at") {
  const int64_t t0 = testing::kStartMicros + 900;  // 900 µs into a millisecond
  auto clock = std::make_shared<ManualClock>(t0);
  TempEngine e(testing::ClockOptions(clock));
  const UserId u = MUST(e->CreateUser("u"));
  const UserId reader = MUST(e->CreateUser("reader"));
  REQUIRE_OK(e->Follow(reader, u));
  REQUIRE_OK(e->WaitIdle());
  const int64_t ms0 = testing::kStartMicros - 5'000;
  MUST(e->CreatePost(u, At(t0 - 1, "back-dated 1 µs before now")));
  clock->Advance(22);
  MUST(e->CreatePost(u, Text("live, 22 µs later")));
  MUST(e->CreatePost(u, At(ms0 + 900, "back-dated +900")));
  MUST(e->CreatePost(u, At(ms0 + 100, "back-dated +100, inserted second")));
  clock->Advance(1'000);
  MUST(e->CreatePost(u, Text("live, next millisecond")));
  REQUIRE_OK(e->WaitIdle());

  auto expect_ordered = [](const std::vector<Post>& items) {
    REQUIRE_EQ(items.size(), size_t{5});
    for (const Post& p : items) CHECK_MESSAGE(p.created_at_us % 1000 == 0, p.text);
    for (size_t i = 1; i < items.size(); ++i) {
      const Post& newer = items[i - 1];
      const Post& older = items[i];
      CHECK_MESSAGE(std::pair(newer.created_at_us, ToInt(newer.id)) >
                        std::pair(older.created_at_us, ToInt(older.id)),
                    "'" << newer.text << "' (" << newer.created_at_us << ") above '" << older.text
                        << "' (" << older.created_at_us << ")");
    }
  };
  const PostPage timeline = MUST(e->UserTimeline(u));
  expect_ordered(timeline.items);
  expect_ordered(MUST(e->HomeFeed(reader)).items);
  CHECK_EQ(timeline.items[0].created_at_us, (t0 + 1'022) / 1000 * 1000);
  CHECK_EQ(timeline.items.back().created_at_us, ms0);
  // GetPost and GetPosts report the same time as the lists.
  for (const Post& p : timeline.items) CHECK_EQ(MUST(e->GetPost(p.id)).created_at_us, p.created_at_us);
  // And it survives a reopen.
  e.Reopen();
  CHECK_EQ(MUST(e->UserTimeline(u)).items, timeline.items);
}

// Item 4: a blocked user cannot reply to the blocker's posts (SPEC §3), as for a like.
TEST_CASE("regression_9_blocked_user_cannot_reply") {
  TempEngine e;
  const UserId alice = MUST(e->CreateUser("alice"));
  const UserId bob = MUST(e->CreateUser("bob"));
  const UserId carol = MUST(e->CreateUser("carol"));
  const PostId p = MUST(e->CreatePost(alice, Text("mine")));
  const PostId q = MUST(e->CreatePost(carol, Text("carol's")));
  REQUIRE_OK(e->Block(alice, bob));
  NewPost reply = Text("hi");
  reply.reply_to = p;
  Result<PostId> r = e->CreatePost(bob, reply);
  CHECK_CODE(r, kPermissionDenied);
  CHECK_EQ(r.status().message(), "user " + std::to_string(ToInt(alice)) + " blocks user " +
                                     std::to_string(ToInt(bob)));
  CHECK_EQ(MUST(e->GetUser(bob)).post_count, uint64_t{0});
  // The blocker may still reply to the blocked user's posts' thread, and others are unaffected.
  reply.reply_to = q;
  CHECK_OK(e->CreatePost(bob, reply));
  reply.reply_to = p;
  CHECK_OK(e->CreatePost(carol, reply));
  REQUIRE_OK(e->Unblock(alice, bob));
  CHECK_OK(e->CreatePost(bob, reply));
  testing::ExpectConsistent(*e);
}

// Item 5: one text rule. Unicode white space and invisible characters are trimmed and a text
// of only those is blank; C0 (but tab and newline), DEL and C1 controls are rejected; a
// carriage return is allowed only before a newline.
TEST_CASE("regression_9_unicode_text_rule") {
  TempEngine e;
  const UserId u = MUST(e->CreateUser("u"));
  for (const char* blank : {"\u00a0", "\u3000", "\u200b", "\ufeff", " \u00a0\u2003\u200b\t",
                            "\u3164", "\u200d", "\u2060\ufe0f"}) {
    CAPTURE(std::string(blank));
    Result<PostId> r = e->CreatePost(u, Text(blank));
    CHECK_CODE(r, kInvalidArgument);
    const std::string m = r.status().message();
    CHECK_MESSAGE((m == "text is empty" || m.starts_with("text is blank")), m);
  }
  const PostId p = MUST(e->CreatePost(u, Text("\ufeff\u00a0 hello\u3000world\u200b\u2029")));
  CHECK_EQ(MUST(e->GetPost(p)).text, "hello\u3000world");
  // A trailing variation selector belongs to its emoji: kept.
  const PostId heart = MUST(e->CreatePost(u, Text("love \u2764\ufe0f ")));
  CHECK_EQ(MUST(e->GetPost(heart)).text, "love \u2764\ufe0f");
  for (const char* bad : {"a\u0085b", "a\u009fb", "a\x7f" "b", "a\rb", "a\r b", "a\x01"}) {
    CAPTURE(std::string(bad));
    Result<PostId> r = e->CreatePost(u, Text(bad));
    CHECK_CODE(r, kInvalidArgument);
    CHECK_MESSAGE(r.status().message().starts_with("text contains control character U+"),
                  r.status().ToString());
  }
  CHECK_OK(e->CreatePost(u, Text("line one\r\nline two\n\ttabbed")));
  // Every text field follows the rule.
  UserProfile profile;
  profile.display_name = "Zo\u00eb\u0085";
  CHECK_CODE(e->CreateUser("v", profile), kInvalidArgument);
  profile.display_name = "Zo\u00eb";
  profile.bio = "a\rb";
  CHECK_CODE(e->CreateUser("v", profile), kInvalidArgument);
  profile.bio = "a\r\nb";
  CHECK_OK(e->CreateUser("v", profile));
  NewPost with_media = Text("pic");
  Media blank_url;
  blank_url.url = "\u00a0";
  blank_url.mime_type = "image/png";
  with_media.media.push_back(blank_url);
  Result<PostId> r = e->CreatePost(u, with_media);
  CHECK_CODE(r, kInvalidArgument);
  CHECK_MESSAGE(r.status().message().starts_with("media[0].url is blank"), r.status().ToString());
}

// Keys RocksDB stepped over in this thread (deleted or overwritten) while running `fn`.
template <class Fn>
uint64_t SkippedKeys(Fn&& fn) {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  fn();
  const uint64_t skipped = rocksdb::get_perf_context()->internal_delete_skipped_count +
                           rocksdb::get_perf_context()->internal_key_skipped_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  return skipped;
}

// Item 6: with inbox_cap 1 every fan-out trims; a home page then steps over at most a page's
// worth of deleted keys, not the inbox's history.
TEST_CASE("regression_9_small_cap_pages_skip_no_history") {
  Options o;
  o.inbox_cap = 1;
  o.fanout_threshold = Options::kNoPull;
  TempEngine e(o);
  const UserId reader = MUST(e->CreateUser("reader"));
  std::vector<UserId> authors;
  for (int i = 0; i < 10; ++i) {
    authors.push_back(MUST(e->CreateUser("a" + std::to_string(i))));
    REQUIRE_OK(e->Follow(reader, authors.back()));
  }
  for (int i = 0; i < 3'000; ++i) MUST(e->CreatePost(authors[i % 10], Text("p" + std::to_string(i))));
  REQUIRE_OK(e->WaitIdle());
  PageRequest req;
  PostPage page;
  const uint64_t skipped = SkippedKeys([&] { page = MUST(e->HomeFeed(reader, req)); });
  CHECK_EQ(page.items.size(), size_t{20});
  CHECK_EQ(page.items[0].text, "p2999");
  // A page's worth per followed author (the page is pulled from their timelines below the
  // floor), not the 3,000 trimmed entries' tombstones.
  CHECK_MESSAGE(skipped < 20 * 10 + 100, skipped << " keys skipped for one page");
  testing::ExpectConsistent(*e);
}

// Item 6: after deleting all but 5 of 5,000 posts, the first home page and timeline page step
// over a bounded number of deleted keys once the clean-up has run, not all 4,995 (each is
// counted twice: the tombstone and the entry under it). The timeline holds fewer than
// kCompactAfterDeletes (1,000) since it was last compacted; the home page also steps over the
// reader's deleted inbox entries above the floor, at most about 1.25 * inbox_cap (800).
TEST_CASE("regression_9_pages_after_mass_delete") {
  TempEngine e;
  const UserId author = MUST(e->CreateUser("author"));
  const UserId reader = MUST(e->CreateUser("reader"));
  REQUIRE_OK(e->Follow(reader, author));
  std::vector<PostId> ids;
  for (int i = 0; i < 5'000; ++i) ids.push_back(MUST(e->CreatePost(author, Text("p" + std::to_string(i)))));
  REQUIRE_OK(e->WaitIdle());
  for (size_t i = ids.size(); i-- > 5;) REQUIRE_OK(e->DeletePost(author, ids[i]));
  REQUIRE_OK(e->WaitIdle());
  PostPage home, timeline;
  const uint64_t home_skipped = SkippedKeys([&] { home = MUST(e->HomeFeed(reader)); });
  const uint64_t timeline_skipped = SkippedKeys([&] { timeline = MUST(e->UserTimeline(author)); });
  CHECK_EQ(IdsOf(home.items), std::vector<PostId>(ids.rend() - 5, ids.rend()));
  CHECK_EQ(IdsOf(timeline.items), IdsOf(home.items));
  CHECK_MESSAGE(home_skipped < 2 * (1'000 + 1'000) + 100,
                home_skipped << " keys skipped for the home page");
  CHECK_MESSAGE(timeline_skipped < 2'100, timeline_skipped << " keys skipped for the timeline");
  testing::ExpectConsistent(*e);
}

// Rough edges: messages and option ranges.
TEST_CASE("regression_9_messages_and_options") {
  TempEngine e;
  const UserId u = MUST(e->CreateUser("u"));
  const PostId p = MUST(e->CreatePost(u, Text("x")));
  // An unknown actor is NotFound, as everywhere else.
  Result<PostId> none = e->CreatePost(UserId{999}, Text("x"));
  CHECK_CODE(none, kNotFound);
  const Status del = e->DeletePost(UserId{999}, p);
  CHECK_CODE(del, kNotFound);
  CHECK_EQ(del.message(), none.status().message());
  // Option ranges that would leave the engine unusable are refused at Open.
  for (auto set : {+[](Options& o) { o.max_display_name_bytes = 0; },
                   +[](Options& o) { o.max_bio_bytes = 0; }}) {
    TempDir dir;
    Options o;
    set(o);
    Result<std::unique_ptr<Engine>> r = Engine::Open(o, dir.db());
    CHECK_CODE(r, kInvalidArgument);
    CHECK_MESSAGE(r.status().message().find("must be in 1..") != std::string::npos,
                  r.status().ToString());
  }
}

}  // namespace
}  // namespace puppies
