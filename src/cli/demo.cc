// `puppies demo`: a scripted tour on a fresh database. It imports the facebook graph, attaches
// a celebrity above the fan-out threshold, posts, waits for fan-out, reads home feeds, pages one
// to the end, runs Check, and reports how long each step took.

#include <fmt/core.h>
#include <stdlib.h>  // mkdtemp

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "snap_import.h"

namespace puppies::cli {
namespace {

constexpr uint32_t kFans = 8'000;
constexpr uint32_t kCelebrityPosts = 50;
constexpr uint32_t kFirstPageLimit = 20;
constexpr uint32_t kDeepPageLimit = 100;

struct DemoArgs {
  std::string db;
  std::string graph = PUPPIES_DEMO_GRAPH;
  bool keep = false;
  uint64_t posts = 20'000;
  uint32_t readers = 2'000;
  uint64_t seed = 42;
};

// A directory removed with its contents at scope exit, unless `remove` is false.
class ScratchDir {
 public:
  ScratchDir(std::string path, bool remove) : path_(std::move(path)), remove_(remove) {}
  ~ScratchDir() {
    std::error_code ec;
    if (remove_) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

 private:
  std::string path_;
  bool remove_;
};

std::string MakeTempDir() {
  std::string dir = (std::filesystem::temp_directory_path() / "puppies-demo-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    throw CommandError{Status::IOError(fmt::format("mkdtemp {}: {}", dir, std::strerror(errno)))};
  }
  return dir;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// One line of the report: what, how many, how long, how fast.
void Step(std::string_view what, uint64_t count, std::string_view unit, double seconds) {
  fmt::print("  {:<30} {:>9} {:<7} {:>7.2f} s {:>14}\n", what, Thousands(count), unit, seconds,
             PerSecond(static_cast<double>(count), seconds));
}

template <class T, size_t N>
std::string_view Pick(const std::array<T, N>& words, std::mt19937_64& rng) {
  return words[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

std::string PostText(std::mt19937_64& rng, uint64_t n) {
  static constexpr std::array<std::string_view, 8> kWho = {
      "my dog",    "the puppy", "our old cat",     "a neighbour's beagle",
      "the corgi", "my sister", "a stray terrier", "the whole pack"};
  static constexpr std::array<std::string_view, 8> kDid = {
      "found", "chased", "ignored", "fell asleep on", "barked at", "stole", "buried", "adopted"};
  static constexpr std::array<std::string_view, 8> kWhat = {
      "a stick",      "the mail carrier",      "a squeaky toy",
      "my left shoe", "the vacuum cleaner",    "a tennis ball",
      "the sofa",     "a very confused pigeon"};
  return fmt::format("{} {} {} (post {})", Pick(kWho, rng), Pick(kDid, rng), Pick(kWhat, rng), n);
}

// The set of authors whose posts `reader` should see: itself and everyone it follows.
std::unordered_set<uint64_t> VisibleAuthors(Engine& engine, UserId reader) {
  std::unordered_set<uint64_t> authors{ToInt(reader)};
  PageRequest request = FirstPage(1000);
  while (true) {
    const UserPage page = Must(engine.Following(reader, request));
    for (UserId id : page.items) authors.insert(ToInt(id));
    if (!page.has_more) return authors;
    request.cursor = page.next_cursor;
  }
}

int RunDemo(const DemoArgs& args) {
  const bool temporary = args.db.empty();
  const std::string dir = temporary ? MakeTempDir() : args.db;
  const ScratchDir scratch(dir, temporary && !args.keep);  // destroyed after the engine
  const std::string db_path = temporary ? dir + "/db" : dir;
  const Options options;  // the defaults: this is what a user gets
  bool ok = true;

  fmt::print("puppies demo\n");
  fmt::print("  database   {}{}\n", db_path,
             temporary && !args.keep ? " (temporary, removed at exit)" : "");
  fmt::print("  graph      {}\n", args.graph);
  fmt::print("  options    defaults: fanout_threshold {}, inbox_cap {}, background_threads {}\n",
             Thousands(options.fanout_threshold), options.inbox_cap, options.background_threads);
  fmt::print("  seed       {}\n", args.seed);
  const Stopwatch total;
  std::unique_ptr<Engine> engine = OpenEngine(db_path, OpenMode::kCreateNew, options);
  Engine& db = *engine;

  fmt::print("\n1. Import the graph (each line a mutual follow)\n");
  const ImportReport graph = ImportSnap(db, args.graph, /*mutual=*/true);
  Step("users created", graph.users_created, "users", graph.users_seconds);
  Step("follow edges imported", graph.edges_added, "edges", graph.edges_seconds);
  std::vector<UserId> ordinary;
  for (const auto& [node, id] : graph.users) ordinary.push_back(id);
  std::sort(ordinary.begin(), ordinary.end());  // map order is unspecified; the seed is not
  if (ordinary.empty()) throw CommandError{Status::InvalidArgument("the graph has no edges")};

  fmt::print("\n2. Attach a celebrity followed by everyone plus {} new fans\n", Thousands(kFans));
  Stopwatch watch;
  const UserId celebrity = Must(
      db.CreateUser("celebrity", {.display_name = "A. Celebrity", .bio = "followed by everyone"}));
  std::vector<FollowEdge> celebrity_edges;
  for (uint32_t i = 0; i < kFans; ++i) {
    celebrity_edges.push_back({Must(db.CreateUser(fmt::format("fan{:04}", i))), celebrity});
  }
  Step("celebrity and fans created", kFans + 1, "users", watch.Seconds());
  for (UserId user : ordinary) celebrity_edges.push_back({user, celebrity});
  watch.Restart();
  const uint64_t celebrity_follows = ImportInChunks(db, celebrity_edges);
  Must(db.WaitIdle());
  Step("celebrity follows imported", celebrity_follows, "edges", watch.Seconds());
  const User celebrity_user = Must(db.GetUser(celebrity));
  fmt::print("  @celebrity has {} followers, above fanout_threshold {}: pulled at read time\n",
             Thousands(celebrity_user.follower_count), Thousands(options.fanout_threshold));

  fmt::print("\n3. Post {} times from random users and {} times from @celebrity\n",
             Thousands(args.posts), kCelebrityPosts);
  std::mt19937_64 rng(args.seed);
  std::uniform_int_distribution<size_t> pick_user(0, ordinary.size() - 1);
  std::unordered_map<uint64_t, uint64_t> posts_by;  // author id -> posts
  const uint64_t fanout_before = Must(db.GetStats()).fanout_entries;
  const uint64_t total_posts = args.posts + kCelebrityPosts;
  const uint64_t celebrity_every = std::max<uint64_t>(1, total_posts / kCelebrityPosts);
  uint64_t celebrity_posted = 0;
  watch.Restart();
  for (uint64_t i = 0; i < total_posts; ++i) {
    const bool by_celebrity =
        celebrity_posted < kCelebrityPosts &&
        (i % celebrity_every == celebrity_every - 1 || i - celebrity_posted == args.posts);
    const UserId author = by_celebrity ? celebrity : ordinary[pick_user(rng)];
    std::string text = by_celebrity
                           ? fmt::format("celebrity news #{}: thank you all!", ++celebrity_posted)
                           : PostText(rng, i + 1);
    Must(db.CreatePost(author, TextPost(std::move(text))));
    ++posts_by[ToInt(author)];
  }
  const double post_seconds = watch.Seconds();
  Must(db.WaitIdle());
  const double idle_seconds = watch.Seconds();
  const Stats posted = Must(db.GetStats());
  const uint64_t fanout = posted.fanout_entries - fanout_before;
  Step("posts created", total_posts, "posts", post_seconds);
  Step("fan-out inbox entries", fanout, "entries", idle_seconds);
  fmt::print(
      "  (fan-out rate measured from the first post until WaitIdle returned, "
      "{:.2f} s after the last post)\n",
      idle_seconds - post_seconds);
  fmt::print("  authors pulled at read time (Stats::pulled_authors): {}\n", posted.pulled_authors);

  fmt::print("\n4. Read the first home-feed page ({} posts) of {} random users\n", kFirstPageLimit,
             Thousands(args.readers));
  std::vector<UserId> readers = ordinary;
  std::shuffle(readers.begin(), readers.end(), rng);
  readers.resize(std::min<size_t>(readers.size(), std::max<uint32_t>(1, args.readers)));
  const Stats before = Must(db.GetStats());
  std::vector<int64_t> latencies_us;
  uint64_t items = 0, with_celebrity = 0;
  watch.Restart();
  for (UserId reader : readers) {
    const Stopwatch one;
    const PostPage page = Must(db.HomeFeed(reader, FirstPage(kFirstPageLimit)));
    latencies_us.push_back(one.Micros());
    items += page.items.size();
    with_celebrity += std::any_of(page.items.begin(), page.items.end(),
                                  [&](const Post& p) { return p.author == celebrity; });
  }
  const double read_seconds = watch.Seconds();
  const Stats after = Must(db.GetStats());
  std::sort(latencies_us.begin(), latencies_us.end());
  const auto percentile = [&](size_t p) {
    return latencies_us[std::min(latencies_us.size() - 1, latencies_us.size() * p / 100)];
  };
  Step("first pages read", readers.size(), "pages", read_seconds);
  fmt::print("  latency p50 {} µs, p99 {} µs, max {} µs; {} posts shown\n", percentile(50),
             percentile(99), latencies_us.back(), Thousands(items));
  fmt::print(
      "  pages from the inbox alone: {}; merged with pulled authors: {}; showing a "
      "@celebrity post: {}\n",
      after.feed_inbox_pages - before.feed_inbox_pages,
      after.feed_pull_pages - before.feed_pull_pages, with_celebrity);

  // The reader who follows the most accounts has the longest feed, well past inbox_cap.
  UserId deep = ordinary.front();
  uint64_t deep_following = 0;
  for (UserId user : ordinary) {
    const User u = Must(db.GetUser(user));
    if (u.following_count > deep_following) {
      deep = user;
      deep_following = u.following_count;
    }
  }
  NameCache names(db);
  fmt::print("\n5. Page the home feed of @{} (follows {}) to the end, {} posts a page\n",
             names.Name(deep), Thousands(deep_following), kDeepPageLimit);
  const std::unordered_set<uint64_t> visible = VisibleAuthors(db, deep);
  uint64_t expected = 0;
  for (uint64_t author : visible) expected += posts_by.count(author) ? posts_by[author] : 0;
  std::unordered_set<uint64_t> seen;
  uint64_t pages = 0, out_of_order = 0, repeats = 0, strangers = 0, previous = UINT64_MAX;
  PageRequest request = FirstPage(kDeepPageLimit);
  watch.Restart();
  while (true) {
    const PostPage page = Must(db.HomeFeed(deep, request));
    ++pages;
    for (const Post& post : page.items) {
      out_of_order += ToInt(post.id) >= previous;
      previous = ToInt(post.id);
      repeats += !seen.insert(ToInt(post.id)).second;
      strangers += !visible.contains(ToInt(post.author));
    }
    if (!page.has_more) break;
    request.cursor = page.next_cursor;
  }
  Step("feed paged to the end", seen.size(), "posts", watch.Seconds());
  const bool complete =
      seen.size() == expected && out_of_order == 0 && repeats == 0 && strangers == 0;
  fmt::print("  {} pages; expected {} posts: {}\n", pages, Thousands(expected),
             complete ? "complete, newest first, no repeats"
                      : fmt::format("MISMATCH ({} out of order, {} repeats, {} unexpected "
                                    "authors)",
                                    out_of_order, repeats, strangers));
  ok = ok && complete;

  fmt::print("\n6. Check every storage invariant\n");
  watch.Restart();
  const std::vector<std::string> violations = Must(db.Check());
  fmt::print("  {} in {:.2f} s\n",
             violations.empty() ? "clean" : fmt::format("{} VIOLATIONS", violations.size()),
             watch.Seconds());
  for (size_t i = 0; i < violations.size() && i < 20; ++i) {
    fmt::print("    {}\n", violations[i]);
  }
  ok = ok && violations.empty();

  const UserId sample = readers.front();
  fmt::print("\n7. A sample: the first page of @{}'s home feed\n", names.Name(sample));
  const PostPage page = Must(db.HomeFeed(sample, FirstPage(8)));
  for (const Post& post : page.items) {
    fmt::print("  @{:<10} {}\n", names.Name(post.author), post.text);
  }
  if (!page.items.empty()) {
    // Three readers discuss the newest post; the third answers the first.
    const Post& post = page.items.front();
    fmt::print("\n8. Comments on post {} by @{}, oldest first\n", ToInt(post.id),
               names.Name(post.author));
    const char* texts[] = {"Nice one!", "Agreed, well put.", "Thanks, glad you liked it."};
    CommentId first{};
    for (size_t i = 0; i < std::size(texts); ++i) {
      const UserId who = i == 2 ? post.author : readers[(i + 1) % readers.size()];
      const CommentId id =
          Must(db.AddComment(who, post.id, {texts[i], i == 2 ? first : CommentId{}}));
      if (i == 0) first = id;
    }
    for (const Comment& c : Must(db.Comments(post.id, FirstPage(10))).items) {
      fmt::print("  @{:<10} {}{}\n", names.Name(c.author),
                 ToInt(c.reply_to) ? fmt::format("(re {}) ", ToInt(c.reply_to)) : "", c.text);
    }
    const uint64_t count = Must(db.GetPost(post.id)).comment_count;
    fmt::print("  comment_count {}\n", count);
    ok = ok && count == std::size(texts);
  }

  const Stats stats = Must(db.GetStats());
  CloseEngine(db);
  fmt::print("\nBackground jobs completed: {}; pending: {}; on disk after close: {:.1f} MiB\n",
             Thousands(stats.completed_jobs), stats.pending_jobs,
             static_cast<double>(DirectoryBytes(db_path)) / (1 << 20));
  fmt::print("Total {:.2f} s: {}\n", total.Seconds(), ok ? "demo OK" : "demo FAILED");
  return ok ? 0 : 1;
}

}  // namespace

void AddDemoCommand(CLI::App& app, std::vector<Command>* commands) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* sub = app.add_subcommand(
      "demo", "Import the facebook graph, add a celebrity, post, read feeds and report timings");
  sub->add_option("--db", args->db, "Fresh database directory (default: a new temp directory)");
  sub->add_option("--graph", args->graph, "SNAP edge list to import as mutual follows")
      ->capture_default_str();
  sub->add_flag("--keep", args->keep, "Keep the temporary database directory");
  sub->add_option("--posts", args->posts, "Posts by ordinary users")->capture_default_str();
  sub->add_option("--readers", args->readers, "Users whose first feed page is read")
      ->capture_default_str();
  sub->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  commands->push_back({sub, [args] { return RunDemo(*args); }});
}

}  // namespace puppies::cli
