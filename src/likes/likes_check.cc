// Likes' invariants: I3 (likes point to live posts, or to deleted ones whose clean-up is
// queued) and the like counters they imply (I2), in one scan of the posts' liker keys.

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "fsck/view.h"
#include "keys/coding.h"
#include "likes/likes.h"

namespace puppies::internal {

namespace {
// A deleted post's clean-up job removes its like counter: its value is not checked meanwhile.
bool CleanupQueued(const View& v, uint64_t post, CounterKind) {
  return v.pending().purge.contains(post);
}
}  // namespace

static void CheckLikes(View& v, Scans& scans) {
  struct State {
    explicit State(View* v) : merge(v, KindsOf({CounterKind::kLikes}), CleanupQueued) {}
    CounterMerge merge;
    std::optional<std::pair<uint64_t, uint64_t>> tally;  // (post, likers)
    void Emit(const View& v) {
      if (tally && !CleanupQueued(v, tally->first, CounterKind::kLikes))
        merge.Expect(tally->first, CounterKind::kLikes, tally->second);
    }
  };
  auto st = std::make_shared<State>(&v);
  scans.On(Cf::kEdges, [&v, st](std::string_view k, std::string_view value) {
    EdgeKey e;
    uint64_t time;
    if (!EdgeKey::Decode(k, &e) || e.kind != EdgeKind::kLiker || !DecodeBE64(value, &time))
      return std::string();
    if (!st->tally || st->tally->first != e.owner) {
      st->Emit(v);
      st->tally.emplace(e.owner, 0);
    }
    ++st->tally->second;
    const std::optional<PostFacts> post = v.Post(e.owner);
    if (!post || (post->deleted && !v.pending().purge.contains(e.owner))) {
      v.report().Mend(e.owner, EdgeKind::kLiker, e.other,
                      fmt::format("I3: like of user {} on missing post {}", e.other, e.owner));
    }
    return std::string();
  });
  scans.Then([&v, st] {
    st->Emit(v);
    st->merge.Finish();
  });
}

const InvariantGroup* Likes::invariants() const {
  static const InvariantGroup group{"likes", "I3, I2 (likes)", KindsOf({CounterKind::kLikes}),
                                    CheckLikes};
  return &group;
}

}  // namespace puppies::internal
