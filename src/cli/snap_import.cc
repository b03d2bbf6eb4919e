#include "snap_import.h"

#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "cli_common.h"

namespace puppies::cli {
namespace {

constexpr size_t kImportChunk = 50'000;

// A file read line by line, plain or gzip (RFC 1952, one or more members). Unlike gzgets, it
// reports a truncated stream as an error before handing out the partial last line, and data
// after the last member as an error rather than ignoring it.
class LineSource {
 public:
  explicit LineSource(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) {
      throw CommandError{
          Status::IOError(fmt::format("cannot open {}: {}", path, std::strerror(errno)))};
    }
    ReadInput();
    gzip_ = in_len_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b;
    // 15 + 16: a gzip wrapper, not zlib's.
    if (gzip_ && inflateInit2(&z_, 15 + 16) != Z_OK) {
      throw CommandError{Status::Internal("inflateInit2 failed")};
    }
  }
  ~LineSource() {
    if (gzip_) inflateEnd(&z_);
    std::fclose(file_);
  }
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  // The next line without its line ending; false at the end of the data.
  bool Next(std::string* line) {
    line->clear();
    while (true) {
      const size_t nl = pending_.find('\n', pos_);
      if (nl != std::string::npos) {
        line->append(pending_, pos_, nl - pos_);
        pos_ = nl + 1;
        break;
      }
      line->append(pending_, pos_);
      pending_.clear();
      pos_ = 0;
      if (!Decode(&pending_)) {
        if (line->empty()) return false;
        break;
      }
    }
    if (!line->empty() && line->back() == '\r') line->pop_back();
    return true;
  }

 private:
  void ReadInput() {
    in_len_ = std::fread(in_, 1, sizeof in_, file_);
    in_off_ = 0;
    if (in_len_ == 0 && std::ferror(file_)) {
      throw CommandError{Status::IOError(fmt::format("{}: read error", path_))};
    }
    eof_ = in_len_ == 0;
  }

  // Appends more data to *out; false at the end.
  bool Decode(std::string* out) {
    if (!gzip_) {
      if (in_off_ == in_len_) ReadInput();
      if (eof_) return false;
      out->append(reinterpret_cast<const char*>(in_) + in_off_, in_len_ - in_off_);
      in_off_ = in_len_;
      return true;
    }
    char buf[1 << 16];
    while (true) {
      if (in_off_ == in_len_) {
        ReadInput();
        if (eof_) {
          if (member_done_) return false;
          throw CommandError{Status::IOError(fmt::format("{}: unexpected end of file", path_))};
        }
      }
      if (member_done_) {
        // Another member may follow; anything else is not part of the file's data.
        if (in_[in_off_] != 0x1f) {
          throw CommandError{Status::InvalidArgument(fmt::format(
              "{}: data after the end of the gzip stream at byte {}", path_, consumed_))};
        }
        inflateReset(&z_);
        member_done_ = false;
      }
      z_.next_in = in_ + in_off_;
      z_.avail_in = static_cast<uInt>(in_len_ - in_off_);
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      const int ret = inflate(&z_, Z_NO_FLUSH);
      const size_t used = (in_len_ - in_off_) - z_.avail_in;
      in_off_ += used;
      consumed_ += used;
      if (ret == Z_STREAM_END) {
        member_done_ = true;
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        throw CommandError{Status::IOError(
            fmt::format("{}: {}", path_, z_.msg ? z_.msg : "invalid gzip data"))};
      }
      const size_t produced = sizeof buf - z_.avail_out;
      if (produced > 0) {
        out->append(buf, produced);
        return true;
      }
    }
  }

  const std::string path_;
  std::FILE* const file_;
  bool gzip_ = false;
  z_stream z_{};
  unsigned char in_[1 << 17];
  size_t in_len_ = 0, in_off_ = 0;
  uint64_t consumed_ = 0;  // compressed bytes inflated so far
  bool eof_ = false, member_done_ = false;
  std::string pending_;
  size_t pos_ = 0;
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
  auto source = std::make_unique<LineSource>(path);  // 128 KiB of buffer: not on the stack
  SnapEdges out;
  std::string line;
  uint64_t line_no = 0;
  while (source->Next(&line)) {
    ++line_no;
    std::string_view text = TrimLeft(line);
    if (text.empty() || text.front() == '#') continue;
    uint64_t a = 0, b = 0;
    if (!ParseEdge(text, &a, &b)) {
      throw CommandError{Status::InvalidArgument(fmt::format(
          "{}:{}: expected two node ids, got '{}'", path, line_no, Excerpt(line)))};
    }
    ++out.edges_read;
    if (a == b) {
      ++out.self_loops;
    } else {
      out.edges.emplace_back(a, b);
    }
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
