// A post edge family's invariants: each post-side edge points to a live post, or to a deleted
// one whose clean-up is queued (I3 for likes, I12 for bookmarks), and the family's counter
// equals the post-side edges of its post (I2), in one scan of the post-side keys. Mirrors,
// order keys and endpoints are the graph's checks (graph/graph_check.cc).

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "fsck/view.h"
#include "keys/coding.h"
#include "post_edges/post_edges.h"

namespace puppies::internal {

namespace {
// A deleted post's clean-up job removes its counter: its value is not checked meanwhile.
bool CleanupQueued(const View& v, uint64_t post, CounterKind) {
  return v.pending().purge.contains(post);
}

void CheckPostEdges(const PostEdgeFamily& f, View& v, Scans& scans) {
  struct State {
    State(View* v, const PostEdgeFamily& f)
        : merge(v, f.counter ? KindsOf({*f.counter}) : CounterMerge::Kinds{}, CleanupQueued) {}
    CounterMerge merge;
    std::optional<std::pair<uint64_t, uint64_t>> tally;  // (post, edges)
    void Emit(const View& v, const PostEdgeFamily& f) {
      if (f.counter && tally && !CleanupQueued(v, tally->first, *f.counter))
        merge.Expect(tally->first, *f.counter, tally->second);
    }
  };
  auto st = std::make_shared<State>(&v, f);
  scans.On(Cf::kEdges, [&v, &f, st](std::string_view k, std::string_view value) {
    EdgeKey e;
    uint64_t time;
    if (!EdgeKey::Decode(k, &e) || e.kind != f.post_side || !DecodeBE64(value, &time))
      return std::string();
    if (!st->tally || st->tally->first != e.owner) {
      st->Emit(v, f);
      st->tally.emplace(e.owner, 0);
    }
    ++st->tally->second;
    const std::optional<PostFacts> post = v.Post(e.owner);
    if (!post || (post->deleted && !v.pending().purge.contains(e.owner))) {
      v.report().Mend(e.owner, e.kind, e.other,
                      fmt::format("{}: {} of user {} on missing post {}", f.invariant, f.noun,
                                  e.other, e.owner));
    }
    return std::string();
  });
  scans.Then([&v, &f, st] {
    st->Emit(v, f);
    st->merge.Finish();
  });
}

// InvariantGroup holds a plain function: one instance per family.
template <const PostEdgeFamily& F>
void CheckFamily(View& v, Scans& scans) {
  CheckPostEdges(F, v, scans);
}

template <const PostEdgeFamily& F>
const InvariantGroup* GroupOf() {
  static const InvariantGroup group{
      F.component.data(), F.checks,
      F.counter ? KindsOf({*F.counter}) : CounterMerge::Kinds{}, CheckFamily<F>};
  return &group;
}
}  // namespace

const InvariantGroup* PostEdges::invariants() const {
  return &family_ == &kLikeFamily ? GroupOf<kLikeFamily>() : GroupOf<kBookmarkFamily>();
}

}  // namespace puppies::internal
