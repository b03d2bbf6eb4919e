// Posts' invariants: I4 (authored entries match live posts, every live post is authored),
// I7 for live post ids and the post counters (I2), in the shared scans of the edges (authored
// keys) and of the posts.

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "posts/posts.h"

namespace puppies::internal {

namespace {

// I4 from the authored side, and the post counters, in the shared scan of the edges.
void CheckAuthored(View& v, Scans& scans) {
  struct State {
    explicit State(View* v) : merge(v, KindsOf({CounterKind::kPosts})) {}
    CounterMerge merge;
    std::optional<std::pair<uint64_t, uint64_t>> tally;  // (author, posts)
    void Emit() {
      if (tally) merge.Expect(tally->first, CounterKind::kPosts, tally->second);
    }
  };
  auto st = std::make_shared<State>(&v);
  scans.On(Cf::kEdges, [&v, st](std::string_view k, std::string_view) {
    AuthoredKey a;
    if (!AuthoredKey::Decode(k, &a)) return std::string();
    if (!st->tally || st->tally->first != a.author) {
      st->Emit();
      st->tally.emplace(a.author, 0);
    }
    ++st->tally->second;
    const std::optional<PostFacts> post = v.Post(a.post);
    if (!post || post->deleted || post->author != a.author) {
      v.report().Add(
          {.text = fmt::format("I4: authored entry ({}, {}) without a live post by that author",
                               a.author, a.post),
           .fix = &kFixAuthored,
           .a = a.author,
           .b = a.post});
    }
    return std::string();
  });
  scans.Then([st] {
    st->Emit();
    st->merge.Finish();
  });
}

void CheckPostRecords(View& v, Scans& scans) {
  scans.On(
      Cf::kPosts,
      [&v](std::string_view k, std::string_view value) {
        Report& r = v.report();
        IdKey key;
        PostRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodePost(value, &rec))
          return std::string("posts: undecodable record");
        const uint64_t id = key.id;
        if (!v.UserExists(rec.author)) {
          // Repair cannot invent the author.
          r.Add({fmt::format("I4: post {} by unknown user {}", id, rec.author)});
        } else if (!rec.deleted && !v.Has(Cf::kEdges, AuthoredKey{rec.author, id}.Encode())) {
          r.Add({.text = fmt::format("I4: post {} missing from its author's timeline", id),
                 .fix = &kFixAuthored,
                 .a = rec.author,
                 .b = id});
        }
        // I7: live post ids below their high-water mark (explicit-time ids are not counted by it).
        if (!(id & kExplicitBit) && id > v.post_hwm()) {
          r.Add({.text = fmt::format("I7: post id {} above high-water mark {}", id, v.post_hwm()),
                 .fix = &kFixIdMark,
                 .value = id,
                 .name = std::string(meta_keys::kPostIdHwm)});
        }
        return std::string();
      },
      /*owner=*/true);
}

}  // namespace

static void CheckPosts(View& v, Scans& scans) {
  CheckAuthored(v, scans);
  CheckPostRecords(v, scans);
}

// ---- fixes (Repair) ---------------------------------------------------------------------------

namespace {

// The authored entry exists exactly when the post is live and by that author, under the
// locks of CreatePost (author) and DeletePost (post), in that order.
Status MendAuthored(Fixer& fx, const Finding& f) {
  const uint64_t author = f.a, post = f.b;
  WriteOp op(fx.ctx());
  op.LockAuthor(author);
  op.LockPost(post);
  PostRecord rec;
  bool live, listed;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(post, &rec, &live));
  const bool want = live && rec.author == author;
  const std::string key = AuthoredKey{author, post}.Encode();
  PUPPIES_RETURN_IF_ERROR(fx.store().Exists(Cf::kEdges, key, &listed));
  if (want == listed) return Status::OK();
  Batch& b = op.batch();
  if (want) {
    b.Put(Cf::kEdges, key, "");
  } else {
    b.Delete(Cf::kEdges, key);
  }
  b.AddCounter(CounterKey{author, CounterKind::kPosts}.Encode(), want ? 1 : -1);
  return fx.Commit(op,
                   want ? fmt::format("I4: restored post {} on the timeline of {}", post, author)
                        : fmt::format("I4: removed post {} from the timeline of {}", post, author));
}

}  // namespace

const FixKind kFixAuthored{"mend authored entry", 40, false, MendAuthored};

const InvariantGroup* Posts::invariants() const {
  static const InvariantGroup group{"posts", "I4, I7 (posts), I2 (posts)",
                                    KindsOf({CounterKind::kPosts}), CheckPosts};
  return &group;
}

}  // namespace puppies::internal
