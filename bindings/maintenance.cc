// Engine methods: wait_idle, check, repair and stats (engine.h, "Maintenance").

#include "common.h"

namespace puppies_python {
namespace {

py::dict StatsToDict(const pp::Stats& s) {
  py::dict d;
  d["operations"] = py::cast(s.operations);
  py::dict latency;
  for (const auto& [op, l] : s.latency) {
    py::dict one;
    one["count"] = l.count;
    one["p50_us"] = l.p50_us;
    one["p99_us"] = l.p99_us;
    one["p999_us"] = l.p999_us;
    one["max_us"] = l.max_us;
    latency[py::str(op)] = one;
  }
  d["latency"] = latency;
  d["pending_jobs"] = s.pending_jobs;
  d["completed_jobs"] = s.completed_jobs;
  d["fanout_entries"] = s.fanout_entries;
  d["feed_inbox_pages"] = s.feed_inbox_pages;
  d["feed_pull_pages"] = s.feed_pull_pages;
  d["pulled_authors"] = s.pulled_authors;
  d["object_cache_hits"] = s.object_cache_hits;
  d["object_cache_misses"] = s.object_cache_misses;
  d["object_cache_bytes"] = s.object_cache_bytes;
  d["rocksdb"] = py::cast(s.rocksdb);
  return d;
}

}  // namespace

void BindMaintenance(py::class_<PyEngine>& engine) {
  engine
      .def(
          "wait_idle", [](PyEngine& self) { self.Run([](pp::Engine& e) { return e.WaitIdle(); }); },
          Guard(), "Blocks until background work queued before the call has finished.")
      .def(
          "check", [](PyEngine& self) { return self.Run([](pp::Engine& e) { return e.Check(); }); },
          Guard(), "One line per storage invariant violation; empty when consistent.")
      .def(
          "repair",
          [](PyEngine& self) { return self.Run([](pp::Engine& e) { return e.Repair(); }); },
          Guard(),
          "Fixes what check() finds where the database allows it; one line per fix, empty when\n"
          "nothing needed fixing. Raises CorruptionError, changing nothing, on damaged storage.")
      .def(
          "compact", [](PyEngine& self) { self.Run([](pp::Engine& e) { return e.Compact(); }); },
          Guard(),
          "Writes the memtables out and compacts all data into one sorted run per column\n"
          "family (after a bulk load or a mass delete); returns when done.")
      .def(
          "stats",
          [](PyEngine& self) {
            pp::Stats stats;
            {
              py::gil_scoped_release release;
              stats = self.Run([](pp::Engine& e) { return e.GetStats(); });
            }
            return StatsToDict(stats);
          },
          "Operation counts, queue depth and RocksDB figures.");
}

}  // namespace puppies_python
