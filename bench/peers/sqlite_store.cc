// The SQLite peer ("SQLite 3.40 (the embedded peer)" in BENCHMARKS.md): one database file in
// WAL mode, one connection, statements prepared once (SQLITE_PREPARE_PERSISTENT) and
// reset/rebound, BEGIN IMMEDIATE around multi-statement writes, ANALYZE after load.
//
// Pull (default): the home feed is the JOIN of follows and posts through the covering index
// posts_by_author_time, plus the reader's own posts. Push: a timeline table filled by one
// INSERT ... SELECT per post (not trimmed, as in BENCHMARKS.md); a follow copies the
// followee's newest inbox_cap posts into the reader's timeline and an unfollow removes them,
// as the other push peers do, so both variants return the same feeds.
//
// Post ids are time-ordered snowflakes with a distinct millisecond per post (the driver makes
// them so), so ordering by created_at is the id order and a cursor is "created_at < ms".

#include <sqlite3.h>

#include <filesystem>
#include <limits>

#include "adapters.h"
#include "peer_util.h"

namespace puppies_bench {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE follows (follower_id INTEGER NOT NULL, followee_id INTEGER NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (follower_id, followee_id)) WITHOUT ROWID;
CREATE INDEX follows_by_followee ON follows (followee_id, follower_id);
CREATE TABLE posts (post_id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL,
                    created_at INTEGER NOT NULL, body TEXT NOT NULL,
                    like_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX posts_by_author_time ON posts (author_id, created_at DESC, post_id);
CREATE TABLE likes (post_id INTEGER, user_id INTEGER,
                    PRIMARY KEY (post_id, user_id)) WITHOUT ROWID;
CREATE TABLE timeline (user_id INTEGER, created_at INTEGER, post_id INTEGER,
                       PRIMARY KEY (user_id, created_at, post_id)) WITHOUT ROWID;
)sql";

constexpr const char* kHomePull = R"sql(
SELECT p.post_id, p.author_id FROM posts p
WHERE p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?1 UNION ALL SELECT ?1)
  AND p.created_at < ?2
ORDER BY p.created_at DESC LIMIT ?3)sql";

constexpr const char* kHomePush = R"sql(
SELECT t.post_id, p.author_id FROM timeline t JOIN posts p ON p.post_id = t.post_id
WHERE t.user_id = ?1 AND t.created_at < ?2
ORDER BY t.created_at DESC LIMIT ?3)sql";

class SqliteStore;

// A statement prepared once; Run binds, steps through the rows and resets.
class Stmt {
 public:
  Stmt(SqliteStore* store, const char* sql);
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binds int64 parameters 1..n in order, then calls row(stmt) per result row.
  template <class Row>
  void Query(std::initializer_list<int64_t> args, Row&& row);
  void Exec(std::initializer_list<int64_t> args) {
    Query(args, [](sqlite3_stmt*) {});
  }
  sqlite3_stmt* get() { return stmt_; }

 private:
  SqliteStore* store_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public FeedStore {
 public:
  SqliteStore(const PeerConfig& config, bool push)
      : push_(push), inbox_cap_(config.inbox_cap), dir_(config.dir + "/sqlite") {
    std::filesystem::create_directories(dir_);
    if (sqlite3_open((dir_ + "/feed.db").c_str(), &db_) != SQLITE_OK) Fail(name(), "open");
    const bool durable = config.durability == Durability::kDurable;
    ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=" + std::string(durable ? "FULL" : "NORMAL") +
        "; PRAGMA cache_size=-" + std::to_string(config.cache_bytes >> 10) +
        "; PRAGMA mmap_size=2147483648; PRAGMA temp_store=MEMORY;");
    ExecScript(kSchema);
    begin_ = std::make_unique<Stmt>(this, "BEGIN IMMEDIATE");
    commit_ = std::make_unique<Stmt>(this, "COMMIT");
    follow_ = std::make_unique<Stmt>(
        this,
        "INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)");
    unfollow_ = std::make_unique<Stmt>(
        this, "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?");
    post_ = std::make_unique<Stmt>(
        this, "INSERT INTO posts (post_id, author_id, created_at, body) VALUES (?, ?, ?, ?)");
    fanout_ = std::make_unique<Stmt>(this,
                                     "INSERT INTO timeline SELECT follower_id, ?2, ?3 FROM follows "
                                     "WHERE followee_id = ?1");
    own_ = std::make_unique<Stmt>(this, "INSERT INTO timeline VALUES (?, ?, ?)");
    backfill_ = std::make_unique<Stmt>(
        this,
        "INSERT OR IGNORE INTO timeline SELECT ?1, created_at, post_id FROM posts "
        "WHERE author_id = ?2 ORDER BY created_at DESC LIMIT ?3");
    unmerge_ = std::make_unique<Stmt>(this,
                                      "DELETE FROM timeline WHERE user_id = ?1 AND post_id IN "
                                      "(SELECT post_id FROM posts WHERE author_id = ?2)");
    home_ = std::make_unique<Stmt>(this, push_ ? kHomePush : kHomePull);
    like_ = std::make_unique<Stmt>(this, "INSERT OR IGNORE INTO likes VALUES (?, ?)");
    count_like_ = std::make_unique<Stmt>(
        this, "UPDATE posts SET like_count = like_count + 1 WHERE post_id = ?");
    like_count_ = std::make_unique<Stmt>(this, "SELECT like_count FROM posts WHERE post_id = ?");
    followers_ = std::make_unique<Stmt>(
        this, "SELECT follower_id FROM follows WHERE followee_id = ? LIMIT ?");
    follower_count_ =
        std::make_unique<Stmt>(this, "SELECT count(*) FROM follows WHERE followee_id = ?");
  }

  // close_v2 defers the close until the statements (members, destroyed after this body)
  // are finalized.
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  std::string name() const override { return push_ ? "sqlite_push" : "sqlite"; }
  // One connection whose statements are prepared once and bound, stepped and reset in place:
  // not shareable between threads, so W6 skips this peer.
  bool thread_safe() const override { return false; }

  void CreateUsers(uint64_t) override {}  // no users table: ids live in follows and posts

  void BulkFollow(std::span<const std::pair<uint64_t, uint64_t>> edges) override {
    constexpr size_t kPerTxn = 50'000;
    for (size_t i = 0; i < edges.size(); i += kPerTxn) {
      begin_->Exec({});
      for (size_t j = i; j < std::min(edges.size(), i + kPerTxn); ++j) {
        follow_->Exec({I(edges[j].first), I(edges[j].second), ++edge_seq_});
      }
      commit_->Exec({});
    }
  }

  void Follow(uint64_t follower, uint64_t followee) override {
    if (!push_) {
      follow_->Exec({I(follower), I(followee), ++edge_seq_});
      return;
    }
    begin_->Exec({});
    follow_->Exec({I(follower), I(followee), ++edge_seq_});
    if (sqlite3_changes(db_) == 1) backfill_->Exec({I(follower), I(followee), inbox_cap_});
    commit_->Exec({});
  }
  void Unfollow(uint64_t follower, uint64_t followee) override {
    if (!push_) {
      unfollow_->Exec({I(follower), I(followee)});
      return;
    }
    begin_->Exec({});
    unfollow_->Exec({I(follower), I(followee)});
    if (sqlite3_changes(db_) == 1) unmerge_->Exec({I(follower), I(followee)});
    commit_->Exec({});
  }

  void Post(uint64_t author, uint64_t post_id, std::string_view body) override {
    const int64_t ms = I(PostMillis(post_id));
    begin_->Exec({});
    sqlite3_stmt* s = post_->get();
    sqlite3_bind_int64(s, 1, I(post_id));
    sqlite3_bind_int64(s, 2, I(author));
    sqlite3_bind_int64(s, 3, ms);
    sqlite3_bind_text(s, 4, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    Step(s);
    if (push_) {
      fanout_->Exec({I(author), ms, I(post_id)});
      own_->Exec({I(author), ms, I(post_id)});
    }
    commit_->Exec({});
  }

  FeedPage Home(uint64_t user, uint32_t limit, uint64_t cursor) override {
    const int64_t before = cursor ? I(PostMillis(cursor)) : std::numeric_limits<int64_t>::max();
    FeedPage page;
    home_->Query({I(user), before, int64_t{limit} + 1}, [&](sqlite3_stmt* s) {
      page.items.push_back({static_cast<uint64_t>(sqlite3_column_int64(s, 0)),
                            static_cast<uint64_t>(sqlite3_column_int64(s, 1))});
    });
    if (page.items.size() > limit) {
      page.items.resize(limit);
      page.next_cursor = page.items.back().post_id;
    }
    return page;
  }

  bool Like(uint64_t post_id, uint64_t user) override {
    begin_->Exec({});
    like_->Exec({I(post_id), I(user)});
    const bool added = sqlite3_changes(db_) == 1;
    if (added) count_like_->Exec({I(post_id)});
    commit_->Exec({});
    return added;
  }
  uint64_t LikeCount(uint64_t post_id) override { return Scalar(*like_count_, I(post_id)); }

  std::vector<uint64_t> Followers(uint64_t user, uint32_t limit) override {
    std::vector<uint64_t> out;
    followers_->Query({I(user), int64_t{limit}}, [&](sqlite3_stmt* s) {
      out.push_back(static_cast<uint64_t>(sqlite3_column_int64(s, 0)));
    });
    return out;
  }
  uint64_t FollowerCount(uint64_t user) override { return Scalar(*follower_count_, I(user)); }

  void Settle() override { ExecScript("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);"); }

  PeerFigures Figures() override {
    PeerFigures f;
    f.bytes_on_disk = DirBytes(dir_);
    return f;
  }

  void Step(sqlite3_stmt* s) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) Fail(name(), sqlite3_errmsg(db_));
    sqlite3_reset(s);
  }
  void Prepare(const char* sql, sqlite3_stmt** out) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr) != SQLITE_OK) {
      Fail(name(), std::string("prepare: ") + sqlite3_errmsg(db_));
    }
  }
  [[noreturn]] void StepFailed() { Fail(name(), sqlite3_errmsg(db_)); }

 private:
  static int64_t I(uint64_t v) { return static_cast<int64_t>(v); }

  uint64_t Scalar(Stmt& stmt, int64_t arg) {
    uint64_t v = 0;
    stmt.Query({arg},
               [&](sqlite3_stmt* s) { v = static_cast<uint64_t>(sqlite3_column_int64(s, 0)); });
    return v;
  }

  void ExecScript(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : "exec failed";
      sqlite3_free(err);
      Fail(name(), msg);
    }
  }

  const bool push_;
  const int64_t inbox_cap_;
  const std::string dir_;
  sqlite3* db_ = nullptr;
  int64_t edge_seq_ = 0;
  std::unique_ptr<Stmt> begin_, commit_, follow_, unfollow_, post_, fanout_, own_, backfill_,
      unmerge_, home_, like_, count_like_, like_count_, followers_, follower_count_;
};

Stmt::Stmt(SqliteStore* store, const char* sql) : store_(store) { store->Prepare(sql, &stmt_); }

template <class Row>
void Stmt::Query(std::initializer_list<int64_t> args, Row&& row) {
  int i = 0;
  for (int64_t a : args) sqlite3_bind_int64(stmt_, ++i, a);
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) row(stmt_);
  sqlite3_reset(stmt_);
  if (rc != SQLITE_DONE) store_->StepFailed();
}

}  // namespace

std::unique_ptr<FeedStore> MakeSqliteStore(const PeerConfig& config, bool push) {
  return std::make_unique<SqliteStore>(config, push);
}

}  // namespace puppies_bench
