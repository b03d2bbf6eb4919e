// Users' invariants: I7 for user ids and I8 (usernames <-> users is a bijection), in the shared
// scans of the two column families.

#include <fmt/format.h>

#include "fsck/view.h"
#include "keys/coding.h"
#include "util/validation.h"

namespace puppies::internal {

void CheckUsers(View& v, Scans& scans) {
  scans.On(
      Cf::kUsers,
      [&v](std::string_view k, std::string_view value) {
        Report& r = v.report();
        IdKey key;
        UserRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodeUser(value, &rec))
          return std::string("users: undecodable record");
        const uint64_t id = key.id;
        if (id > v.user_hwm()) {
          r.Add({.text = fmt::format("I7: user id {} above high-water mark {}", id, v.user_hwm()),
                 .fix = Fix::kRaiseIdMark,
                 .value = id,
                 .name = std::string(meta_keys::kUserIdHwm)});
        }
        std::string folded = FoldUsername(rec.username);
        if (v.UsernameOwner(folded) != id) {
          r.Add(
              {.text = fmt::format("I8: user {} ('{}') not indexed by username", id, rec.username),
               .fix = Fix::kMendUsername,
               .a = id,
               .name = std::move(folded)});
        }
        return std::string();
      },
      /*owner=*/true);
  scans.On(
      Cf::kUsernames,
      [&v](std::string_view k, std::string_view value) {
        Report& r = v.report();
        uint64_t id;
        if (!DecodeBE64(value, &id)) return fmt::format("usernames: undecodable entry for '{}'", k);
        const std::optional<UserRecord> user = v.User(id);
        if (!user || FoldUsername(user->username) != k) {
          r.Add(
              {.text = fmt::format("I8: username '{}' points to user {} with another name", k, id),
               .fix = Fix::kMendUsername,
               .name = std::string(k)});
        }
        return std::string();
      },
      /*owner=*/true);
}

}  // namespace puppies::internal
