// The PostgreSQL 15 peers (BENCHMARKS.md "PostgreSQL"), driven over libpq on TCP 127.0.0.1:
//   pg_pull  fan-out on read: the home page is one JOIN of follows and posts.
//   pg_push  fan-out on write: every post is copied into a `timeline` table by one
//            INSERT ... SELECT over the author's followers; the page reads the timeline.
// Each variant lives in its own database (named after the variant, dropped and created by the
// constructor), so both can be loaded side by side and pg_database_size is per variant.
//
// Choices, so the figures can be read:
// * The timeline of pg_push is not trimmed to inbox_cap: a per-post trim is a DELETE for every
//   follower and would double the fan-out, and the descending primary key makes a page cost the
//   same on a long timeline. Bytes on disk therefore count every timeline row.
// * Every statement is prepared once per connection; parameters and results travel in binary.
// * A like is one statement (so one transaction): insert into `likes` ON CONFLICT DO NOTHING
//   and, only if a row went in, an upsert of the post's counter row; concurrent likes of one
//   post queue on that row's lock, as BENCHMARKS.md wants the comparison to show.
// * A follow in pg_push copies the followee's newest inbox_cap posts into the reader's
//   timeline and an unfollow deletes them (the same statement as the edge), as Mastodon does.
// * BulkFollow (the dataset load) writes edges only, through COPY into a temporary table and
//   one INSERT ... SELECT ON CONFLICT DO NOTHING, so duplicate edges in the input are harmless.
// * The home feed includes the reader's own posts (feed_store.h): the pull query unions the
//   reader into the followee list; pg_push puts each post into its author's timeline.

#include <libpq-fe.h>

#include <array>
#include <initializer_list>
#include <string>
#include <vector>

#include "adapters.h"
#include "feed_store.h"
#include "peer_util.h"
#include "server_common.h"

namespace puppies_bench {
namespace {

constexpr Oid kInt8 = 20;  // pg_type.oid of bigint and text (catalog/pg_type_d.h)
constexpr Oid kText = 25;

constexpr std::string_view kSchema[] = {
    "CREATE TABLE follows (follower_id bigint NOT NULL, followee_id bigint NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (follower_id, followee_id))",
    "CREATE INDEX follows_by_followee ON follows (followee_id, follower_id)",
    "CREATE TABLE posts (post_id bigint PRIMARY KEY, author_id bigint NOT NULL,"
    " created_at bigint NOT NULL, body text NOT NULL)",
    "CREATE INDEX posts_by_author_time ON posts (author_id, created_at DESC) INCLUDE (post_id)",
    "CREATE TABLE likes (post_id bigint, user_id bigint, PRIMARY KEY (post_id, user_id))",
    "CREATE TABLE like_counts (post_id bigint PRIMARY KEY, n bigint NOT NULL)",
};
constexpr std::string_view kTimelineSchema =
    "CREATE TABLE timeline (user_id bigint, created_at bigint, post_id bigint,"
    " PRIMARY KEY (user_id, created_at, post_id))";

enum Stmt : size_t {
  kFollow,
  kUnfollow,
  kPost,
  kHomeFirst,
  kHomeNext,
  kLike,
  kLikeCount,
  kFollowers,
  kFollowerCount,
  kStmtCount,
};

// Prepared-statement names, in Stmt order (they show in pg_stat_activity).
constexpr const char* kStmtNames[kStmtCount] = {
    "follow", "unfollow",   "post",      "home_first",     "home_next",
    "like",   "like_count", "followers", "follower_count",
};

struct StatementDef {
  std::string sql;
  std::vector<Oid> types;
};

using Statements = std::array<StatementDef, kStmtCount>;

// Later pages continue below the cursor post: created_at = post_id >> 22 (the snowflake's ms),
// so (created_at, post_id) order is post id order and the created_at bound is an index bound.
std::string HomeSql(bool push, bool next) {
  if (push) {
    return std::string(
               "SELECT t.post_id, p.author_id FROM timeline t JOIN posts p ON p.post_id = "
               "t.post_id WHERE t.user_id = $1") +
           (next ? " AND (t.created_at, t.post_id) < ($3, $4)" : "") +
           " ORDER BY t.created_at DESC, t.post_id DESC LIMIT $2";
  }
  return std::string(
             "SELECT p.post_id, p.author_id, p.created_at FROM (SELECT followee_id AS author_id "
             "FROM follows WHERE follower_id = $1 UNION ALL SELECT $1) f JOIN posts p ON "
             "p.author_id = f.author_id") +
         (next ? " WHERE p.created_at <= $3 AND p.post_id < $4" : "") +
         " ORDER BY p.created_at DESC, p.post_id DESC LIMIT $2";
}

Statements MakeStatements(bool push, uint32_t inbox_cap) {
  Statements s;
  if (push) {
    s[kFollow] = {
        "WITH f AS (INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT "
        "DO NOTHING RETURNING followee_id) INSERT INTO timeline (user_id, created_at, post_id) "
        "SELECT $1, p.created_at, p.post_id FROM f CROSS JOIN LATERAL (SELECT created_at, "
        "post_id FROM posts WHERE author_id = f.followee_id ORDER BY created_at DESC LIMIT " +
            std::to_string(inbox_cap) + ") p ON CONFLICT DO NOTHING",
        {kInt8, kInt8}};
    s[kUnfollow] = {
        "WITH d AS (DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2 RETURNING "
        "followee_id) DELETE FROM timeline t USING d, posts p WHERE t.user_id = $1 AND "
        "t.created_at = p.created_at AND t.post_id = p.post_id AND p.author_id = d.followee_id",
        {kInt8, kInt8}};
    s[kPost] = {
        "WITH p AS (INSERT INTO posts (post_id, author_id, created_at, body) VALUES ($1, $2, $3, "
        "$4)) INSERT INTO timeline (user_id, created_at, post_id) SELECT follower_id, $3, $1 "
        "FROM follows WHERE followee_id = $2 UNION ALL SELECT $2, $3, $1",
        {kInt8, kInt8, kInt8, kText}};
  } else {
    s[kFollow] = {
        "INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        {kInt8, kInt8}};
    s[kUnfollow] = {"DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2",
                    {kInt8, kInt8}};
    s[kPost] = {"INSERT INTO posts (post_id, author_id, created_at, body) VALUES ($1, $2, $3, $4)",
                {kInt8, kInt8, kInt8, kText}};
  }
  s[kHomeFirst] = {HomeSql(push, false), {kInt8, kInt8}};
  s[kHomeNext] = {HomeSql(push, true), {kInt8, kInt8, kInt8, kInt8}};
  s[kLike] = {
      "WITH l AS (INSERT INTO likes (post_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING "
      "RETURNING post_id) INSERT INTO like_counts (post_id, n) SELECT post_id, 1 FROM l ON "
      "CONFLICT (post_id) DO UPDATE SET n = like_counts.n + 1 RETURNING 1",
      {kInt8, kInt8}};
  s[kLikeCount] = {"SELECT n FROM like_counts WHERE post_id = $1", {kInt8}};
  s[kFollowers] = {
      "SELECT follower_id FROM follows WHERE followee_id = $1 ORDER BY follower_id LIMIT $2",
      {kInt8, kInt8}};
  s[kFollowerCount] = {"SELECT count(*) FROM follows WHERE followee_id = $1", {kInt8}};
  return s;
}

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultFree>;

// One parameter in binary format: a bigint in network byte order, or the bytes of a text.
class Param {
 public:
  Param(uint64_t v) : is_int_(true) {  // NOLINT: implicit, so calls read Run(k, {a, b})
    for (int i = 0; i < 8; ++i) int_[i] = static_cast<char>(v >> (56 - 8 * i));
  }
  Param(std::string_view text) : text_(text) {}  // NOLINT
  const char* data() const { return is_int_ ? int_ : text_.data(); }
  int size() const { return is_int_ ? 8 : static_cast<int>(text_.size()); }

 private:
  bool is_int_ = false;
  char int_[8] = {};
  std::string_view text_;
};

// A bigint column of a binary result.
uint64_t GetU64(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return 0;
  const auto* b = reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
  return v;
}

class PgConn {
 public:
  PgConn(std::string_view peer, const PeerConfig& config, const std::string& dbname) : peer_(peer) {
    const std::string port = std::to_string(config.port);
    // The class per session, whatever the server default; notices ("database does not exist,
    // skipping") would only clutter the driver's output.
    const std::string options =
        std::string("-c client_min_messages=warning -c synchronous_commit=") +
        (config.durability == Durability::kDurable ? "on" : "off");
    std::vector<const char*> keys = {"host", "dbname", "options", "application_name"};
    std::vector<const char*> values = {config.host.c_str(), dbname.c_str(), options.c_str(),
                                       "puppies_peers_bench"};
    if (config.port != 0) {  // else libpq takes PGPORT, as exported by servers.sh
      keys.push_back("port");
      values.push_back(port.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      Fail(peer_, "connect to " + dbname + ": " + why);
    }
  }
  ~PgConn() { PQfinish(conn_); }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  void Exec(std::string_view sql) { Check(PgResult(PQexec(conn_, std::string(sql).c_str()))); }

  // A statement without parameters, results in binary (for the figures).
  PgResult Query(const std::string& sql) {
    return Check(PgResult(PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                                       /*resultFormat=*/1)));
  }

  void PrepareAll(const Statements& statements) {
    for (size_t i = 0; i < statements.size(); ++i) {
      const StatementDef& s = statements[i];
      Check(PgResult(PQprepare(conn_, kStmtNames[i], s.sql.c_str(),
                               static_cast<int>(s.types.size()), s.types.data())));
    }
  }

  PgResult Run(Stmt stmt, std::initializer_list<Param> params) {
    std::array<const char*, 4> values{};
    std::array<int, 4> lengths{};
    std::array<int, 4> formats{};
    size_t n = 0;
    for (const Param& p : params) {
      values[n] = p.data();
      lengths[n] = p.size();
      formats[n] = 1;
      ++n;
    }
    return Check(PgResult(PQexecPrepared(conn_, kStmtNames[stmt], static_cast<int>(n),
                                         values.data(), lengths.data(), formats.data(),
                                         /*resultFormat=*/1)));
  }

  // COPY ... FROM STDIN: Copy() sends the rows in whatever chunks the caller builds.
  void BeginCopy(const std::string& sql) {
    PgResult r(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_IN) Fail(peer_, PQerrorMessage(conn_));
  }
  void Copy(std::string_view rows) {
    if (PQputCopyData(conn_, rows.data(), static_cast<int>(rows.size())) != 1) {
      Fail(peer_, PQerrorMessage(conn_));
    }
  }
  void EndCopy() {
    if (PQputCopyEnd(conn_, nullptr) != 1) Fail(peer_, PQerrorMessage(conn_));
    while (PGresult* raw = PQgetResult(conn_)) Check(PgResult(raw));
  }

  int backend_pid() const { return PQbackendPID(conn_); }

 private:
  PgResult Check(PgResult r) {
    ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      Fail(peer_, PQresultErrorMessage(r.get()));
    }
    return r;
  }

  std::string peer_;
  PGconn* conn_;
};

class PgStore final : public FeedStore {
 public:
  PgStore(const PeerConfig& config, bool push)
      : config_(config),
        push_(push),
        db_(push ? "pg_push" : "pg_pull"),
        statements_(MakeStatements(push, config.inbox_cap)),
        pool_([this] {
          auto conn = std::make_unique<PgConn>(db_, config_, db_);
          conn->PrepareAll(statements_);
          return conn;
        }) {
    {
      PgConn admin(db_, config_, EnvOr("PGDATABASE", "postgres"));
      admin.Exec("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
      admin.Exec("CREATE DATABASE " + db_);
    }
    PgConn setup(db_, config_, db_);
    for (std::string_view ddl : kSchema) setup.Exec(ddl);
    if (push_) setup.Exec(kTimelineSchema);
    // Shared-buffer use per database needs the contrib extension; without it Figures reports
    // the shared_buffers setting.
    try {
      setup.Exec("CREATE EXTENSION pg_buffercache");
      have_buffercache_ = true;
    } catch (const std::runtime_error&) {
    }
    std::optional<ProcStat> backend = ReadProcStat(setup.backend_pid());
    if (backend) postmaster_pid_ = backend->ppid;
  }

  std::string name() const override { return db_; }
  // Each call leases its own connection (ConnectionPool).
  bool thread_safe() const override { return true; }

  // The schema has no user rows (BENCHMARKS.md): users exist through their edges and posts.
  void CreateUsers(uint64_t) override {}

  void BulkFollow(std::span<const std::pair<uint64_t, uint64_t>> edges) override {
    auto conn = pool_.Acquire();
    conn->Exec("BEGIN");
    conn->Exec(
        "CREATE TEMP TABLE follows_in (follower_id bigint, followee_id bigint) ON COMMIT DROP");
    conn->BeginCopy("COPY follows_in FROM STDIN");
    std::string rows;
    for (const auto& [follower, followee] : edges) {
      rows += std::to_string(follower);
      rows += '\t';
      rows += std::to_string(followee);
      rows += '\n';
      if (rows.size() >= (size_t{256} << 10)) {
        conn->Copy(rows);
        rows.clear();
      }
    }
    if (!rows.empty()) conn->Copy(rows);
    conn->EndCopy();
    conn->Exec(
        "INSERT INTO follows (follower_id, followee_id) SELECT follower_id, followee_id FROM "
        "follows_in ON CONFLICT DO NOTHING");
    conn->Exec("COMMIT");
  }

  void Follow(uint64_t follower, uint64_t followee) override {
    pool_.Acquire()->Run(kFollow, {follower, followee});
  }

  void Unfollow(uint64_t follower, uint64_t followee) override {
    pool_.Acquire()->Run(kUnfollow, {follower, followee});
  }

  void Post(uint64_t author, uint64_t post_id, std::string_view body) override {
    pool_.Acquire()->Run(kPost, {post_id, author, post_id >> 22, body});
  }

  FeedPage Home(uint64_t user, uint32_t limit, uint64_t cursor) override {
    auto conn = pool_.Acquire();
    PgResult r = cursor == 0 ? conn->Run(kHomeFirst, {user, uint64_t{limit}})
                             : conn->Run(kHomeNext, {user, uint64_t{limit}, cursor >> 22, cursor});
    FeedPage page;
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      page.items.push_back({GetU64(r.get(), i, 0), GetU64(r.get(), i, 1)});
    }
    page.next_cursor = page.items.size() == limit ? page.items.back().post_id : 0;
    return page;
  }

  bool Like(uint64_t post_id, uint64_t user) override {
    return PQntuples(pool_.Acquire()->Run(kLike, {post_id, user}).get()) == 1;
  }

  uint64_t LikeCount(uint64_t post_id) override {
    return FirstU64(pool_.Acquire()->Run(kLikeCount, {post_id}).get());
  }

  std::vector<uint64_t> Followers(uint64_t user, uint32_t limit) override {
    PgResult r = pool_.Acquire()->Run(kFollowers, {user, uint64_t{limit}});
    std::vector<uint64_t> out;
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) out.push_back(GetU64(r.get(), i, 0));
    return out;
  }

  uint64_t FollowerCount(uint64_t user) override {
    return FirstU64(pool_.Acquire()->Run(kFollowerCount, {user}).get());
  }

  void Settle() override { pool_.Acquire()->Exec("VACUUM ANALYZE"); }

  PeerFigures Figures() override {
    auto conn = pool_.Acquire();
    PeerFigures f;
    f.bytes_on_disk = FirstU64(conn->Query("SELECT pg_database_size(current_database())").get());
    f.memory_bytes = FirstU64(
        conn->Query(have_buffercache_
                        ? "SELECT count(*) * current_setting('block_size')::bigint FROM "
                          "pg_buffercache WHERE reldatabase = (SELECT oid FROM pg_database "
                          "WHERE datname = current_database())"
                        : "SELECT pg_size_bytes(current_setting('shared_buffers'))")
            .get());
    f.server_cpu_seconds = ServerCpuSeconds(postmaster_pid_);
    return f;
  }

 private:
  static uint64_t FirstU64(const PGresult* r) { return PQntuples(r) == 0 ? 0 : GetU64(r, 0, 0); }

  const PeerConfig config_;
  const bool push_;
  const std::string db_;
  const Statements statements_;
  ConnectionPool<PgConn> pool_;
  bool have_buffercache_ = false;
  pid_t postmaster_pid_ = 0;
};

}  // namespace

std::unique_ptr<FeedStore> MakePgStore(const PeerConfig& config, bool push) {
  return std::make_unique<PgStore>(config, push);
}

}  // namespace puppies_bench
