// Replies' invariant I13 (a reply key names a live reply of its live parent, by the reply's
// author; every live reply of a live parent has its key) and the reply counters (I2), in the
// shared scans of the edges (reply keys) and of the posts.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "replies/replies.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

bool Live(const std::optional<PostFacts>& p) { return p && !p->deleted; }

// The finding that makes reply `reply`'s key in `parent`'s list agree with both posts.
Finding MendFinding(uint64_t parent, uint64_t reply, std::string text) {
  return {.text = std::move(text), .fix = &kFixReply, .a = parent, .b = reply};
}

// The reply keys: each against its reply and parent; the lists' lengths against the counters.
void CheckReplyKeys(View& v, Scans& scans, const std::shared_ptr<PostListCount>& count) {
  scans.On(Cf::kEdges, [&v, count](std::string_view k, std::string_view value) {
    ReplyKey key;
    uint64_t author;
    if (!ReplyKey::Decode(k, &key)) return std::string();
    if (!DecodeBE64(value, &author)) return std::string("edges: undecodable reply key value");
    count->Count(key.parent);
    if (count->Purging(key.parent)) return std::string();
    const std::optional<PostFacts> reply = v.Post(key.reply);
    if (!Live(v.Post(key.parent)) || !Live(reply) || reply->reply_to != key.parent ||
        reply->author != author) {
      count->Mend(key.parent,
                  MendFinding(key.parent, key.reply,
                              fmt::format("I13: reply key ({}, {}) without a live reply by {} of a "
                                          "live post",
                                          key.parent, key.reply, author)));
    }
    return std::string();
  });
}

// Every live reply of a live parent is in the parent's list.
void CheckReplyRecords(View& v, Scans& scans, const std::shared_ptr<PostListCount>& count) {
  scans.On(Cf::kPosts, [&v, count](std::string_view k, std::string_view value) {
    IdKey key;
    PostRecord rec;
    // The posts' own check reports what does not decode.
    if (!IdKey::Decode(k, &key) || !DecodePost(value, &rec)) return std::string();
    if (rec.deleted || rec.reply_to == 0 || !Live(v.Post(rec.reply_to))) return std::string();
    if (v.Be64(Cf::kEdges, ReplyKey{rec.reply_to, key.id}.Encode()) != rec.author) {
      count->Mend(rec.reply_to,
                  MendFinding(rec.reply_to, key.id,
                              fmt::format("I13: reply {} missing from the replies of post {}",
                                          key.id, rec.reply_to)));
    }
    return std::string();
  });
}

void CheckReplies(View& v, Scans& scans) {
  auto count = std::make_shared<PostListCount>(&v, CounterKind::kReplies);
  CheckReplyKeys(v, scans, count);
  CheckReplyRecords(v, scans, count);
  scans.Then([count] { count->Finish(); });
}

// ---- the fix (Repair) -------------------------------------------------------------------------

// Under the locks of a reply's creation (its parent's) and deletion (its own and its parent's):
// the key is there, naming the reply's author, exactly when the reply is live and answers the
// live parent. The parent's counter is set to its recount in the same batch (a gone parent's
// is dropped), so Check holds back its own finding on the counter of a parent it asks to mend.
Status MendReply(Fixer& fx, const Finding& f) {
  const uint64_t parent = f.a, reply = f.b;
  WriteOp op(fx.ctx());
  op.LockPosts(parent, reply);
  PostRecord parent_rec, reply_rec;
  bool parent_live, reply_live;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(parent, &parent_rec, &parent_live));
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(reply, &reply_rec, &reply_live));
  const bool want = parent_live && reply_live && reply_rec.reply_to == parent;
  const std::string key = ReplyKey{parent, reply}.Encode();
  std::string raw;
  bool present;
  PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kEdges, key, &raw, &present));
  uint64_t named = 0;
  if (want ? present && DecodeBE64(raw, &named) && named == reply_rec.author : !present) {
    return Status::OK();
  }
  Batch& b = op.batch();
  if (want) {
    b.Put(Cf::kEdges, key, EncodeBE64(reply_rec.author));
  } else {
    b.Delete(Cf::kEdges, key);
  }
  const int64_t listed = want == present ? 0 : want ? 1 : -1;
  PUPPIES_RETURN_IF_ERROR(fx.SetPostListCounter(&b, parent, CounterKind::kReplies,
                                                ReplyKey::Prefix(parent), listed, parent_live));
  return fx.Commit(op, want ? fmt::format("I13: restored reply {} of post {}", reply, parent)
                            : fmt::format("I13: removed reply key ({}, {})", parent, reply));
}

}  // namespace

const FixKind kFixReply{"mend reply key", 27, false, MendReply};

const InvariantGroup* Replies::invariants() const {
  static const InvariantGroup group{"replies", "I13, I2 (replies)",
                                    KindsOf({CounterKind::kReplies}), CheckReplies};
  return &group;
}

}  // namespace puppies::internal
