#pragma once
// Import of SNAP edge lists (https://snap.stanford.edu/data/): one "a b" pair a line,
// tab or space separated, '#' comment lines, plain or gzip-compressed. "a b" means a follows b.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "puppies/puppies.h"

namespace puppies::cli {

/// Edges of a SNAP file, in file order. Self-loops are dropped and counted.
struct SnapEdges {
  std::vector<std::pair<uint64_t, uint64_t>> edges;
  uint64_t edges_read = 0;  ///< Edge lines, self-loops included.
  uint64_t self_loops = 0;
};

/// Reads a SNAP edge list; gzip is detected from the content. Throws CommandError with
/// IOError (unreadable file) or InvalidArgument (a malformed line, naming it).
SnapEdges ReadSnapFile(const std::string& path);

/// What ImportSnap did and how long each step took.
struct ImportReport {
  /// SNAP node id -> user "n<id>".
  std::unordered_map<uint64_t, UserId> users;
  uint64_t users_created = 0;  ///< The rest already existed.
  uint64_t edges_read = 0;
  uint64_t self_loops = 0;
  uint64_t edges_submitted = 0;  ///< Passed to ImportFollows (twice the edges with mutual).
  uint64_t edges_added = 0;      ///< New follow edges.
  double read_seconds = 0;
  double users_seconds = 0;
  double edges_seconds = 0;
};

/// Reads `path`, creates a user "n<id>" for every node that has none yet (in node-id order),
/// then loads the edges with Engine::ImportFollows in chunks of 50'000. With `mutual`, each
/// line is a follow in both directions (for undirected graphs). Throws CommandError.
ImportReport ImportSnap(Engine& engine, const std::string& path, bool mutual);

/// Loads `edges` with Engine::ImportFollows in chunks of 50'000; returns the new edges.
uint64_t ImportInChunks(Engine& engine, const std::vector<FollowEdge>& edges);

/// Prints the import figures, one per line.
void PrintImportReport(const ImportReport& report);

}  // namespace puppies::cli
