#pragma once
// Reaching a closed engine's database behind its back, through the engine's own RocksDB
// adapter (so merge operators and column families are exactly the engine's): writing drift
// for the repair tests, and dumping every key and value to prove a call changed nothing.

#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "puppies/puppies.h"
#include "store/store.h"

namespace puppies::testing {

/// Runs `fn(internal::Store&)` on the database at `path`. REQUIRES: no Engine has it open.
template <class Fn>
void WithRawStore(const Options& options, const std::string& path, Fn&& fn) {
  Result<std::unique_ptr<internal::Store>> store = internal::Store::Open(options, path);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  fn(**store);
  REQUIRE((*store)->Close().ok());
}

/// Every key and value of every column family, by (column family, key).
using Dump = std::map<std::pair<int, std::string>, std::string>;

inline Dump DumpAll(internal::Store& store) {
  Dump out;
  for (int cf = 0; cf < static_cast<int>(internal::Cf::kCount); ++cf) {
    const Status s = store.Scan(static_cast<internal::Cf>(cf), "", "",
                                [&](std::string_view k, std::string_view v) {
                                  out.emplace(std::pair{cf, std::string(k)}, std::string(v));
                                  return true;
                                });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  return out;
}

inline Dump DumpAll(const Options& options, const std::string& path) {
  Dump out;
  WithRawStore(options, path, [&](internal::Store& store) { out = DumpAll(store); });
  return out;
}

inline std::string Hex(std::string_view s) {
  std::string out;
  char buf[3];
  for (unsigned char c : s) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

/// The keys added, removed or changed from `before` to `after` (empty when equal).
inline std::string DescribeDumpDiff(const Dump& before, const Dump& after) {
  std::ostringstream os;
  auto name = [](const Dump::key_type& k) {
    return std::string(internal::kCfNames[k.first]) + "/" + Hex(k.second);
  };
  for (const auto& [k, v] : before) {
    auto it = after.find(k);
    if (it == after.end()) {
      os << "\n  removed " << name(k);
    } else if (it->second != v) {
      os << "\n  changed " << name(k) << ": " << Hex(v) << " -> " << Hex(it->second);
    }
  }
  for (const auto& [k, v] : after) {
    if (!before.contains(k)) os << "\n  added " << name(k) << " = " << Hex(v);
  }
  return os.str();
}

}  // namespace puppies::testing
