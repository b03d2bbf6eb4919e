// Posts' invariants: I4 (authored entries match live posts, every live post is authored),
// I7 for live post ids, the author modes in memory mirror the stored ones, and the post
// counters (I2).

#include <fmt/format.h>

#include "fsck/scanned.h"

namespace puppies::internal {

void ExpectPostCounts(const CheckInput& in, ExpectedCounts* want) {
  for (auto [author, post] : in.d.authored)
    ++(*want)[{author, static_cast<uint8_t>(CounterKind::kPosts)}];
}

void CheckPosts(const CheckInput& in, Report* r) {
  const Scanned& d = in.d;
  for (auto [author, post] : d.authored) {
    auto it = d.posts.find(post);
    if (it == d.posts.end() || it->second.deleted || it->second.author != author) {
      r->Add({.text = fmt::format("I4: authored entry ({}, {}) without a live post by that author",
                                  author, post),
              .fix = Fix::kMendAuthored,
              .a = author,
              .b = post});
    }
  }
  for (const auto& [id, rec] : d.posts) {
    if (!d.users.contains(rec.author)) {
      // Repair cannot invent the author.
      r->Add({fmt::format("I4: post {} by unknown user {}", id, rec.author)});
    } else if (!rec.deleted && !d.authored.contains({rec.author, id})) {
      r->Add({.text = fmt::format("I4: post {} missing from its author's timeline", id),
              .fix = Fix::kMendAuthored,
              .a = rec.author,
              .b = id});
    }
  }
  // I7: live post ids below their high-water mark (explicit-time ids are not counted by it).
  for (const auto& [id, rec] : d.posts) {
    if (!(id & kExplicitBit) && id > d.post_hwm) {
      r->Add({.text = fmt::format("I7: post id {} above high-water mark {}", id, d.post_hwm),
              .fix = Fix::kRaiseIdMark,
              .value = id,
              .name = std::string(meta_keys::kPostIdHwm)});
    }
  }
  // Author modes in memory must mirror the stored ones (both read at the snapshot's instant).
  for (const auto& [author, rec] : d.modes) {
    auto it = in.memory_modes.find(author);
    if (it == in.memory_modes.end() || it->second.mode != rec.mode) {
      r->Add({fmt::format("mode of author {} is {} on disk but not in memory", author,
                          static_cast<int>(rec.mode))});
    }
  }
  for (const auto& [author, rec] : in.memory_modes) {
    if (!d.modes.contains(author)) {
      r->Add({fmt::format("mode of author {} is {} in memory but push on disk", author,
                          static_cast<int>(rec.mode))});
    }
  }
}

}  // namespace puppies::internal
