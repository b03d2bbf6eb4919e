// The home feed's invariants: I5 (inbox entries point to live posts of the owner or of
// followed authors), I6 (fan-out is complete above each inbox floor) and I9 for pending
// backfill markers (each names the backfill job that will remove it).

#include <fmt/format.h>

#include "fsck/scanned.h"

namespace puppies::internal {

void CheckHomeFeed(const CheckInput& in, Report* r) {
  const Scanned& d = in.d;
  const PendingWork& p = in.pending;
  for (const auto& [key, entry_author] : d.inbox) {
    // Plain copies, not structured bindings: clang 14 (the fuzz preset) cannot capture those.
    const uint64_t owner = key.first, post = key.second, author = entry_author;
    auto drop = [&](std::string text) {
      r->Add({.text = std::move(text),
              .fix = Fix::kDropInbox,
              .a = owner,
              .b = post,
              .value = author});
    };
    auto it = d.posts.find(post);
    if (it == d.posts.end() || it->second.deleted) {
      if (!p.unpush.contains(post) && !p.unmerge.contains({owner, author}))
        drop(fmt::format("I5: inbox of {} holds missing post {}", owner, post));
      continue;
    }
    if (it->second.author != author) {
      drop(fmt::format("I5: inbox of {} names wrong author for post {}", owner, post));
    } else if (owner != author && !d.HasEdge(EdgeKind::kFollowing, owner, author) &&
               !p.unmerge.contains({owner, author})) {
      drop(fmt::format("I5: inbox of {} holds post {} of unfollowed author {}", owner, post,
                       author));
    }
  }

  auto floor_of = [&](uint64_t owner) {
    auto f = d.floors.find(owner);
    return f == d.floors.end() ? uint64_t{0} : f->second;
  };
  const std::set<Edge>& followers = d.EdgesOf(EdgeKind::kFollower);
  for (const auto& [post, rec] : d.posts) {
    if (rec.deleted || p.fanout.contains(post)) continue;
    if (d.modes.contains(rec.author) || p.repush.contains(rec.author)) continue;  // pulled
    if (post >= floor_of(rec.author) && !d.inbox.contains({rec.author, post})) {
      r->Add({.text = fmt::format("I6: post {} missing from its author's own inbox", post),
              .fix = Fix::kOwnInbox,
              .a = rec.author,
              .b = post});
    }
    for (auto it = followers.lower_bound(Edge{rec.author, 0, INT64_MIN});
         it != followers.end() && it->owner == rec.author; ++it) {
      const uint64_t f = it->other;
      if (post < floor_of(f) || d.pending.contains({f, rec.author})) continue;
      if (!d.inbox.contains({f, post})) {
        r->Add({.text = fmt::format("I6: post {} by {} missing from follower {}'s inbox", post,
                                    rec.author, f),
                .fix = Fix::kBackfill,
                .a = f,
                .b = rec.author});
      }
    }
  }

  for (const auto& [pair, seq] : d.pending) {
    auto it = d.jobs.find(seq);
    if (it == d.jobs.end() || it->second.type != JobType::kBackfill ||
        it->second.reader != pair.first || it->second.author != pair.second) {
      r->Add({.text = fmt::format("I9: pending marker ({}, {}) names no backfill job ({})",
                                  pair.first, pair.second, seq),
              .fix = Fix::kDropPending,
              .a = pair.first,
              .b = pair.second,
              .value = seq});
    }
  }
}

}  // namespace puppies::internal
