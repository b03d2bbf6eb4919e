#include <fmt/format.h>

#include "core/write_op.h"
#include "engine_impl.h"
#include "graph/edges.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

// The author's mode after this post, given its follower count. Push -> pull at the threshold;
// pull -> draining (back towards push) only below threshold minus hysteresis, so an author
// hovering near the threshold does not flap.
AuthorModeRecord NextMode(const Options& o, AuthorModeRecord cur, uint64_t followers,
                          uint64_t post_id) {
  const uint64_t t = o.fanout_threshold;
  const bool above = t != Options::kNoPull && followers >= t;
  const uint64_t low = t - static_cast<uint64_t>(static_cast<unsigned __int128>(t) *
                                                 o.fanout_hysteresis_percent / 100);
  switch (cur.mode) {
    case AuthorMode::kPush:
      if (above) return {AuthorMode::kPull, post_id};
      break;
    case AuthorMode::kPull:
      if (t == Options::kNoPull || followers < low) return {AuthorMode::kDraining, cur.pull_since};
      break;
    case AuthorMode::kDraining:
      if (above) return {AuthorMode::kPull, cur.pull_since};
      break;
  }
  return cur;
}

}  // namespace

Result<PostId> Engine::Impl::CreatePost(uint64_t author, const NewPost& post, std::string text) {
  PUPPIES_RETURN_IF_ERROR(UserExists(author));
  const int64_t now = NowMicros();
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
  if (ToInt(post.reply_to) != 0) {
    PostRecord parent;
    bool found;
    PUPPIES_RETURN_IF_ERROR(ReadPost(ToInt(post.reply_to), &parent, &found));
    if (!found || parent.deleted) {
      return Status::NotFound(fmt::format("reply_to post {} not found", ToInt(post.reply_to)));
    }
    // SPEC §3: a blocked user cannot comment on the blocker's posts, and a reply is a comment.
    Status s;
    if (HasEdge(parent.author, EdgeKind::kBlocking, author, nullptr, &s)) {
      return Status::PermissionDenied(fmt::format("user {} blocks user {}", parent.author, author));
    }
    PUPPIES_RETURN_IF_ERROR(s);
  }

  // The author lock orders this post against follows of the author and mode changes, so a
  // post is either seen by a follow's backfill or fans out to that follower.
  WriteOp op(*this);
  op.LockAuthor(author);
  // Held until the batch below is written.
  IdMint::Reservation reserved;
  uint64_t id;
  if (post.created_at_us) {
    PUPPIES_ASSIGN_OR_RETURN(reserved, ids->ReserveExplicitPost(*post.created_at_us));
    id = reserved.id();
  } else {
    id = ids->NextLivePost(now);
  }
  uint64_t followers;
  PUPPIES_RETURN_IF_ERROR(Counter(author, CounterKind::kFollowers, &followers));
  const AuthorModeRecord cur = ModeOf(author);

  PostRecord rec;
  rec.author = author;
  rec.created_at_us = CreatedAtOfPostId(id);
  rec.reply_to = ToInt(post.reply_to);
  rec.text = std::move(text);
  rec.media = post.media;
  Batch& b = op.batch();
  b.Put(Cf::kPosts, IdKey{id}.Encode(), EncodePost(rec));
  b.Put(Cf::kEdges, AuthoredKey{author, id}.Encode(), "");
  b.AddCounter(CounterKey{author, CounterKind::kPosts}.Encode(), 1);
  if (!post.created_at_us) b.Merge(Cf::kMeta, meta_keys::kPostIdHwm, EncodeBE64(id));
  // The author sees their own post at once: it goes into their inbox in this batch.
  b.Put(Cf::kInbox, InboxKey{author, id}.Encode(), EncodeBE64(author));
  AuthorModeRecord next = NextMode(options, cur, followers, id);
  const bool mode_changed = next.mode != cur.mode;
  if (mode_changed) {
    if (next.mode == AuthorMode::kDraining) {
      next.repush_job = op.Enqueue(FeedJob{JobType::kRepush, author, next.pull_since}.Record());
    }
    b.Put(Cf::kMeta, AuthorModeKey{author}.Encode(), EncodeAuthorMode(next));
  }
  if (next.mode != AuthorMode::kPull && followers > 0) {
    op.Enqueue(FeedJob{JobType::kFanout, author, id}.Record());
  }
  PUPPIES_RETURN_IF_ERROR(mode_changed ? op.CommitModeChange(author, next) : op.Commit());
  if (mode_changed) PUPPIES_KILL_POINT("Mode:AfterFlip");
  PUPPIES_KILL_POINT("CreatePost:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return PostId{id};
}

void Engine::Impl::RegisterPostJobs() {
  RegisterFeedJob(JobType::kPurgePost, "purge post", &Impl::StepPurgePost);
}

Status Engine::Impl::StepPurgePost(uint64_t seq, FeedJob* job, bool* done) {
  // One batch of one stage per step. The batch also saves the stage and cursor reached, so a
  // crash resumes there; replaying a step deletes what is already gone, which is harmless.
  Batch b = store->NewBatch();
  const PurgeStage stage = job->stage;
  bool stage_done = true;
  switch (stage) {
    case PurgeStage::kLikes:
      PUPPIES_RETURN_IF_ERROR(PurgePostLikes(job->post, &b, &stage_done));
      break;
    case PurgeStage::kInbox:
      PUPPIES_RETURN_IF_ERROR(
          PurgePostInbox(job->author, job->post, &job->cursor, &b, &stage_done));
      break;
    case PurgeStage::kDone:
      break;
  }
  if (stage_done && stage != PurgeStage::kDone) {
    job->stage = static_cast<PurgeStage>(static_cast<uint8_t>(stage) + 1);
    job->cursor = 0;
  }
  *done = job->stage == PurgeStage::kDone;
  if (*done) {
    // No component keeps comments yet; comments (issue 12) will purge their counter in a stage
    // of their own.
    b.Delete(Cf::kCounters, CounterKey{job->post, CounterKind::kComments}.Encode());
    b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  } else {
    b.Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(job->Record()));
  }
  PUPPIES_RETURN_IF_ERROR(store->Write(&b));
  if (stage == PurgeStage::kLikes) {
    PUPPIES_KILL_POINT("Purge:AfterLikesChunk");
  } else {
    PUPPIES_KILL_POINT("Purge:AfterInboxChunk");
  }
  return *done ? NoteDeletedPost(job->author) : Status::OK();
}

Result<Post> Engine::Impl::GetPost(uint64_t id) {
  std::vector<std::optional<Post>> out;
  PUPPIES_RETURN_IF_ERROR(LoadPosts({id}, &out));
  if (!out[0]) return Status::NotFound(fmt::format("post {} not found", id));
  return std::move(*out[0]);
}

Result<std::vector<std::optional<Post>>> Engine::Impl::GetPosts(std::span<const PostId> ids) {
  std::vector<uint64_t> raw;
  raw.reserve(ids.size());
  for (PostId id : ids) raw.push_back(ToInt(id));
  Snapshot snap = store->GetSnapshot();
  std::vector<std::optional<Post>> out;
  PUPPIES_RETURN_IF_ERROR(LoadPosts(raw, &out, &snap));
  return out;
}

Status Engine::Impl::DeletePost(uint64_t actor, uint64_t id) {
  PUPPIES_RETURN_IF_ERROR(UserExists(actor));
  WriteOp op(*this);
  op.LockPost(id);
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(ReadPost(id, &rec, &found));
  if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", id));
  if (rec.author != actor) {
    return Status::PermissionDenied(fmt::format("user {} is not the author of post {}", actor, id));
  }
  // The tombstone keeps author and time: background clean-up needs the author, and it stops
  // an explicit-time import from reusing the id.
  PostRecord tomb;
  tomb.deleted = true;
  tomb.author = rec.author;
  tomb.created_at_us = rec.created_at_us;
  Batch& b = op.batch();
  b.Put(Cf::kPosts, IdKey{id}.Encode(), EncodePost(tomb));
  b.Delete(Cf::kEdges, AuthoredKey{rec.author, id}.Encode());
  b.AddCounter(CounterKey{rec.author, CounterKind::kPosts}.Encode(), -1);
  b.Delete(Cf::kInbox, InboxKey{rec.author, id}.Encode());
  op.Enqueue(FeedJob{JobType::kPurgePost, rec.author, id}.Record());
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("DeletePost:AfterCommit");
  return op.Finish();
}

Result<PostPage> Engine::Impl::UserTimeline(uint64_t author, const PageRequest& page) {
  Snapshot snap = store->GetSnapshot();
  PUPPIES_RETURN_IF_ERROR(UserExists(author, &snap));
  return PagePosts(ListKind::kTimeline, author, AuthoredKey::Prefix(author), true, page, snap);
}

Result<PostPage> Engine::Impl::PagePosts(ListKind kind, uint64_t owner, const std::string& prefix,
                                         bool inverted_ids, const PageRequest& page,
                                         const Snapshot& snap) {
  std::string position;
  PUPPIES_RETURN_IF_ERROR(DecodeCursor(cursor_salt, kind, owner, page.cursor, &position));
  const size_t need = size_t{page.limit} + 1;
  PostPage out;
  std::vector<std::string> positions;
  // Deleted posts may still be listed (liked posts before clean-up): read on until enough
  // live ones are found or the list ends.
  while (out.items.size() < need) {
    const size_t want = need - out.items.size();
    std::vector<ListEntry> entries;
    PUPPIES_RETURN_IF_ERROR(
        ReadList(store.get(), prefix, position, want, inverted_ids, &snap, &entries));
    std::vector<uint64_t> ids;
    for (const ListEntry& e : entries) ids.push_back(e.id);
    std::vector<std::optional<Post>> posts;
    PUPPIES_RETURN_IF_ERROR(LoadPosts(ids, &posts, &snap));
    for (size_t i = 0; i < posts.size(); ++i) {
      if (!posts[i]) continue;
      out.items.push_back(std::move(*posts[i]));
      positions.push_back(entries[i].position);
    }
    if (entries.size() < want) break;
    position = entries.back().position;
  }
  out.has_more = out.items.size() > page.limit;
  if (out.has_more) {
    out.items.resize(page.limit);
    out.next_cursor = EncodeCursor(cursor_salt, kind, owner, positions[page.limit - 1]);
  }
  return out;
}

}  // namespace puppies
