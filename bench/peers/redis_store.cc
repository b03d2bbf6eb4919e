// The Redis peer (BENCHMARKS.md "Redis"): the Mastodon/Twitter design driven over hiredis
// 0.14.1, blocking contexts on TCP 127.0.0.1.
//
// Keys (score = member = post id, a time-ordered snowflake):
//   following:<uid>, followers:<uid>   sets of user ids
//   post:<pid>                          hash: author, ts (ms), body, like_count
//   posts:<uid>                         zset of the author's posts (pull side, backfill)
//   feed:home:<uid>                     zset, the materialized home feed, trimmed to inbox_cap
//   likes:<pid>                         set of user ids
//   celebs                              set of authors that were ever pulled (hybrid)
//
// Pipelining is hiredis' old API: commands are appended to the output buffer and nothing goes
// out until the first reply is read, so "append N, then read N" costs one round trip.
//
// Choices, so the figures can be read:
// * Round trips: a post is 2 (the writes with SCARD + a first SSCAN, then the fan-out, flushed
//   every 4 K commands); a first page is 2 (ZREVRANGEBYSCORE + SINTER of the followees with
//   `celebs`, then HMGET author,ts per item: the columns of the PostgreSQL query), 3 when the
//   reader follows pulled authors (their posts:<uid> pages, merged client-side).
// * Hybrid: an author with >= fanout_threshold followers at post time is not fanned out and
//   joins `celebs` for good, so the posts made while pulled stay visible; the merge drops ids
//   that are both pushed and pulled.
// * Follow copies the followee's newest inbox_cap posts into the reader's feed and Unfollow
//   removes them (Mastodon's merge/unmerge, here synchronous; the unmerge is one Lua script).
// * The constructor FLUSHALLs (one Redis store per server at a time) and sets AOF per the
//   driver's class, whatever servers.sh started the server with.

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdarg>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "adapters.h"
#include "feed_store.h"
#include "peer_util.h"
#include "server_common.h"

namespace puppies_bench {
namespace {

// Twitter flushed its fan-out pipeline every 4 K destinations; 4 K commands = 2 K followers
// (ZADD + trim each) keeps the reply buffers on both sides in the hundreds of KB.
constexpr size_t kFlushCommands = 4096;
// Big follower sets are read in SSCAN pages of about this many ids, so neither side builds a
// multi-megabyte reply.
constexpr uint64_t kScanCount = kFlushCommands / 2;
constexpr uint64_t kFirstScanCount = 16;

// Sorted-set scores are IEEE doubles. A post id with more than 53 significant bits would share
// its score with its neighbours and "(cursor" paging would skip them. The driver's snowflakes
// (ms << 22, sequence 0) have about 41, so they are exact.
bool ExactAsScore(uint64_t id) { return static_cast<uint64_t>(static_cast<double>(id)) == id; }

// SADD then HINCRBY only if the like was new, atomically (BENCHMARKS.md "Like").
// KEYS: likes:<pid>, post:<pid>; ARGV: user id. Returns 1 when the like was new.
constexpr const char* kLikeScript =
    "if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then "
    "  redis.call('HINCRBY', KEYS[2], 'like_count', 1) return 1 "
    "end return 0";

// Mastodon's unmerge on unfollow: drop the unfollowed author's posts that are newer than the
// oldest entry of the reader's feed (older ones were trimmed already). unpack() is bounded by
// Lua's C stack, hence the chunks. KEYS: feed:home:<reader>, posts:<author>.
constexpr const char* kUnmergeScript =
    "local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') "
    "if #oldest == 0 then return 0 end "
    "local ids = redis.call('ZRANGEBYSCORE', KEYS[2], oldest[2], '+inf') "
    "local removed = 0 "
    "for i = 1, #ids, 1000 do "
    "  removed = removed + redis.call('ZREM', KEYS[1], unpack(ids, i, math.min(i + 999, #ids))) "
    "end return removed";

constexpr std::string_view kPeer = "redis";

// hiredis formats numbers with printf conversions: %llu takes exactly this type.
constexpr unsigned long long Ull(uint64_t v) { return v; }

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

uint64_t ParseU64(const char* s, size_t len) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s, s + len, v);
  if (ec != std::errc() || end != s + len) Fail(kPeer, "not an id: " + std::string(s, len));
  return v;
}

uint64_t ReplyU64(const redisReply& r) {
  if (r.type == REDIS_REPLY_INTEGER) return static_cast<uint64_t>(r.integer);
  if (r.type == REDIS_REPLY_NIL) return 0;
  if (r.type == REDIS_REPLY_STRING) return ParseU64(r.str, r.len);
  Fail(kPeer, "unexpected reply type " + std::to_string(r.type));
}

// The value of `field` in an INFO reply ("field:value\r\n" lines).
std::string InfoField(const redisReply& info, std::string_view field) {
  std::string_view text(info.str, info.len);
  std::string needle(1, '\n');
  needle.append(field).append(1, ':');
  size_t at = text.find(needle);
  if (at == std::string_view::npos) Fail(kPeer, "INFO has no " + std::string(field));
  at += needle.size();
  return std::string(text.substr(at, text.find('\r', at) - at));
}

class RedisConn {
 public:
  RedisConn(const std::string& host, int port)
      : ctx_(redisConnectWithTimeout(host.c_str(), port, timeval{10, 0})) {
    if (ctx_ == nullptr || ctx_->err != 0) {
      std::string why = ctx_ != nullptr ? ctx_->errstr : "out of memory";
      redisFree(ctx_);
      Fail(kPeer, "connect " + host + ":" + std::to_string(port) + ": " + why);
    }
  }
  ~RedisConn() { redisFree(ctx_); }
  RedisConn(const RedisConn&) = delete;
  RedisConn& operator=(const RedisConn&) = delete;

  // Queues one command (hiredis format: %s, %b for binary, printf conversions); it is sent
  // with the next read.
  void Append(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int rc = redisvAppendCommand(ctx_, format, ap);
    va_end(ap);
    Queued(rc);
  }
  void AppendArgv(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    Queued(redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  }

  // The reply to the oldest queued command.
  Reply Next() {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK) Fail(kPeer, ctx_->errstr);
    --pending_;
    Reply reply(static_cast<redisReply*>(raw));
    if (reply->type == REDIS_REPLY_ERROR) Fail(kPeer, std::string(reply->str, reply->len));
    return reply;
  }

  // Reads every queued reply and returns the last one (null when nothing was queued).
  Reply Drain() {
    Reply last;
    while (pending_ > 0) last = Next();
    return last;
  }
  void DrainIfFull() {
    if (pending_ >= kFlushCommands) Drain();
  }

  // One command, after whatever was queued.
  template <class... Args>
  Reply Command(const char* format, Args... args) {
    Append(format, args...);
    return Drain();
  }

 private:
  void Queued(int rc) {
    if (rc != REDIS_OK) Fail(kPeer, ctx_->errstr);
    ++pending_;
  }

  redisContext* ctx_;
  size_t pending_ = 0;
};

class RedisStore final : public FeedStore {
 public:
  explicit RedisStore(const PeerConfig& config)
      : config_(config),
        port_(config.port != 0 ? config.port : std::stoi(EnvOr("REDIS_PORT", "6379"))),
        pool_([this] { return std::make_unique<RedisConn>(config_.host, port_); }) {
    auto conn = pool_.Acquire();
    // feed_store.h: every store starts empty. One Redis store per server at a time.
    conn->Command("FLUSHALL");
    // The driver's class wins over the server's start-up default (servers.sh).
    if (durable()) {
      conn->Command("CONFIG SET appendfsync always");
      conn->Command("CONFIG SET appendonly yes");
    } else {
      conn->Command("CONFIG SET appendonly no");
    }
    WaitForRewrite(*conn);
    like_sha_ = LoadScript(*conn, kLikeScript);
    unmerge_sha_ = LoadScript(*conn, kUnmergeScript);
    server_pid_ =
        static_cast<pid_t>(std::stol(InfoField(*conn->Command("INFO server"), "process_id")));
    Reply dir = conn->Command("CONFIG GET dir");
    data_dir_.assign(dir->element[1]->str, dir->element[1]->len);
  }

  std::string name() const override { return std::string(kPeer); }
  // Each call leases its own connection (ConnectionPool); a like is one Lua script.
  bool thread_safe() const override { return true; }

  // Users are implicit in this layout: they exist through their keys.
  void CreateUsers(uint64_t) override {}

  // Graph only (the dataset load, before any post): no backfill.
  void BulkFollow(std::span<const std::pair<uint64_t, uint64_t>> edges) override {
    auto conn = pool_.Acquire();
    for (const auto& [follower, followee] : edges) {
      conn->Append("SADD following:%llu %llu", Ull(follower), Ull(followee));
      conn->Append("SADD followers:%llu %llu", Ull(followee), Ull(follower));
      conn->DrainIfFull();
    }
    conn->Drain();
  }

  // Mastodon's merge: a new follow copies the followee's newest posts into the reader's feed
  // (pulled authors are read at page time instead).
  void Follow(uint64_t follower, uint64_t followee) override {
    auto conn = pool_.Acquire();
    conn->Append("SADD following:%llu %llu", Ull(follower), Ull(followee));
    conn->Append("SADD followers:%llu %llu", Ull(followee), Ull(follower));
    conn->Append("SISMEMBER celebs %llu", Ull(followee));
    conn->Append("ZREVRANGE posts:%llu 0 %llu", Ull(followee), Ull(config_.inbox_cap - 1));
    bool added = conn->Next()->integer == 1;
    conn->Next();
    bool pulled = conn->Next()->integer == 1;
    Reply posts = conn->Next();
    if (!added || pulled || posts->elements == 0) return;
    std::vector<std::string> zadd = {"ZADD", "feed:home:" + std::to_string(follower)};
    for (size_t i = 0; i < posts->elements; ++i) {
      std::string id(posts->element[i]->str, posts->element[i]->len);
      zadd.push_back(id);
      zadd.push_back(std::move(id));
    }
    conn->AppendArgv(zadd);
    AppendTrim(*conn, follower);
    conn->Drain();
  }

  void Unfollow(uint64_t follower, uint64_t followee) override {
    auto conn = pool_.Acquire();
    conn->Append("SREM following:%llu %llu", Ull(follower), Ull(followee));
    conn->Append("SREM followers:%llu %llu", Ull(followee), Ull(follower));
    conn->Append("EVALSHA %s 2 feed:home:%llu posts:%llu", unmerge_sha_.c_str(), Ull(follower),
                 Ull(followee));
    conn->Drain();
  }

  void Post(uint64_t author, uint64_t post_id, std::string_view body) override {
    if (!ExactAsScore(post_id)) {
      Fail(kPeer, "post id " + std::to_string(post_id) + " is not exact as a zset score");
    }
    auto conn = pool_.Acquire();
    // The follower list comes in the same round trip as the writes: an intset-encoded set
    // (<= 512 integer members) is returned whole by its first SSCAN whatever COUNT says, and
    // for a pulled author the small COUNT wastes little.
    conn->Append("SCARD followers:%llu", Ull(author));
    AppendScan(*conn, author, "0", kFirstScanCount);
    conn->Append("HSET post:%llu author %llu ts %llu body %b like_count 0", Ull(post_id),
                 Ull(author), Ull(post_id >> 22), body.data(), body.size());
    conn->Append("ZADD posts:%llu %llu %llu", Ull(author), Ull(post_id), Ull(post_id));
    AppendInboxInsert(*conn, author, post_id);
    uint64_t followers = ReplyU64(*conn->Next());
    Reply first = conn->Next();
    conn->Drain();
    if (followers >= config_.fanout_threshold) {
      conn->Command("SADD celebs %llu", Ull(author));
      return;
    }
    ScanFollowers(*conn, author, followers, std::move(first), [&](const redisReply& chunk) {
      for (size_t i = 0; i < chunk.elements; ++i) {
        AppendInboxInsert(*conn, ParseU64(chunk.element[i]->str, chunk.element[i]->len), post_id);
        conn->DrainIfFull();
      }
    });
    conn->Drain();
  }

  FeedPage Home(uint64_t user, uint32_t limit, uint64_t cursor) override {
    auto conn = pool_.Acquire();
    std::string max = "+inf";
    if (cursor != 0) max.assign("(").append(std::to_string(cursor));
    conn->Append("ZREVRANGEBYSCORE feed:home:%llu %s -inf LIMIT 0 %u", Ull(user), max.c_str(),
                 limit);
    if (pulls()) conn->Append("SINTER following:%llu celebs", Ull(user));
    FeedPage page;
    Reply inbox = conn->Next();
    for (size_t i = 0; i < inbox->elements; ++i) {
      page.items.push_back({ParseU64(inbox->element[i]->str, inbox->element[i]->len), 0});
    }
    if (pulls()) MergePulled(*conn, *conn->Next(), max, limit, &page.items);
    for (const FeedItem& item : page.items) {
      conn->Append("HMGET post:%llu author ts", Ull(item.post_id));
    }
    for (FeedItem& item : page.items) item.author_id = ReplyU64(*conn->Next()->element[0]);
    page.next_cursor = page.items.size() == limit ? page.items.back().post_id : 0;
    return page;
  }

  bool Like(uint64_t post_id, uint64_t user) override {
    auto conn = pool_.Acquire();
    return conn->Command("EVALSHA %s 2 likes:%llu post:%llu %llu", like_sha_.c_str(), Ull(post_id),
                         Ull(post_id), Ull(user))
               ->integer == 1;
  }

  uint64_t LikeCount(uint64_t post_id) override {
    auto conn = pool_.Acquire();
    return ReplyU64(*conn->Command("HGET post:%llu like_count", Ull(post_id)));
  }

  std::vector<uint64_t> Followers(uint64_t user, uint32_t limit) override {
    std::vector<uint64_t> out;
    if (limit == 0) return out;
    auto conn = pool_.Acquire();
    AppendScan(*conn, user, "0", std::min<uint64_t>(limit, kScanCount));
    ScanFollowers(*conn, user, limit, conn->Drain(), [&](const redisReply& chunk) {
      for (size_t i = 0; i < chunk.elements && out.size() < limit; ++i) {
        out.push_back(ParseU64(chunk.element[i]->str, chunk.element[i]->len));
      }
    });
    return out;
  }

  uint64_t FollowerCount(uint64_t user) override {
    auto conn = pool_.Acquire();
    return ReplyU64(*conn->Command("SCARD followers:%llu", Ull(user)));
  }

  // Redis has nothing to compact; with AOF on, the rewrite makes the file hold the data set
  // once instead of its history of commands.
  void Settle() override {
    if (!durable()) return;
    auto conn = pool_.Acquire();
    WaitForRewrite(*conn);
    conn->Command("BGREWRITEAOF");
    WaitForRewrite(*conn);
  }

  PeerFigures Figures() override {
    auto conn = pool_.Acquire();
    PeerFigures f;
    f.memory_bytes = std::stoull(InfoField(*conn->Command("INFO memory"), "used_memory"));
    f.server_cpu_seconds = ServerCpuSeconds(server_pid_);
    f.bytes_on_disk = DirBytes(data_dir_);
    return f;
  }

 private:
  bool durable() const { return config_.durability == Durability::kDurable; }
  bool pulls() const { return config_.fanout_threshold != std::numeric_limits<uint64_t>::max(); }

  // Mastodon trims with every insert (FeedManager#add_to_feed).
  void AppendTrim(RedisConn& conn, uint64_t owner) {
    conn.Append("ZREMRANGEBYRANK feed:home:%llu 0 -%llu", Ull(owner), Ull(config_.inbox_cap) + 1);
  }
  void AppendInboxInsert(RedisConn& conn, uint64_t owner, uint64_t post_id) {
    conn.Append("ZADD feed:home:%llu %llu %llu", Ull(owner), Ull(post_id), Ull(post_id));
    AppendTrim(conn, owner);
  }

  void AppendScan(RedisConn& conn, uint64_t user, std::string_view cursor, uint64_t count) {
    conn.Append("SSCAN followers:%llu %b COUNT %llu", Ull(user), cursor.data(), cursor.size(),
                Ull(count));
  }

  // Calls `chunk` with the members of SSCAN pages of followers:<user>, starting with the reply
  // `page` to a first SSCAN, until the set is exhausted or `want` ids were seen. SSCAN may
  // repeat a member across pages; the callers are idempotent (ZADD of the same id) or want
  // only a prefix.
  template <class Fn>
  void ScanFollowers(RedisConn& conn, uint64_t user, uint64_t want, Reply page, Fn&& chunk) {
    for (uint64_t seen = 0;;) {
      chunk(*page->element[1]);
      seen += page->element[1]->elements;
      std::string cursor(page->element[0]->str, page->element[0]->len);
      if (cursor == "0" || seen >= want) return;
      AppendScan(conn, user, cursor, kScanCount);
      page = conn.Drain();
    }
  }

  // The hybrid read: the reader's pulled followees' newest posts below the cursor, merged into
  // the inbox candidates (an author pushed before being pulled can be in both: dedup by id).
  void MergePulled(RedisConn& conn, const redisReply& celebs, const std::string& max,
                   uint32_t limit, std::vector<FeedItem>* items) {
    if (celebs.elements == 0) return;
    std::vector<uint64_t> authors;
    for (size_t i = 0; i < celebs.elements; ++i) {
      authors.push_back(ParseU64(celebs.element[i]->str, celebs.element[i]->len));
      conn.Append("ZREVRANGEBYSCORE posts:%llu %s -inf LIMIT 0 %u", Ull(authors.back()),
                  max.c_str(), limit);
    }
    for (uint64_t author : authors) {
      Reply posts = conn.Next();
      for (size_t i = 0; i < posts->elements; ++i) {
        items->push_back({ParseU64(posts->element[i]->str, posts->element[i]->len), author});
      }
    }
    std::sort(items->begin(), items->end(),
              [](const FeedItem& a, const FeedItem& b) { return a.post_id > b.post_id; });
    items->erase(
        std::unique(items->begin(), items->end(),
                    [](const FeedItem& a, const FeedItem& b) { return a.post_id == b.post_id; }),
        items->end());
    if (items->size() > limit) items->resize(limit);
  }

  std::string LoadScript(RedisConn& conn, const char* script) {
    Reply sha = conn.Command("SCRIPT LOAD %s", script);
    return std::string(sha->str, sha->len);
  }

  // Turning AOF on, or BGREWRITEAOF, runs a rewrite in a forked child; Settle and the
  // constructor return only once the file on disk is the steady-state one.
  void WaitForRewrite(RedisConn& conn) {
    for (;;) {
      Reply info = conn.Command("INFO persistence");
      if (InfoField(*info, "aof_rewrite_in_progress") == "0" &&
          InfoField(*info, "aof_rewrite_scheduled") == "0") {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  const PeerConfig config_;
  const int port_;
  ConnectionPool<RedisConn> pool_;
  std::string like_sha_, unmerge_sha_;
  pid_t server_pid_ = 0;
  std::string data_dir_;
};

}  // namespace

std::unique_ptr<FeedStore> MakeRedisStore(const PeerConfig& config) {
  return std::make_unique<RedisStore>(config);
}

}  // namespace puppies_bench
