#pragma once
// Small helpers shared by the engine-level tests: unwrapping results, asserting exact status
// codes, reading every page of a list, and describing id-list differences readably.
//
// Everything here goes through the public API only (puppies/puppies.h).

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"

namespace doctest {

template <>
struct StringMaker<puppies::UserId> {
  static String convert(puppies::UserId id) {
    return ("UserId{" + std::to_string(puppies::ToInt(id)) + "}").c_str();
  }
};
template <>
struct StringMaker<puppies::PostId> {
  static String convert(puppies::PostId id) {
    return ("PostId{" + std::to_string(puppies::ToInt(id)) + "}").c_str();
  }
};
template <>
struct StringMaker<puppies::Status> {
  static String convert(const puppies::Status& s) { return s.ToString().c_str(); }
};
}  // namespace doctest

namespace puppies::testing {

#ifndef DOCTEST_CONFIG_DISABLE  // the crash harness includes this header with doctest disabled
// Registers `body` as a doctest case named `name` only when the environment variable `env` is
// set. Tests that need a second process re-execute this binary with `env` set and
// `-tc=<name>`, so the child case is neither listed nor run in normal runs. Returns 0, to
// initialise a namespace-scope constant.
inline int RegisterChildCase(const char* env, void (*body)(), const char* file, int line,
                             const char* name) {
  if (std::getenv(env) == nullptr) return 0;
  return doctest::detail::regTest(
      doctest::detail::TestCase(body, file, line,
                                doctest_detail_test_suite_ns::getCurrentTestSuite()) *
      name);
}
#endif

/// A fixed, whole-millisecond start time for ManualClocks (2023-11-14T22:13:20Z).
inline constexpr int64_t kStartMicros = int64_t{1'700'000'000'000} * 1000;

inline const Status& StatusOf(const Status& s) { return s; }
template <class T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

/// Unwraps a Result, failing the test (REQUIRE) with the status when it is an error.
template <class T>
T MustImpl(Result<T> r, const char* expr, const char* file, int line) {
  REQUIRE_MESSAGE(r.ok(), file << ":" << line << ": " << expr << " -> " << r.status().ToString());
  return std::move(r).value();
}

/// Unwraps a Result or fails the test: `UserId u = MUST(e->CreateUser("bob"));`.
#define MUST(...) ::puppies::testing::MustImpl((__VA_ARGS__), #__VA_ARGS__, __FILE__, __LINE__)
/// Requires an OK Status (or an OK Result).
#define REQUIRE_OK(...)                                                             \
  do {                                                                              \
    const auto& puppies_r_ = (__VA_ARGS__); /* keeps a temporary alive */           \
    const ::puppies::Status& puppies_s_ = ::puppies::testing::StatusOf(puppies_r_); \
    REQUIRE_MESSAGE(puppies_s_.ok(), #__VA_ARGS__ " -> " << puppies_s_.ToString()); \
  } while (0)
#define CHECK_OK(...)                                                               \
  do {                                                                              \
    const auto& puppies_r_ = (__VA_ARGS__);                                         \
    const ::puppies::Status& puppies_s_ = ::puppies::testing::StatusOf(puppies_r_); \
    CHECK_MESSAGE(puppies_s_.ok(), #__VA_ARGS__ " -> " << puppies_s_.ToString());   \
  } while (0)
/// Checks the exact error code of a Status or Result, printing the actual status on failure:
/// `CHECK_CODE(e->GetUser(UserId{0}), kInvalidArgument);`
#define CHECK_CODE(expr, code_name)                                                   \
  do {                                                                                \
    const auto& puppies_r_ = (expr);                                                  \
    const ::puppies::Status& puppies_s_ = ::puppies::testing::StatusOf(puppies_r_);   \
    CHECK_MESSAGE(puppies_s_.code() == ::puppies::StatusCode::code_name,              \
                  #expr " -> " << puppies_s_.ToString() << " (want " #code_name ")"); \
  } while (0)
/// Checks that a Result<T> is OK and holds `expected`.
#define CHECK_VALUE(expr, expected)                                                 \
  do {                                                                              \
    const auto& puppies_r_ = (expr);                                                \
    CHECK_MESSAGE(puppies_r_.ok(), #expr " -> " << puppies_r_.status().ToString()); \
    if (puppies_r_.ok()) CHECK_EQ(*puppies_r_, (expected));                         \
  } while (0)

inline std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

inline uint64_t Raw(UserId id) { return ToInt(id); }
inline uint64_t Raw(PostId id) { return ToInt(id); }
inline uint64_t Raw(CommentId id) { return ToInt(id); }

inline std::vector<PostId> IdsOf(const std::vector<Post>& posts) {
  std::vector<PostId> ids;
  ids.reserve(posts.size());
  for (const Post& p : posts) ids.push_back(p.id);
  return ids;
}

/// A readable description of how `got` differs from `want` (empty when equal).
template <class Id>
std::string DescribeDiff(const std::vector<Id>& got, const std::vector<Id>& want) {
  if (got == want) return {};
  std::ostringstream os;
  os << "got " << got.size() << " items, want " << want.size() << ".";
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  os << " first difference at index " << i;
  if (i < got.size()) os << " (got " << Raw(got[i]) << ")";
  if (i < want.size()) os << " (want " << Raw(want[i]) << ")";
  std::set<uint64_t> g, w;
  for (const Id& x : got) g.insert(Raw(x));
  for (const Id& x : want) w.insert(Raw(x));
  std::vector<uint64_t> missing, extra;
  std::set_difference(w.begin(), w.end(), g.begin(), g.end(), std::back_inserter(missing));
  std::set_difference(g.begin(), g.end(), w.begin(), w.end(), std::back_inserter(extra));
  auto list = [&os](const char* what, const std::vector<uint64_t>& v) {
    if (v.empty()) return;
    os << "; " << what << " (" << v.size() << "):";
    for (size_t k = 0; k < v.size() && k < 12; ++k) os << ' ' << v[k];
    if (v.size() > 12) os << " ...";
  };
  list("missing", missing);
  list("unexpected", extra);
  if (missing.empty() && extra.empty()) os << "; same items, different order or duplicates";
  return os.str();
}

/// Checks two id lists are equal, printing a readable difference otherwise.
/// Add context with doctest's INFO/CAPTURE.
#define CHECK_IDS(got, want)                                                                 \
  do {                                                                                       \
    const auto& puppies_g_ = (got);                                                          \
    const auto& puppies_w_ = (want);                                                         \
    CHECK_MESSAGE(                                                                           \
        puppies_g_ == puppies_w_,                                                            \
        #got " vs " #want ": " << ::puppies::testing::DescribeDiff(puppies_g_, puppies_w_)); \
  } while (0)

/// Reads every page of a list. `fetch(const PageRequest&)` returns Result<Page<T>>.
/// Checks the page protocol on the way: items <= limit, next_cursor empty exactly when
/// !has_more. Fails (REQUIRE) on an error status or when paging does not end.
template <class T, class Fetch>
std::vector<T> ReadAll(Fetch&& fetch, uint32_t limit, size_t max_pages = 200'000) {
  std::vector<T> out;
  PageRequest req;
  req.limit = limit;
  for (size_t pages = 0;; ++pages) {
    REQUIRE_MESSAGE(pages < max_pages, "paging did not end after " << pages << " pages");
    Result<Page<T>> r = fetch(req);
    REQUIRE_MESSAGE(r.ok(), "page " << pages << " -> " << r.status().ToString());
    CHECK(r->items.size() <= limit);
    CHECK_MESSAGE(r->next_cursor.empty() == !r->has_more,
                  "next_cursor must be empty exactly when has_more is false");
    for (auto& item : r->items) out.push_back(std::move(item));
    if (!r->has_more || r->next_cursor.empty()) break;
    req.cursor = r->next_cursor;
  }
  return out;
}

inline std::vector<Post> FeedPosts(Engine& e, UserId reader, uint32_t limit = 7) {
  return ReadAll<Post>([&](const PageRequest& p) { return e.HomeFeed(reader, p); }, limit);
}
inline std::vector<PostId> FeedIds(Engine& e, UserId reader, uint32_t limit = 7) {
  return IdsOf(FeedPosts(e, reader, limit));
}
inline std::vector<PostId> TimelineIds(Engine& e, UserId author, uint32_t limit = 7) {
  return IdsOf(
      ReadAll<Post>([&](const PageRequest& p) { return e.UserTimeline(author, p); }, limit));
}
inline std::vector<PostId> LikedIds(Engine& e, UserId user, uint32_t limit = 7) {
  return IdsOf(ReadAll<Post>([&](const PageRequest& p) { return e.LikedPosts(user, p); }, limit));
}
inline std::vector<PostId> BookmarkedIds(Engine& e, UserId user, uint32_t limit = 7) {
  return IdsOf(ReadAll<Post>([&](const PageRequest& p) { return e.Bookmarks(user, p); }, limit));
}
inline std::vector<PostId> ReplyIds(Engine& e, PostId post, uint32_t limit = 7) {
  return IdsOf(ReadAll<Post>([&](const PageRequest& p) { return e.Replies(post, p); }, limit));
}
inline std::vector<UserId> FollowerIds(Engine& e, UserId user, uint32_t limit = 7) {
  return ReadAll<UserId>([&](const PageRequest& p) { return e.Followers(user, p); }, limit);
}
inline std::vector<UserId> FollowingIds(Engine& e, UserId user, uint32_t limit = 7) {
  return ReadAll<UserId>([&](const PageRequest& p) { return e.Following(user, p); }, limit);
}
inline std::vector<UserId> LikerIds(Engine& e, PostId post, uint32_t limit = 7) {
  return ReadAll<UserId>([&](const PageRequest& p) { return e.Likers(post, p); }, limit);
}

/// True when ids are strictly decreasing (newest first, no duplicates).
template <class Id>
bool StrictlyDecreasing(const std::vector<Id>& ids) {
  for (size_t i = 1; i < ids.size(); ++i)
    if (!(Raw(ids[i - 1]) > Raw(ids[i]))) return false;
  return true;
}

/// Requires Check() to report no violation now, without waiting for background work
/// ("work still queued is taken into account").
inline void ExpectCheckClean(Engine& e) {
  Result<std::vector<std::string>> c = e.Check();
  REQUIRE_MESSAGE(c.ok(), "Check() -> " << c.status().ToString());
  std::string joined;
  for (size_t i = 0; i < c->size() && i < 20; ++i) joined += "\n  " + (*c)[i];
  CHECK_MESSAGE(c->empty(), c->size() << " violation(s) with work still queued:" << joined);
}

/// Waits for background work, then requires Check() to report no violation.
inline void ExpectConsistent(Engine& e) {
  REQUIRE_OK(e.WaitIdle());
  Result<std::vector<std::string>> c = e.Check();
  REQUIRE_MESSAGE(c.ok(), "Check() -> " << c.status().ToString());
  std::string joined;
  for (size_t i = 0; i < c->size() && i < 20; ++i) joined += "\n  " + (*c)[i];
  CHECK_MESSAGE(c->empty(), c->size() << " violation(s):" << joined);
}

/// Options for deterministic tests: a ManualClock at kStartMicros.
inline Options ClockOptions(std::shared_ptr<ManualClock> clock) {
  Options o;
  o.clock = std::move(clock);
  return o;
}

/// A fan-out configuration, for tests that must hold under every threshold, inbox cap and
/// way of fanning out (in the post's batch or by a job).
struct FeedConfig {
  const char* name;
  uint64_t threshold;
  uint32_t inbox_cap;
  uint32_t inline_fanout = Options().inline_fanout_followers;

  void Apply(Options* o) const {
    o->fanout_threshold = threshold;
    o->inbox_cap = inbox_cap;
    o->inline_fanout_followers = inline_fanout;
  }
};

/// An engine on a ManualClock (with `options` otherwise) with `n` users named u0, u1, ...
struct UsersFixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMicros);
  TempEngine e;
  std::vector<UserId> users;

  explicit UsersFixture(int n = 4, Options options = {}) : e((options.clock = clock, options)) {
    for (int i = 0; i < n; ++i) users.push_back(MUST(e->CreateUser("u" + std::to_string(i))));
  }
  void Tick() { clock->Advance(1000); }
  /// A text post one tick after the last thing done.
  PostId NewPost(UserId author, const std::string& text = "a post") {
    Tick();
    return MUST(e->CreatePost(author, puppies::NewPost{.text = text}));
  }
  UserId Unknown() const { return UserId{ToInt(users.back()) + 1000}; }
};

/// A post request with just text (and optionally an explicit creation time).
inline NewPost Text(std::string text, std::optional<int64_t> created_at_us = std::nullopt) {
  NewPost p;
  p.text = std::move(text);
  p.created_at_us = created_at_us;
  return p;
}

/// The millisecond timestamp in a post id's high 42 bits.
inline int64_t IdMillis(PostId id) { return static_cast<int64_t>(ToInt(id) >> 22); }

}  // namespace puppies::testing
