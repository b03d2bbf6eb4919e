#include "store/dir_claim.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

namespace puppies::internal {
namespace {

std::mutex& ClaimsMu() {
  static std::mutex mu;
  return mu;
}
// Guarded by ClaimsMu(). Leaked on purpose: engines may close during static destruction.
std::set<std::pair<dev_t, ino_t>>& Claims() {
  static auto* claims = new std::set<std::pair<dev_t, ino_t>>();
  return *claims;
}

}  // namespace

Result<DirClaim> DirClaim::Acquire(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError(fmt::format("stat {}: {}", path, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) return Status::IOError(fmt::format("{} is not a directory", path));
  std::lock_guard lock(ClaimsMu());
  if (!Claims().emplace(st.st_dev, st.st_ino).second) {
    return Status::IOError(fmt::format(
        "database at {} is locked: another Engine in this process has it open (through this or "
        "another path to the same directory)",
        path));
  }
  return DirClaim(st.st_dev, st.st_ino);
}

DirClaim::DirClaim(DirClaim&& o) noexcept
    : held_(std::exchange(o.held_, false)), dev_(o.dev_), ino_(o.ino_) {}

DirClaim& DirClaim::operator=(DirClaim&& o) noexcept {
  if (this != &o) {
    Release();
    held_ = std::exchange(o.held_, false);
    dev_ = o.dev_;
    ino_ = o.ino_;
  }
  return *this;
}

void DirClaim::Release() {
  if (!held_) return;
  held_ = false;
  std::lock_guard lock(ClaimsMu());
  Claims().erase({dev_, ino_});
}

}  // namespace puppies::internal
