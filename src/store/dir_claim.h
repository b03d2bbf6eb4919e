#pragma once
// Which database directories this process has open, identified by what they are (device and
// inode), not by how their path is spelled.
//
// RocksDB's LOCK file is an fcntl lock, and fcntl locks belong to the process: a second
// DB::Open in the same process through another spelling of the path ("d/", "d/.", a symlink)
// takes the lock again, and closing either handle releases it for both. Two engines on one
// directory then corrupt it, and once one has closed, another process can open it too. So
// Store::Open claims the directory here first and RocksDB's lock is taken only once per
// directory per process, for as long as any handle is open.

#include <sys/types.h>

#include <string>

#include "puppies/status.h"

namespace puppies::internal {

class DirClaim {
 public:
  DirClaim() = default;
  // Claims the existing directory at `path` for this process. IOError "locked" when an Engine
  // of this process has it open, IOError when it cannot be examined.
  static Result<DirClaim> Acquire(const std::string& path);
  DirClaim(DirClaim&& o) noexcept;
  DirClaim& operator=(DirClaim&& o) noexcept;
  DirClaim(const DirClaim&) = delete;
  DirClaim& operator=(const DirClaim&) = delete;
  ~DirClaim() { Release(); }
  void Release();

 private:
  DirClaim(dev_t dev, ino_t ino) : held_(true), dev_(dev), ino_(ino) {}
  bool held_ = false;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace puppies::internal
