// peers_bench: the workload driver of BENCHMARKS.md. It sends one seeded operation stream
// (W1-W5, then W6: 1 and 2 client threads sharing one store) to puppies and to the peers a
// user would pick instead, in repetitions interleaved across peers, checks every peer's
// answers against the stream's, and writes JSON that bench/peers/report.py turns into
// docs/benchmarks.md.
//
// A plain program rather than Google Benchmark: every workload is a fixed stream executed
// once per (repetition, peer) with state carried from one workload to the next (W3 reads
// what W2 wrote), which Benchmark's iteration model fits badly; the latency histograms,
// interleaving and JSON are a few dozen lines each here.

#include <rocksdb/version.h>
#include <sqlite3.h>
#include <sys/utsname.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "adapters.h"
#include "peer_util.h"
#include "runner.h"

namespace puppies_bench {
namespace {

namespace json = boost::json;

constexpr uint64_t kNoPull = std::numeric_limits<uint64_t>::max();

// One store to run: a peer, and for the hybrid sweep the fan-out threshold it runs with.
struct Variant {
  std::string peer;
  std::string label;  // the peer, or "puppies@1000" for a sweep point
  uint64_t threshold = 0;
  std::set<std::string> workloads;
};

std::unique_ptr<FeedStore> MakeStore(const std::string& peer, const PeerConfig& c) {
  if (peer == "puppies") return MakePuppiesStore(c);
  if (peer == "rocksdb") return MakeRocksDbStore(c);
  if (peer == "sqlite") return MakeSqliteStore(c, false);
  if (peer == "sqlite_push") return MakeSqliteStore(c, true);
#ifdef PUPPIES_BENCH_HAVE_REDIS
  if (peer == "redis") return MakeRedisStore(c);
#endif
#ifdef PUPPIES_BENCH_HAVE_PG
  if (peer == "pg_pull") return MakePgStore(c, false);
  if (peer == "pg_push") return MakePgStore(c, true);
#endif
  return nullptr;
}

bool KnownPeer(const std::string& p) {
  for (const char* k :
       {"puppies", "rocksdb", "sqlite", "sqlite_push", "redis", "pg_pull", "pg_push"}) {
    if (p == k) return true;
  }
  return false;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

uint64_t ParseThreshold(const std::string& s) { return s == "inf" ? kNoPull : std::stoull(s); }
std::string ThresholdName(uint64_t t) { return t == kNoPull ? "inf" : std::to_string(t); }

json::object Machine() {
  json::object m;
  std::ifstream cpu("/proc/cpuinfo");
  for (std::string line; std::getline(cpu, line);) {
    if (line.rfind("model name", 0) == 0) {
      m["cpu"] = line.substr(line.find(':') + 2);
      break;
    }
  }
  m["vcpus"] = std::thread::hardware_concurrency();
  std::ifstream mem("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  if (mem >> key >> kb) m["ram_gib"] = kb / 1048576.0;
  utsname u{};
  if (::uname(&u) == 0) m["kernel"] = std::string(u.release);
  m["compiler"] = __VERSION__;
  m["rocksdb"] = std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." +
                 std::to_string(ROCKSDB_PATCH);
  m["sqlite"] = sqlite3_libversion();
  return m;
}

json::object ResultJson(const Result& r, const Variant& v, int rep, bool with_cdf) {
  json::object o;
  o["workload"] = r.workload;
  o["peer"] = v.peer;
  o["variant"] = v.label;
  o["threshold"] = ThresholdName(v.threshold);
  o["rep"] = rep;
  o["ops"] = r.ops;
  o["seconds"] = r.seconds;
  o["ops_per_s"] = r.seconds > 0 ? r.ops / r.seconds : 0;
  const Histogram& h = r.latency;
  o["lat_us"] = {{"mean", h.mean_ns() / 1e3},       {"p50", h.Quantile(0.5) / 1e3},
                 {"p90", h.Quantile(0.9) / 1e3},    {"p99", h.Quantile(0.99) / 1e3},
                 {"p999", h.Quantile(0.999) / 1e3}, {"max", h.max_ns() / 1e3}};
  json::object extra;
  for (const auto& [k, x] : r.extra) extra[k] = x;
  o["extra"] = std::move(extra);
  if (with_cdf && h.count() >= 50) {
    json::array cdf;
    for (const auto& [ns, frac] : h.Cdf()) cdf.push_back({ns / 1e3, frac});
    o["cdf"] = std::move(cdf);
  }
  return o;
}

void Progress(const std::string& line) {
  static const auto start = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "[%7.1fs] %s\n", s, line.c_str());
}

struct Settings {
  std::string preset = "full";
  GraphOptions graph;
  Counts counts;
  double scale = 1;
  std::string peers = "puppies,rocksdb,sqlite";
  std::string sweep = "0,1000,inf";
  std::string sweep_peers = "puppies,rocksdb";
  int sweep_reps = 1;
  std::string workloads = "W1,W2,W3,W4,W5,W6";
  std::string durability = "nosync";
  std::string threshold = "10000";
  uint32_t inbox_cap = 800;
  uint64_t cache_mb = 2048;  // BENCHMARKS.md: the same 2 GiB cache budget for every peer
  int reps = 3;
  uint64_t seed = 20261122;
  std::string json_path;
  std::string work_dir;
  std::string note;
  bool skip_unavailable = false;
  bool keep = false;
};

// The smoke preset: every workload on a small graph, thresholds scaled so the hub and the
// celebrities are still pulled; about a minute for all peers.
void ApplySmoke(CLI::App& app, Settings* s) {
  auto unset = [&](const char* flag) { return app.count(flag) == 0; };
  if (unset("--graph")) s->graph.kind = "smoke";
  if (unset("--hub-followers")) s->graph.hub_followers = 3'000;
  if (unset("--celeb-followers")) s->graph.celeb_followers = 1'500;
  if (unset("--cohort-size")) s->graph.cohort_size = 30;
  if (unset("--fanout-threshold")) s->threshold = "1200";
  if (unset("--sweep")) s->sweep = "0,inf";
  if (unset("--sweep-peers")) s->sweep_peers = "puppies";
  if (unset("--reps")) s->reps = 1;
  if (unset("--cache-mb")) s->cache_mb = 256;
  if (unset("--posts-per-user")) s->counts.posts_per_user = 1;
  if (unset("--w6-seconds")) s->counts.w6_seconds = 0.5;
  Counts& c = s->counts;
  c.celeb_posts = 5;
  c.w1_one = 5'000;
  c.w2a = 50;
  c.w2b = 10;
  c.w2c = 2;
  c.w3a = 1'000;
  c.w3b = 20;
  c.w3c = 200;
  c.w4 = 5'000;
  c.w5 = 5'000;
  c.check_users = 30;
}

int Main(int argc, char** argv) {
  Settings s;
  CLI::App app{"peers_bench: puppies against raw RocksDB, SQLite, Redis and PostgreSQL"};
  app.add_option("--preset", s.preset, "full (Slashdot, 3 reps) or smoke (small, 1 rep)")
      ->check(CLI::IsMember({"full", "smoke"}));
  app.add_option("--graph", s.graph.kind, "slashdot | smoke | powerlaw")
      ->check(CLI::IsMember({"slashdot", "smoke", "powerlaw"}));
  app.add_option("--users", s.graph.users, "powerlaw: users");
  app.add_option("--follows", s.graph.follows, "powerlaw: follows drawn");
  app.add_option("--hub-followers", s.graph.hub_followers, "followers of the synthetic hub");
  app.add_option("--celeb-followers", s.graph.celeb_followers, "followers of each celebrity");
  app.add_option("--cohort-size", s.graph.cohort_size, "readers per W3c cohort");
  app.add_option("--data-dir", s.graph.data_dir, "directory of soc-Slashdot0902.txt.gz");
  app.add_option("--test-data-dir", s.graph.test_data_dir, "directory of facebook_combined.txt.gz");
  app.add_option("--peers", s.peers,
                 "comma list of puppies,rocksdb,sqlite,sqlite_push,redis,pg_pull,pg_push");
  app.add_option("--sweep", s.sweep, "fanout thresholds for the hybrid sweep ('' = none)");
  app.add_option("--sweep-peers", s.sweep_peers, "peers the sweep runs on");
  app.add_option("--sweep-reps", s.sweep_reps, "repetitions of the sweep points (first ones)");
  app.add_option("--workloads", s.workloads, "comma list of W1..W6 (W6: 1 and 2 threads)");
  app.add_option("--durability", s.durability, "nosync (class A) or durable (class B)")
      ->check(CLI::IsMember({"nosync", "durable"}));
  app.add_option("--fanout-threshold", s.threshold, "followers from which authors are pulled");
  app.add_option("--inbox-cap", s.inbox_cap, "entries kept per materialized feed");
  app.add_option("--cache-mb", s.cache_mb, "block cache / page cache budget per peer");
  app.add_option("--reps", s.reps, "repetitions, interleaved across peers");
  app.add_option("--seed", s.seed, "seed of the graph and the operation stream");
  app.add_option("--scale", s.scale, "multiplies every workload's operation count");
  app.add_option("--posts-per-user", s.counts.posts_per_user,
                 "mean W2 fill posts per posting user");
  app.add_option("--post-share", s.counts.post_share, "share of users who post in the W2 fill")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--w6-seconds", s.counts.w6_seconds,
                 "W6: seconds per run of 1 and of 2 threads (default 1; smoke 0.5)")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", s.json_path, "write results here");
  app.add_option("--note", s.note, "free text kept in the JSON (e.g. the source revision)");
  app.add_option("--work-dir", s.work_dir, "data directories of the embedded peers");
  app.add_flag("--skip-unavailable", s.skip_unavailable,
               "skip peers not built in or whose server does not answer");
  app.add_flag("--keep", s.keep, "keep the peers' data directories");
  CLI11_PARSE(app, argc, argv);
  if (s.preset == "smoke") ApplySmoke(app, &s);
  s.counts.Scale(s.scale);
  if (s.graph.data_dir.empty()) s.graph.data_dir = PUPPIES_BENCH_DATA_DIR;
  if (s.graph.test_data_dir.empty()) s.graph.test_data_dir = PUPPIES_TEST_DATA_DIR;
  s.graph.seed = s.seed;

  const uint64_t main_threshold = ParseThreshold(s.threshold);
  std::set<std::string> workloads;
  for (const std::string& w : SplitList(s.workloads)) workloads.insert(w);
  std::vector<Variant> variants;
  const std::vector<std::string> peers = SplitList(s.peers);
  for (const std::string& p : peers) {
    if (!KnownPeer(p)) {
      std::cerr << "unknown peer " << p << "\n";
      return 2;
    }
    variants.push_back({p, p, main_threshold, workloads});
  }
  for (const std::string& p : SplitList(s.sweep_peers)) {
    if (std::find(peers.begin(), peers.end(), p) == peers.end()) continue;
    for (const std::string& t : SplitList(s.sweep)) {
      const uint64_t th = ParseThreshold(t);
      if (th == main_threshold) continue;  // the main run is that sweep point
      variants.push_back({p, p + "@" + ThresholdName(th), th, {"W2", "W3"}});
    }
  }

  const auto started = std::chrono::steady_clock::now();
  Progress("building graph " + s.graph.kind);
  const Graph graph = BuildGraph(s.graph);
  const Plan plan = MakePlan(graph, s.counts, s.seed);
  Progress("graph: " + std::to_string(graph.users) + " users, " +
           std::to_string(graph.edges.size()) + " follows; " + std::to_string(plan.fill.size()) +
           " fill posts");

  std::string work = s.work_dir;
  if (work.empty()) {
    char tmpl[] = "/tmp/peers-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    work = tmpl;
  }

  json::object meta;
  meta["command"] = [&] {
    std::string c;
    for (int i = 0; i < argc; ++i) c += (i ? " " : "") + std::string(argv[i]);
    return c;
  }();
  meta["machine"] = Machine();
  meta["seed"] = s.seed;
  meta["note"] = s.note;
  meta["preset"] = s.preset;
  meta["graph"] = {
      {"kind", s.graph.kind},
      {"description", graph.description},
      {"users", graph.users},
      {"base_users", graph.base_users},
      {"follows", graph.edges.size()},
      {"base_follows", graph.base_edges},
      {"hub_followers", graph.followers[graph.hub]},
      {"celeb_followers", graph.celebs.empty() ? 0 : graph.followers[graph.celebs[0]]}};
  meta["counts"] = {{"w1_one", plan.w1_one.size()},
                    {"w1_bulk", plan.w1_bulk.size()},
                    {"fill_posts", plan.fill.size()},
                    {"w2a", plan.w2a.size()},
                    {"w2b", plan.w2b.size()},
                    {"w2c", plan.w2c.size()},
                    {"w3a", s.counts.w3a},
                    {"w3b_readers", s.counts.w3b},
                    {"w3b_pages", s.counts.w3b_pages},
                    {"w3c", s.counts.w3c},
                    {"w4", s.counts.w4},
                    {"w4_distinct", plan.distinct_likers},
                    {"w5", s.counts.w5},
                    {"w6_seconds", s.counts.w6_seconds},
                    {"check_users", plan.check_users.size()}};
  meta["workloads"] = s.workloads;
  meta["durability"] = s.durability;
  meta["fanout_threshold"] = ThresholdName(main_threshold);
  meta["inbox_cap"] = s.inbox_cap;
  meta["cache_mb"] = s.cache_mb;
  meta["reps"] = s.reps;
  json::array results, problems;
  std::set<std::string> unavailable;

  auto write_json = [&] {
    if (s.json_path.empty()) return;
    meta["elapsed_s"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    json::object doc{{"meta", meta}, {"results", results}, {"problems", problems}};
    std::ofstream out(s.json_path);
    out << json::serialize(doc) << "\n";
  };

  for (int rep = 0; rep < s.reps; ++rep) {
    for (size_t k = 0; k < variants.size(); ++k) {
      // Rotate the order each repetition so no peer always runs first (or last) on the VM.
      const Variant& v = variants[(k + rep) % variants.size()];
      if (unavailable.contains(v.peer)) continue;
      if (v.label != v.peer && rep >= s.sweep_reps) continue;
      PeerConfig config;
      config.dir = work + "/rep" + std::to_string(rep) + "-" + v.label;
      config.durability = s.durability == "durable" ? Durability::kDurable : Durability::kNoSync;
      config.inbox_cap = s.inbox_cap;
      config.fanout_threshold = v.threshold;
      config.cache_bytes = size_t{s.cache_mb} << 20;
      ResetPeakRss();
      std::unique_ptr<FeedStore> store;
      try {
        store = MakeStore(v.peer, config);
        if (!store) throw std::runtime_error(v.peer + ": not built into this peers_bench");
      } catch (const std::exception& e) {
        const std::string msg = std::string("unavailable: ") + e.what();
        Progress(msg);
        if (!s.skip_unavailable) problems.push_back(json::value(msg));
        unavailable.insert(v.peer);
        continue;
      }
      Progress("rep " + std::to_string(rep) + ": " + v.label);
      try {
        const PeerRun run = RunWorkloads(*store, plan, v.workloads, Progress);
        for (const Result& r : run.results) results.push_back(ResultJson(r, v, rep, rep == 0));
        for (const std::string& d : run.divergences) {
          Progress("DIVERGENCE " + v.label + ": " + d);
          problems.push_back(json::value(v.label + " rep " + std::to_string(rep) + ": " + d));
        }
      } catch (const std::exception& e) {
        Progress(std::string("ERROR ") + e.what());
        problems.push_back(json::value(v.label + " rep " + std::to_string(rep) + ": " + e.what()));
      }
      store.reset();
      if (!s.keep) {
        std::error_code ec;
        std::filesystem::remove_all(config.dir, ec);
      }
      write_json();
    }
  }
  if (!s.keep && s.work_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  write_json();
  Progress("done: " + std::to_string(results.size()) + " results, " +
           std::to_string(problems.size()) + " problems");
  for (const auto& p : problems) std::cerr << "problem: " << p.as_string() << "\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace puppies_bench

int main(int argc, char** argv) {
  try {
    return puppies_bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peers_bench: %s\n", e.what());
    return 1;
  }
}
