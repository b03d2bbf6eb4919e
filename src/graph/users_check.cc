// Users' invariants: I7 for user ids and I8 (usernames <-> users is a bijection).

#include <fmt/format.h>

#include "fsck/scanned.h"
#include "util/validation.h"

namespace puppies::internal {

void CheckUsers(const CheckInput& in, Report* r) {
  const Scanned& d = in.d;
  for (const auto& [id, rec] : d.users) {
    if (id > d.user_hwm) {
      r->Add({.text = fmt::format("I7: user id {} above high-water mark {}", id, d.user_hwm),
              .fix = Fix::kRaiseIdMark,
              .value = id,
              .name = std::string(meta_keys::kUserIdHwm)});
    }
  }
  for (const auto& [id, rec] : d.users) {
    std::string folded = FoldUsername(rec.username);
    auto it = d.usernames.find(folded);
    if (it == d.usernames.end() || it->second != id) {
      r->Add({.text = fmt::format("I8: user {} ('{}') not indexed by username", id, rec.username),
              .fix = Fix::kMendUsername,
              .a = id,
              .name = std::move(folded)});
    }
  }
  for (const auto& [name, id] : d.usernames) {
    auto it = d.users.find(id);
    if (it == d.users.end() || FoldUsername(it->second.username) != name) {
      r->Add(
          {.text = fmt::format("I8: username '{}' points to user {} with another name", name, id),
           .fix = Fix::kMendUsername,
           .name = name});
    }
  }
}

}  // namespace puppies::internal
