#include "snap_import.h"

#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "cli_common.h"

namespace puppies::cli {
namespace {

constexpr size_t kImportChunk = 50'000;

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  return s;
}

// Parses a leading unsigned integer of `s` and consumes it.
bool ParseNode(std::string_view* s, uint64_t* out) {
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), *out);
  if (ec != std::errc() || end == s->data()) return false;
  s->remove_prefix(static_cast<size_t>(end - s->data()));
  return true;
}

// Parses "a b" (any blanks around and between). False for anything else.
bool ParseEdge(std::string_view line, uint64_t* a, uint64_t* b) {
  line = TrimLeft(line);
  if (!ParseNode(&line, a) || line.empty() || !IsBlank(line.front())) return false;
  line = TrimLeft(line);
  if (!ParseNode(&line, b)) return false;
  return TrimLeft(line).empty();
}

}  // namespace

SnapEdges ReadSnapFile(const std::string& path) {
  // gzopen reads uncompressed files transparently, so one path serves both.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) {
    throw CommandError{
        Status::IOError(fmt::format("cannot open {}: {}", path, std::strerror(errno)))};
  }
  gzbuffer(file.get(), 1 << 17);

  SnapEdges out;
  std::string line;
  char buf[4096];
  uint64_t line_no = 0;
  while (gzgets(file.get(), buf, sizeof buf) != nullptr) {
    line += buf;
    if (line.back() != '\n' && !gzeof(file.get())) continue;  // a line longer than buf
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    ++line_no;
    std::string_view text = TrimLeft(line);
    if (!text.empty() && text.front() != '#') {
      uint64_t a = 0, b = 0;
      if (!ParseEdge(text, &a, &b)) {
        throw CommandError{
            Status::InvalidArgument(fmt::format("{}:{}: expected two node ids, got '{}'", path,
                                                line_no, std::string_view(line).substr(0, 80)))};
      }
      ++out.edges_read;
      if (a == b) {
        ++out.self_loops;
      } else {
        out.edges.emplace_back(a, b);
      }
    }
    line.clear();
  }
  int err = Z_OK;
  const char* message = gzerror(file.get(), &err);
  if (err < 0) {
    throw CommandError{Status::IOError(message)};  // "<path>: <what went wrong>"
  }
  return out;
}

uint64_t ImportInChunks(Engine& engine, const std::vector<FollowEdge>& edges) {
  uint64_t added = 0;
  std::span<const FollowEdge> rest(edges);
  while (!rest.empty()) {
    const size_t n = std::min(rest.size(), kImportChunk);
    added += Must(engine.ImportFollows(rest.first(n)));
    rest = rest.subspan(n);
  }
  return added;
}

ImportReport ImportSnap(Engine& engine, const std::string& path, bool mutual) {
  ImportReport report;
  Stopwatch watch;
  SnapEdges snap = ReadSnapFile(path);
  report.edges_read = snap.edges_read;
  report.self_loops = snap.self_loops;
  report.read_seconds = watch.Seconds();

  watch.Restart();
  std::vector<uint64_t> nodes;
  nodes.reserve(snap.edges.size() * 2);
  for (const auto& [a, b] : snap.edges) {
    nodes.push_back(a);
    nodes.push_back(b);
  }
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  report.users.reserve(nodes.size());
  for (uint64_t node : nodes) {
    const std::string name = fmt::format("n{}", node);
    Result<UserId> created = engine.CreateUser(name);
    if (created.ok()) {
      report.users.emplace(node, *created);
      ++report.users_created;
    } else if (created.status().IsAlreadyExists()) {
      report.users.emplace(node, Must(engine.FindUser(name)).id);
    } else {
      throw CommandError{created.status()};
    }
  }
  report.users_seconds = watch.Seconds();

  watch.Restart();
  std::vector<FollowEdge> edges;
  edges.reserve(snap.edges.size() * (mutual ? 2 : 1));
  for (const auto& [a, b] : snap.edges) {
    const UserId ua = report.users.at(a), ub = report.users.at(b);
    edges.push_back({ua, ub});
    if (mutual) edges.push_back({ub, ua});
  }
  report.edges_submitted = edges.size();
  report.edges_added = ImportInChunks(engine, edges);
  report.edges_seconds = watch.Seconds();
  return report;
}

void PrintImportReport(const ImportReport& r) {
  fmt::print("nodes:              {} ({} new users, {} users/s)\n", Thousands(r.users.size()),
             Thousands(r.users_created),
             Rate(static_cast<double>(r.users_created), r.users_seconds));
  fmt::print("edges read:         {}\n", Thousands(r.edges_read));
  fmt::print("self-loops skipped: {}\n", Thousands(r.self_loops));
  fmt::print("edges added:        {} of {} submitted ({} edges/s)\n", Thousands(r.edges_added),
             Thousands(r.edges_submitted),
             Rate(static_cast<double>(r.edges_submitted), r.edges_seconds));
  fmt::print("elapsed:            {:.2f} s (read {:.2f} s, users {:.2f} s, edges {:.2f} s)\n",
             r.read_seconds + r.users_seconds + r.edges_seconds, r.read_seconds, r.users_seconds,
             r.edges_seconds);
}

}  // namespace puppies::cli
