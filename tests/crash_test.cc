// Crash recovery (SPEC §10, TESTING C1/C4, D1): a child process runs a workload on a database
// in a temp dir and reports every acknowledged operation through a pipe; the parent SIGKILLs
// it while a large fan-out is in progress, reopens, waits for the resumed work, and checks that
// Check() is clean, every acknowledged operation is present, and every feed equals the model.
//
// The child is this test binary itself: fork(), then at once execv("/proc/self/exe") with
// PUPPIES_CRASH_CHILD set, which registers the hidden test case "crash_test child" and runs
// only it. The child therefore starts in a fresh address space with no Engine and no thread
// (RocksDB's static thread pools from earlier tests in the parent do not survive a fork).

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "puppies/puppies.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

extern char** environ;

namespace puppies {
namespace {

using testing::FeedIds;
using testing::TempDir;

constexpr int kChildFd = 100;  // the child's end of the report pipe
constexpr int kFans = 600;     // followers of the star: many fan-out steps of 10
constexpr int kExtras = 20;

// ---- Child side --------------------------------------------------------------------------------

// Writes one report line with a single write(2) (atomic for lines < PIPE_BUF).
void Report(const std::string& line) {
  std::string l = line + "\n";
  const char* p = l.data();
  size_t left = l.size();
  while (left > 0) {
    ssize_t n = ::write(kChildFd, p, left);
    if (n <= 0) ::_exit(4);
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void Fail(const std::string& what, const Status& s) {
  Report("X " + what + ": " + s.ToString());
  ::_exit(3);
}

template <class T>
T Ok(Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what, r.status());
  return std::move(r).value();
}

std::string U(UserId u) { return std::to_string(ToInt(u)); }
std::string P(PostId p) { return std::to_string(ToInt(p)); }

Options ChildOptions(uint64_t threshold) {
  Options o;
  o.fanout_batch_size = 10;
  o.background_threads = 2;
  o.fanout_threshold = threshold;
  return o;
}

// The workload. Protocol, one line per event:
//   O                              engine opened
//   B <op> <args...>               about to call
//   A <op> <args...> <result>      the call returned OK (acknowledged)
//   X <message>                    unexpected failure (the child exits)
[[noreturn]] void CrashChild() {
  const char* db = std::getenv("PUPPIES_CRASH_DB");
  const char* mode = std::getenv("PUPPIES_CRASH_MODE");
  const uint64_t seed = std::strtoull(std::getenv("PUPPIES_CRASH_SEED"), nullptr, 10);
  const uint64_t threshold = std::strtoull(std::getenv("PUPPIES_CRASH_THRESHOLD"), nullptr, 10);
  std::mt19937_64 rng(seed);
  auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };

  auto opened = Engine::Open(ChildOptions(threshold), db);
  if (!opened.ok()) Fail("open", opened.status());
  std::unique_ptr<Engine> e = std::move(opened).value();
  Report("O");

  UserId star{};
  std::vector<UserId> people;  // fans and extras
  std::vector<std::pair<PostId, UserId>> posts;
  int next_text = 0;
  const std::string gen = mode;

  auto create_post = [&](UserId author) {
    const std::string text = gen + "-" + std::to_string(next_text++);
    Report("B post " + U(author) + " " + text);
    PostId p = Ok(e->CreatePost(author, testing::Text(text)), "post");
    Report("A post " + U(author) + " " + text + " " + P(p));
    posts.push_back({p, author});
  };

  if (gen == "fresh") {
    auto create_user = [&](const std::string& name) {
      Report("B user " + name);
      UserId u = Ok(e->CreateUser(name), "create user");
      Report("A user " + name + " " + U(u));
      return u;
    };
    star = create_user("star");
    for (int i = 0; i < kFans; ++i) people.push_back(create_user("fan" + std::to_string(i)));
    for (int i = 0; i < kExtras; ++i) people.push_back(create_user("extra" + std::to_string(i)));
    // Every fan follows the star, in one import (one atomic batch).
    std::vector<FollowEdge> edges;
    for (int i = 0; i < kFans; ++i) edges.push_back({people[i], star});
    Report("B import");
    uint64_t n = Ok(e->ImportFollows(edges), "import");
    if (n != static_cast<uint64_t>(kFans)) Fail("import count " + std::to_string(n), Status());
    Report("A import " + std::to_string(n));
    for (int i = 0; i < 10; ++i) create_post(people[pick(people.size())]);
  } else {
    star = Ok(e->FindUser("star"), "find star").id;
    for (int i = 0; i < 40; ++i)
      people.push_back(Ok(e->FindUser("fan" + std::to_string(i)), "find fan").id);
    for (int i = 0; i < kExtras; ++i)
      people.push_back(Ok(e->FindUser("extra" + std::to_string(i)), "find extra").id);
  }

  // The star posts: a fan-out of kFans followers in steps of 10 begins.
  create_post(star);
  for (int op = 0; op < 3000; ++op) {
    const size_t r = pick(100);
    if (r < 10) {
      create_post(star);
    } else if (r < 35) {
      create_post(people[pick(people.size())]);
    } else if (r < 65) {
      const bool follow = r < 55;
      UserId a = people[pick(people.size())];
      UserId b = pick(5) == 0 ? star : people[pick(people.size())];
      if (a == b) continue;
      const std::string op_name = follow ? "follow" : "unfollow";
      Report("B " + op_name + " " + U(a) + " " + U(b));
      bool changed = Ok(follow ? e->Follow(a, b) : e->Unfollow(a, b), op_name);
      Report("A " + op_name + " " + U(a) + " " + U(b) + " " + (changed ? "1" : "0"));
    } else if (r < 85) {
      if (posts.empty()) continue;
      const bool like = r < 78;
      auto [p, author] = posts[pick(posts.size())];
      UserId u = people[pick(people.size())];
      if (u == author) continue;
      const std::string op_name = like ? "like" : "unlike";
      Report("B " + op_name + " " + U(u) + " " + P(p));
      bool changed = Ok(like ? e->Like(u, p) : e->Unlike(u, p), op_name);
      Report("A " + op_name + " " + U(u) + " " + P(p) + " " + (changed ? "1" : "0"));
    } else if (r < 92) {
      if (posts.empty()) continue;
      const size_t k = pick(posts.size());
      auto [p, author] = posts[k];
      posts.erase(posts.begin() + static_cast<std::ptrdiff_t>(k));
      Report("B delete " + U(author) + " " + P(p));
      Status s = e->DeletePost(author, p);
      if (!s.ok()) Fail("delete", s);
      Report("A delete " + U(author) + " " + P(p));
    }
  }
  Report("D");
  for (;;) ::pause();  // wait for the parent's SIGKILL
}

// Registered only in the child, so that it is neither listed nor run in normal runs.
const int kCrashChildRegistered = testing::RegisterChildCase(
    "PUPPIES_CRASH_CHILD", &CrashChild, __FILE__, __LINE__, "crash_test child");

// ---- Parent side -------------------------------------------------------------------------------

struct ChildLog {
  std::vector<std::string> lines;
  bool killed = false;
  bool timed_out = false;
};

// Starts a child on `db`, reads its report, and SIGKILLs it `delay` after the first line for
// which `trigger` returns true (or after it reports D). Returns every complete line.
template <class Trigger>
ChildLog RunChild(const std::string& db, const std::string& mode, uint64_t seed, uint64_t threshold,
                  std::chrono::microseconds delay, Trigger trigger) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  REQUIRE(devnull >= 0);

  // Build argv and envp before fork: only async-signal-safe calls happen in the child.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("PUPPIES_CRASH_CHILD=1");
  env_strings.push_back("PUPPIES_CRASH_DB=" + db);
  env_strings.push_back("PUPPIES_CRASH_MODE=" + mode);
  env_strings.push_back("PUPPIES_CRASH_SEED=" + std::to_string(seed));
  env_strings.push_back("PUPPIES_CRASH_THRESHOLD=" + std::to_string(threshold));
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", arg0 = "puppies_tests", filter = "-tc=crash_test child";
  std::vector<char*> argv = {arg0.data(), filter.data(), nullptr};

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::dup2(fds[1], kChildFd) < 0) ::_exit(120);
    ::dup2(devnull, STDOUT_FILENO);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(121);
  }
  ::close(fds[1]);
  ::close(devnull);

  ChildLog log;
  std::string buffer;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::optional<Clock::time_point> kill_at;
  bool eof = false;
  auto take_lines = [&] {
    size_t pos;
    while ((pos = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, pos);
      buffer.erase(0, pos + 1);
      if (!kill_at && (trigger(line) || line == "D")) kill_at = Clock::now() + delay;
      log.lines.push_back(std::move(line));
    }
  };
  while (!eof) {
    const auto now = Clock::now();
    if (!log.killed && kill_at && now >= *kill_at) {
      ::kill(pid, SIGKILL);
      log.killed = true;
    }
    if (!log.killed && now - start > std::chrono::seconds(60)) {
      ::kill(pid, SIGKILL);
      log.killed = true;
      log.timed_out = true;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    int timeout_ms = 20;
    if (!log.killed && kill_at) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*kill_at - now);
      timeout_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(20, left.count())));
    }
    const int pr = ::poll(&pfd, 1, timeout_ms);
    if (pr > 0) {
      char chunk[65536];
      const ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
      if (n > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        take_lines();
      } else if (n == 0) {
        eof = true;  // the child is gone and the pipe drained
      }
    }
  }
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK_MESSAGE(!log.timed_out, "the child did not reach its kill point within 60 s");
  if (!log.killed) {
    // It died on its own: say how.
    CHECK_MESSAGE(false, "child exited by itself, status "
                             << status
                             << (log.lines.empty() ? "" : ", last line: " + log.lines.back()));
  } else {
    CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "child status " << status);
  }
  for (const std::string& l : log.lines) CHECK_MESSAGE(l.rfind("X ", 0) != 0, "child: " << l);
  return log;
}

// The state the acknowledged operations imply, with keys whose last operation was in flight
// at the kill marked unknown (they are atomic: resolved after reopen by reading them).
struct Expected {
  std::map<std::string, UserId> users;
  std::set<std::pair<UserId, UserId>> follows;
  std::set<std::pair<UserId, PostId>> likes;
  std::map<PostId, UserId> posts;  // live
  std::set<PostId> deleted;
  // In-flight operations to resolve.
  std::set<std::pair<UserId, UserId>> unknown_follows;
  std::set<std::pair<UserId, PostId>> unknown_likes;
  std::vector<std::string> unknown_users;
  std::vector<std::pair<UserId, std::string>> unknown_posts;  // (author, text)
  std::set<PostId> unknown_deletes;
  std::optional<std::vector<FollowEdge>> unknown_import;
  size_t acked = 0;

  // The child imports "every fan follows the star".
  std::vector<FollowEdge> ImportEdges() const {
    std::vector<FollowEdge> edges;
    for (int i = 0; i < kFans; ++i) {
      auto it = users.find("fan" + std::to_string(i));
      REQUIRE(it != users.end());
      edges.push_back({it->second, users.at("star")});
    }
    return edges;
  }
  static std::vector<std::string> Split(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  }
  static UserId Uid(const std::string& s) { return UserId{std::stoull(s)}; }
  static PostId Pid(const std::string& s) { return PostId{std::stoull(s)}; }

  // Applies one child's log (children run one after the other on the same database).
  void Apply(const ChildLog& log) {
    std::optional<std::vector<std::string>> pending;  // a B line without its A line
    for (const std::string& line : log.lines) {
      std::vector<std::string> w = Split(line);
      if (w.empty()) continue;
      if (w[0] == "B") {
        pending = w;
        continue;
      }
      if (w[0] != "A") continue;
      pending.reset();
      ++acked;
      const std::string& op = w[1];
      if (op == "user") {
        users[w[2]] = Uid(w[3]);
      } else if (op == "import") {
        for (const FollowEdge& edge : ImportEdges()) follows.insert({edge.follower, edge.followee});
      } else if (op == "follow" || op == "unfollow") {
        std::pair<UserId, UserId> edge{Uid(w[2]), Uid(w[3])};
        if (op == "follow") {
          follows.insert(edge);
        } else {
          follows.erase(edge);
        }
        unknown_follows.erase(edge);
      } else if (op == "post") {
        PostId p = Pid(w[4]);
        posts[p] = Uid(w[2]);
      } else if (op == "like" || op == "unlike") {
        std::pair<UserId, PostId> like{Uid(w[2]), Pid(w[3])};
        if (op == "like") {
          likes.insert(like);
        } else {
          likes.erase(like);
        }
        unknown_likes.erase(like);
      } else if (op == "delete") {
        PostId p = Pid(w[3]);
        posts.erase(p);
        deleted.insert(p);
      }
    }
    if (!pending) return;
    const std::vector<std::string>& w = *pending;
    const std::string& op = w[1];
    if (op == "user") {
      unknown_users.push_back(w[2]);
    } else if (op == "import") {
      unknown_import = ImportEdges();
    } else if (op == "follow" || op == "unfollow") {
      unknown_follows.insert({Uid(w[2]), Uid(w[3])});
    } else if (op == "post") {
      unknown_posts.push_back({Uid(w[2]), w[3]});
    } else if (op == "like" || op == "unlike") {
      unknown_likes.insert({Uid(w[2]), Pid(w[3])});
    } else if (op == "delete") {
      unknown_deletes.insert(Pid(w[3]));
    }
  }

  // Settles in-flight operations by reading the recovered database.
  void Resolve(Engine& e) {
    for (const std::string& name : unknown_users) {
      Result<User> u = e.FindUser(name);
      if (u.ok())
        users[name] = u->id;
      else
        CHECK_CODE(u, kNotFound);
    }
    if (unknown_import) {
      size_t present = 0;
      for (const FollowEdge& edge : *unknown_import) {
        if (MUST(e.IsFollowing(edge.follower, edge.followee))) ++present;
      }
      CHECK_MESSAGE((present == 0 || present == unknown_import->size()),
                    "a half-applied import: " << present << " of " << unknown_import->size());
      if (present) {
        for (const FollowEdge& edge : *unknown_import)
          follows.insert({edge.follower, edge.followee});
      }
    }
    for (const auto& edge : unknown_follows) {
      if (MUST(e.IsFollowing(edge.first, edge.second))) {
        follows.insert(edge);
      } else {
        follows.erase(edge);
      }
    }
    for (const auto& like : unknown_likes) {
      Result<bool> has = e.HasLiked(like.first, like.second);
      if (has.ok() && *has) {
        likes.insert(like);
      } else {
        likes.erase(like);
      }
    }
    for (const auto& [author, text] : unknown_posts) {
      for (const Post& p : testing::ReadAll<Post>(
               [&](const PageRequest& r) { return e.UserTimeline(author, r); }, 1000)) {
        if (p.text == text) posts[p.id] = author;
      }
    }
    for (PostId p : unknown_deletes) {
      if (e.GetPost(p).status().IsNotFound()) {
        posts.erase(p);
        deleted.insert(p);
      }
    }
  }

  std::vector<PostId> Feed(UserId reader) const {
    std::vector<PostId> out;
    for (auto it = posts.rbegin(); it != posts.rend(); ++it) {
      if (it->second == reader || follows.count({reader, it->second})) out.push_back(it->first);
    }
    return out;
  }
};

// Reopens the crashed database and checks it against the acknowledged operations.
void Verify(const std::string& db, Expected& x, uint64_t threshold) {
  auto opened = Engine::Open(ChildOptions(threshold), db);
  REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
  std::unique_ptr<Engine> e = std::move(opened).value();
  // Informational: how much queued work the crash left behind (timing-dependent).
  const uint64_t pending_at_open = MUST(e->GetStats()).pending_jobs;
  // Before the resumed work has finished, Check() must already be clean (queued work is taken
  // into account). On failure, say what the log knows about each post named.
  {
    std::vector<std::string> violations = MUST(e->Check());
    std::string details;
    for (const std::string& v : violations) {
      details += "\n  " + v;
      const size_t at = v.find(" post ");
      if (at == std::string::npos) continue;
      const PostId p{std::strtoull(v.c_str() + at + 6, nullptr, 10)};
      details += x.posts.count(p)             ? " [acknowledged, live in the log]"
                 : x.deleted.count(p)         ? " [acknowledged delete in the log]"
                 : x.unknown_deletes.count(p) ? " [delete in flight at the kill]"
                                              : " [not in the log: post in flight at the kill?]";
      details += " GetPost -> " + e->GetPost(p).status().ToString();
    }
    CHECK_MESSAGE(violations.empty(), violations.size()
                                          << " violation(s) right after reopen:" << details);
  }
  x.Resolve(*e);
  testing::ExpectConsistent(*e);  // WaitIdle, then Check() is empty

  REQUIRE_FALSE(x.users.empty());
  std::map<UserId, uint64_t> followers, following, post_count;
  for (const auto& [a, b] : x.follows) {
    ++following[a];
    ++followers[b];
  }
  for (const auto& [p, author] : x.posts) ++post_count[author];
  std::map<PostId, uint64_t> like_count;
  for (const auto& [u, p] : x.likes)
    if (x.posts.count(p)) ++like_count[p];

  size_t feeds_checked = 0;
  for (const auto& [name, id] : x.users) {
    CAPTURE(name);
    Result<User> u = e->GetUser(id);
    REQUIRE_MESSAGE(u.ok(), u.status().ToString());
    CHECK_EQ(u->username, name);
    CHECK_EQ(u->follower_count, followers[id]);
    CHECK_EQ(u->following_count, following[id]);
    CHECK_EQ(u->post_count, post_count[id]);
    std::vector<UserId> got_following = testing::FollowingIds(*e, id, 1000);
    std::set<UserId> want_following;
    for (const auto& [a, b] : x.follows)
      if (a == id) want_following.insert(b);
    CHECK_EQ(std::set<UserId>(got_following.begin(), got_following.end()), want_following);
    CHECK_IDS(FeedIds(*e, id, 100), x.Feed(id));
    ++feeds_checked;
  }
  for (const auto& [p, author] : x.posts) {
    Result<Post> got = e->GetPost(p);
    REQUIRE_MESSAGE(got.ok(), "acknowledged post " << ToInt(p) << ": " << got.status().ToString());
    CHECK_EQ(got->author, author);
    CHECK_EQ(got->like_count, like_count[p]);
  }
  for (PostId p : x.deleted) CHECK_CODE(e->GetPost(p), kNotFound);
  for (const auto& [u, p] : x.likes)
    if (x.posts.count(p)) CHECK_VALUE(e->HasLiked(u, p), true);
  MESSAGE("verified " << x.acked << " acknowledged operations, " << x.users.size() << " users, "
                      << x.posts.size() << " live posts, " << feeds_checked << " feeds; "
                      << pending_at_open << " job(s) were pending at reopen");
  REQUIRE_OK(e->Close());
}

struct Scenario {
  int delay_us;                        // after the star's first post is acknowledged
  uint64_t threshold;                  // Options::fanout_threshold for every run
  std::optional<int> resume_delay_us;  // if set: a second child resumes and is killed too
};

TEST_CASE("crash: SIGKILL during fan-out loses no acknowledged operation") {
  const std::vector<Scenario> scenarios = {
      {0, Options::kNoPull, std::nullopt},
      {2'000, Options::kNoPull, 0},
      {6'000, Options::kNoPull, std::nullopt},
      {15'000, 10'000, 3'000},
      {4'000, 300, 1'000},  // the star (600 followers) is pulled at read time
  };
  uint64_t seed = 11;
  for (const Scenario& s : scenarios) {
    CAPTURE(s.delay_us);
    CAPTURE(s.threshold);
    TempDir dir;
    Expected x;
    // Kill after the star's first post was acknowledged.
    std::string star_id;
    ChildLog first =
        RunChild(dir.db(), "fresh", seed++, s.threshold, std::chrono::microseconds(s.delay_us),
                 [&](const std::string& l) {
                   if (l.rfind("A user star ", 0) == 0) star_id = l.substr(12);
                   return !star_id.empty() && l.rfind("A post " + star_id + " ", 0) == 0;
                 });
    REQUIRE_FALSE(first.lines.empty());
    x.Apply(first);
    if (s.resume_delay_us) {
      // A second child opens the crashed database (resuming the queued fan-out), works a
      // little, and is killed too: recovery must survive a crash during recovery (C4).
      ChildLog second = RunChild(dir.db(), "resume", seed++, s.threshold,
                                 std::chrono::microseconds(*s.resume_delay_us),
                                 [](const std::string& l) { return l == "O"; });
      x.Apply(second);
    }
    Verify(dir.db(), x, s.threshold);
  }
}

}  // namespace
}  // namespace puppies
