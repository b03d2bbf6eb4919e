// Comments' invariants: I11 (every comment record has both list keys, naming its author and
// post; every list key has its record; a comment's post is live, or deleted with its clean-up
// queued; its author is a user), I7 for comment ids, and the comment counters (I2), in the
// shared scans of the edges (list keys) and of the comments.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "comments/comments.h"
#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

std::optional<CommentRecord> ReadComment(View& v, uint64_t id) {
  std::string raw;
  bool found;
  CommentRecord rec;
  v.Fail(v.store()->Get(Cf::kComments, IdKey{id}.Encode(), &raw, &found, &v.snapshot()));
  if (v.failed() || !found || !DecodeComment(raw, &rec)) return std::nullopt;
  return rec;
}

// The finding that makes comment `id`'s record and list keys agree, under `post`'s lock;
// `list_owner` and `list` name the list key it was found from (list empty: the record).
void Mend(PostListCount& count, uint64_t post, uint64_t id, uint64_t list_owner, const char* list,
          std::string text) {
  count.Mend(post, {.text = std::move(text),
                    .fix = &kFixComment,
                    .a = post,
                    .b = id,
                    .value = list_owner,
                    .name = list});
}

// The list keys: each against its record; the post lists' lengths against the counters.
void CheckListKeys(View& v, Scans& scans, const std::shared_ptr<PostListCount>& count) {
  scans.On(Cf::kEdges, [&v, count](std::string_view k, std::string_view value) {
    CommentListKey key;
    uint64_t named;
    if (!CommentListKey::Decode(k, &key)) return std::string();
    if (!DecodeBE64(value, &named)) return std::string("edges: undecodable comment list value");
    const bool of_post = key.tag == kPostCommentTag;
    if (of_post) {
      count->Count(key.owner);
      if (count->Purging(key.owner)) return std::string();
    }
    const std::optional<CommentRecord> rec = ReadComment(v, key.comment);
    const uint64_t author = of_post ? named : key.owner;
    const uint64_t post = of_post ? key.owner : named;
    if (!rec || rec->author != author || rec->post != post) {
      Mend(*count, post, key.comment, key.owner, of_post ? "post" : "user",
           fmt::format("I11: {} list key ({}, comment {}) without a matching comment",
                       of_post ? "post" : "user", key.owner, key.comment));
    }
    return std::string();
  });
}

void CheckRecords(View& v, Scans& scans, const std::shared_ptr<PostListCount>& count) {
  scans.On(
      Cf::kComments,
      [&v, count](std::string_view k, std::string_view value) {
        IdKey key;
        CommentRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodeComment(value, &rec))
          return std::string("comments: undecodable record");
        const uint64_t id = key.id;
        const std::optional<PostFacts> post = v.Post(rec.post);
        const bool purging = count->Purging(rec.post);
        if (!post || (post->deleted && !purging)) {
          Mend(*count, rec.post, id, 0, "",
               fmt::format("I11: comment {} on missing post {}", id, rec.post));
        } else if (!v.UserExists(rec.author)) {
          Mend(*count, rec.post, id, 0, "",
               fmt::format("I11: comment {} by unknown user {}", id, rec.author));
        } else if (!purging &&
                   (v.Be64(Cf::kEdges, CommentListKey::OfPost(rec.post, id).Encode()) !=
                        rec.author ||
                    v.Be64(Cf::kEdges, CommentListKey::OfUser(rec.author, id).Encode()) !=
                        rec.post)) {
          Mend(*count, rec.post, id, 0, "", fmt::format("I11: comment {} missing from a list", id));
        }
        if (id > v.comment_hwm()) {
          v.report().Add({.text = fmt::format("I7: comment id {} above high-water mark {}", id,
                                              v.comment_hwm()),
                          .fix = &kFixIdMark,
                          .value = id,
                          .name = std::string(meta_keys::kCommentIdHwm)});
        }
        return std::string();
      },
      /*owner=*/true);
}

void CheckComments(View& v, Scans& scans) {
  auto count = std::make_shared<PostListCount>(&v, CounterKind::kComments);
  CheckListKeys(v, scans, count);
  CheckRecords(v, scans, count);
  scans.Then([count] { count->Finish(); });
}

// ---- the fix (Repair) -------------------------------------------------------------------------

// Under the post lock of AddComment and DeleteComment: a comment stays when its record names
// this post, the post is live and the author a user, and then gets both list keys; otherwise
// the record and its keys go. A stale list key the finding came from goes too. The post's
// counter is set to its recount in the same batch (a gone post's counter is dropped), so
// Check holds back its own finding on the counter of a post it asks to mend.
Status MendComment(Fixer& fx, const Finding& f) {
  const uint64_t post = f.a, id = f.b;
  WriteOp op(fx.ctx());
  op.LockPost(post);
  CommentRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(fx.comments().Read(id, &rec, &found));
  PostRecord post_rec;
  bool live = false, author_known = false;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(post, &post_rec, &live));
  if (found) PUPPIES_RETURN_IF_ERROR(fx.UserKnown(rec.author, &author_known));
  const bool ours = found && rec.post == post;
  const bool keep = ours && live && author_known;

  Batch& b = op.batch();
  bool changed = false;
  int64_t listed = 0;  // post list keys added (+1) or removed (-1)
  // Makes `key` hold BE(value) when `wanted`, else absent, if it does not already.
  // `post_list`: the key is in the post's list, which the counter counts.
  auto make = [&](const std::string& key, bool post_list, bool wanted, uint64_t value) -> Status {
    std::string raw;
    bool present;
    PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kEdges, key, &raw, &present));
    uint64_t have = 0;
    if (wanted ? present && DecodeBE64(raw, &have) && have == value : !present) {
      return Status::OK();
    }
    changed = true;
    if (wanted) {
      b.Put(Cf::kEdges, key, EncodeBE64(value));
    } else {
      b.Delete(Cf::kEdges, key);
    }
    if (post_list && present != wanted) listed += wanted ? 1 : -1;
    return Status::OK();
  };
  if (ours) {
    PUPPIES_RETURN_IF_ERROR(
        make(CommentListKey::OfPost(post, id).Encode(), true, keep, rec.author));
    PUPPIES_RETURN_IF_ERROR(
        make(CommentListKey::OfUser(rec.author, id).Encode(), false, keep, post));
    if (!keep) {
      b.Delete(Cf::kComments, IdKey{id}.Encode());
      changed = true;
    }
  } else {
    // No record of this post: its list key for the comment is stale.
    PUPPIES_RETURN_IF_ERROR(make(CommentListKey::OfPost(post, id).Encode(), true, false, 0));
  }
  if (std::string_view(f.name) == "user" && !(keep && rec.author == f.value)) {
    PUPPIES_RETURN_IF_ERROR(make(CommentListKey::OfUser(f.value, id).Encode(), false, false, 0));
  }
  if (!changed) return Status::OK();
  PUPPIES_RETURN_IF_ERROR(fx.SetPostListCounter(&b, post, CounterKind::kComments,
                                                CommentListKey::Prefix(post, kPostCommentTag),
                                                listed, live));
  return fx.Commit(op, keep   ? fmt::format("I11: restored the list keys of comment {}", id)
                       : ours ? fmt::format("I11: removed comment {} of post {}", id, post)
                              : fmt::format("I11: removed stale list keys of comment {}", id));
}

}  // namespace

const FixKind kFixComment{"mend comment", 25, false, MendComment};

const InvariantGroup* Comments::invariants() const {
  static const InvariantGroup group{"comments", "I11, I7 (comments), I2 (comments)",
                                    KindsOf({CounterKind::kComments}), CheckComments};
  return &group;
}

}  // namespace puppies::internal
