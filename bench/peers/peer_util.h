#pragma once
// Small helpers shared by the embedded adapters and the driver: failing a run, big-endian
// key pieces, and the process/file-system figures the driver reports.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace puppies_bench {

// Errors abort the run (feed_store.h): the message names the peer and the call.
[[noreturn]] inline void Fail(std::string_view peer, std::string_view what) {
  throw std::runtime_error(std::string(peer) + ": " + std::string(what));
}

inline void AppendBE64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

inline uint64_t ReadBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Driver post ids are snowflakes: milliseconds since the epoch << 22 | sequence.
inline uint64_t PostMillis(uint64_t post_id) { return post_id >> 22; }

// Bytes of all regular files below `dir` (0 when it does not exist).
uint64_t DirBytes(const std::string& dir);

// This process's I/O counters from /proc/self/io: bytes handed to write()/pwrite() (wchar)
// and bytes the kernel attributes to it at the block layer (write_bytes).
struct ProcIo {
  uint64_t wchar = 0;
  uint64_t write_bytes = 0;
};
ProcIo ReadProcIo();

// Peak resident set size (VmHWM) of this process in bytes, and resetting it (Linux >= 4.0,
// /proc/self/clear_refs "5") so each peer's peak is its own.
uint64_t PeakRssBytes();
void ResetPeakRss();

// utime + stime in seconds of process `pid` from /proc/<pid>/stat; 0 when unreadable.
double ProcessCpuSeconds(int pid);

}  // namespace puppies_bench
