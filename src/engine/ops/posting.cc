// CreatePost, EditPost and DeletePost, and the deleted post's clean-up. Rows "create post" and
// "delete post" of the batch table in docs/architecture.md: the post record, its timeline entry and
// counter (posts), a reply's key and its parent's counter (replies), with the author's own
// inbox entry, the mode flip and the fan-out job (home feed), in one batch; a deletion's
// tombstone (and a reply's removal from its parent) in one batch, its residue in every
// component purged afterwards by one durable job, a stage per component.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/write_op.h"
#include "engine/engine_impl.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

Result<PostId> Engine::Impl::CreatePost(uint64_t author, const NewPost& post, std::string text) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(author));
  const int64_t now = ctx_.NowMicros();
  if (post.created_at_us) {
    if (*post.created_at_us > now) {
      return Status::InvalidArgument(
          fmt::format("created_at_us {} is in the future", *post.created_at_us));
    }
    if (static_cast<uint64_t>(*post.created_at_us) / 1000 > kMaxPostMillis) {
      return Status::InvalidArgument(
          fmt::format("created_at_us {} is out of range", *post.created_at_us));
    }
  }
  // The author lock orders this post against follows of the author and mode changes, so a
  // post is either seen by a follow's backfill or fans out to that follower. A reply's parent
  // lock keeps the parent from being deleted before the reply joins its list.
  const uint64_t parent_id = ToInt(post.reply_to);
  // The text's hashtags and mentions first: resolving mentions reads the username index, which
  // needs no lock.
  PostRecord rec;
  rec.text = std::move(text);
  PUPPIES_RETURN_IF_ERROR(Posts::DeriveEntities(*ctx_.store, &rec));
  WriteOp op(ctx_);
  op.LockAuthor(author);
  if (parent_id != 0) {
    op.LockPost(parent_id);
    PostRecord parent;
    PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(parent_id, &parent, "reply_to post"));
    // SPEC §3: a blocked user cannot comment on the blocker's posts, and a reply is a comment.
    PUPPIES_RETURN_IF_ERROR(graph_.CheckNotBlockedBy(parent.author, author));
  }
  IdMint::Reservation reserved;  // an explicit-time id: held until the batch is written
  uint64_t id;
  PUPPIES_RETURN_IF_ERROR(posts_.MintId(post, now, &reserved, &id));
  rec.author = author;
  rec.created_at_us = CreatedAtOfPostId(id);
  rec.reply_to = ToInt(post.reply_to);
  rec.media = post.media;
  Posts::Add(&op.batch(), id, rec, post.created_at_us.has_value());
  if (parent_id != 0) Replies::Add(&op.batch(), parent_id, id, author);
  Hashtags::Add(&op.batch(), id, author, rec.hashtags);
  HomeFeed::PostFanout fanout;
  PUPPIES_RETURN_IF_ERROR(home_feed_.AddPost(op, author, id, &fanout));
  PUPPIES_RETURN_IF_ERROR(home_feed_.Commit(op, author, fanout.mode_change));
  if (fanout.mode_change) PUPPIES_KILL_POINT("Mode:AfterFlip");
  PUPPIES_KILL_POINT("CreatePost:AfterCommit");
  const Status finished = op.Finish();
  home_feed_.AfterPost(fanout);  // the post is written, whatever Finish reports
  PUPPIES_RETURN_IF_ERROR(finished);
  return PostId{id};
}

Status Engine::Impl::DeletePost(uint64_t actor, uint64_t id) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(actor));
  // A post's author never changes, so it can be read before locking. The author lock orders
  // the deletion against the author's follows, whose backfill reads the author's posts.
  // Nor does its reply_to: a reply also locks its parent, whose list and counter it leaves.
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(id, &rec));
  WriteOp op(ctx_);
  op.LockAuthor(rec.author);
  if (rec.reply_to != 0) {
    op.LockPosts(id, rec.reply_to);
  } else {
    op.LockPost(id);
  }
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(id, &rec));
  if (rec.author != actor) {
    return Status::PermissionDenied(fmt::format("user {} is not the author of post {}", actor, id));
  }
  Batch& b = op.batch();
  Posts::AddTombstone(&b, id, rec);
  Hashtags::Remove(&b, id, rec.hashtags);
  if (rec.reply_to != 0) {
    PostRecord parent;
    bool found;
    PUPPIES_RETURN_IF_ERROR(posts_.Read(rec.reply_to, &parent, &found));
    Replies::Remove(&b, rec.reply_to, id, found && !parent.deleted);
  }
  HomeFeed::RemovePost(&b, rec.author, id);
  op.Enqueue(FeedJob{JobType::kPurgePost, rec.author, id}.Record());
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("DeletePost:AfterCommit");
  return op.Finish();
}

Status Engine::Impl::EditPost(uint64_t actor, uint64_t id, const PostEdit& edit,
                              std::optional<std::string> text) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(actor));
  // A new text's hashtags and mentions are derived before the lock, as CreatePost's.
  PostRecord derived;
  if (text) {
    derived.text = std::move(*text);
    PUPPIES_RETURN_IF_ERROR(Posts::DeriveEntities(*ctx_.store, &derived));
  }
  // Under the post lock, as DeletePost: an edit never brings a deleted post back.
  WriteOp op(ctx_);
  op.LockPost(id);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(id, &rec));
  if (rec.author != actor) {
    return Status::PermissionDenied(fmt::format("user {} is not the author of post {}", actor, id));
  }
  if (text) {
    Hashtags::Replace(&op.batch(), id, rec.author, rec.hashtags, derived.hashtags);
    rec.text = std::move(derived.text);
    rec.hashtags = std::move(derived.hashtags);
    rec.mentions = std::move(derived.mentions);
  }
  if (edit.media) rec.media = *edit.media;
  // Not before the post's own time, whatever the clock did since.
  rec.edited_at_us = std::max(ctx_.NowMicros(), std::max<int64_t>(rec.created_at_us, 1));
  Posts::Put(&op.batch(), id, rec);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("EditPost:AfterCommit");
  return op.Finish();
}

// ---- the purge job ----------------------------------------------------------------------------

void Engine::Impl::RegisterPurgePost() {
  RegisterFeedJob(
      *ctx_.jobs, JobType::kPurgePost, "purge post",
      [this](uint64_t seq, FeedJob* job, bool* done) { return StepPurgePost(seq, job, done); });
}

Component* Engine::Impl::PurgeStageOwner(PurgeStage stage) {
  switch (stage) {
    case PurgeStage::kLikes:
      return &likes_;
    case PurgeStage::kInbox:
      return &home_feed_;
    case PurgeStage::kComments:
      return &comments_;
    case PurgeStage::kBookmarks:
      return &bookmarks_;
    case PurgeStage::kReplies:
      return &replies_;
    case PurgeStage::kDone:
      break;
  }
  return nullptr;
}

namespace {
// The kill point after one chunk of each stage, by PurgeStage.
constexpr std::array<std::string_view, static_cast<size_t>(PurgeStage::kDone)> kPurgeKillPoints = {
    kLikeFamily.purge_point, "Purge:AfterInboxChunk", "Purge:AfterCommentsChunk",
    kBookmarkFamily.purge_point, "Purge:AfterRepliesChunk"};
static_assert(IsKillPoint(kPurgeKillPoints[static_cast<size_t>(PurgeStage::kInbox)]) &&
              IsKillPoint(kPurgeKillPoints[static_cast<size_t>(PurgeStage::kComments)]) &&
              IsKillPoint(kPurgeKillPoints[static_cast<size_t>(PurgeStage::kReplies)]));
}  // namespace

Status Engine::Impl::StepPurgePost(uint64_t seq, FeedJob* job, bool* done) {
  // One batch of one stage per step. The batch also saves the stage and cursor reached, so a
  // crash resumes there; replaying a step deletes what is already gone, which is harmless.
  Batch b = ctx_.store->NewBatch();
  const PurgeStage stage = job->stage;
  bool stage_done = true;
  if (Component* owner = PurgeStageOwner(stage)) {
    PUPPIES_RETURN_IF_ERROR(
        owner->PurgePost(job->author, job->post, &job->cursor, &b, &stage_done));
  }
  if (stage_done && stage != PurgeStage::kDone) {
    job->stage = static_cast<PurgeStage>(static_cast<uint8_t>(stage) + 1);
    job->cursor = 0;
  }
  *done = job->stage == PurgeStage::kDone;
  if (*done) {
    b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  } else {
    b.Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(job->Record()));
  }
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Write(&b));
  if (stage != PurgeStage::kDone) KillPointNamed(kPurgeKillPoints[static_cast<size_t>(stage)]);
  if (*done) posts_.NoteDeleted(job->author);
  return Status::OK();
}

}  // namespace puppies
