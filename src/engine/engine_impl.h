#pragma once
// Engine::Impl wires the engine together: the shared core (core/context.h) and one component
// per concern (core/component.h), constructed in dependency order with what each reads:
//
//   users       users/        users, usernames
//   graph       graph/        follow, block and mute edges; follower/following counters
//   posts       posts/        post records, timelines, post counters
//   likes       post_edges/   like edges and counters (a PostEdges of the like family)
//   comments    comments/     comment records, their list keys and counters
//   bookmarks   post_edges/   bookmark edges (a PostEdges of the bookmark family)
//   replies     replies/      each post's reply list and reply counter
//   hashtags    hashtags/     each hashtag's list of posts
//   home feed   home_feed/    inboxes, author modes, fanout/backfill/unmerge/repush jobs
//
// Calls that touch one component go straight to it (engine.cc); operations that write to
// several are Impl's, one file per family under engine/ops/, each reading like its row of the
// batch table in docs/architecture.md. Check and Repair (fsck/) and GetStats loop over the
// registry. Arguments reaching Impl have been validated by engine.cc.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "comments/comments.h"
#include "core/component.h"
#include "core/context.h"
#include "core/ops.h"
#include "graph/graph.h"
#include "hashtags/hashtags.h"
#include "home_feed/home_feed.h"
#include "home_feed/jobs.h"
#include "post_edges/post_edges.h"
#include "posts/posts.h"
#include "puppies/engine.h"
#include "replies/replies.h"
#include "users/users.h"
#include "util/latency.h"

namespace puppies {

namespace internal {
struct Finding;  // fsck/finding.h
}  // namespace internal

struct Engine::Impl {
 public:
  explicit Impl(const Options& o);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // ---- lifecycle (engine_impl.cc) ----
  Status Open(const std::string& path);
  // Marks the engine closed, after the calls in flight, then stops the jobs and closes the
  // store. Later calls fail with FailedPrecondition; closing twice is OK.
  Status Close();

  // Held for the whole of one public call: the lifecycle lock shared (Close waits for the
  // calls in flight), the closed check, and the call counted and timed in Stats (unless op is
  // kCount), from before the lock to the end of the call.
  class Call {
   public:
    Call(Impl* impl, internal::Op op);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    const Status& status() const { return status_; }

   private:
    Impl* const impl_;
    const std::chrono::steady_clock::time_point start_;
    std::shared_lock<std::shared_mutex> lock_;
    internal::Op op_ = internal::Op::kCount;  // kCount: not counted (or the engine is closed)
    Status status_;
  };

  const Options& options() const { return ctx_.options; }
  // The core, for the maintenance paths and tests below the public API.
  internal::Context& context() { return ctx_; }

  // ---- the components ----
  internal::Users& users() { return users_; }
  internal::Graph& graph() { return graph_; }
  internal::Posts& posts() { return posts_; }
  internal::PostEdges& likes() { return likes_; }
  internal::Comments& comments() { return comments_; }
  internal::PostEdges& bookmarks() { return bookmarks_; }
  internal::Replies& replies() { return replies_; }
  internal::Hashtags& hashtags() { return hashtags_; }
  internal::HomeFeed& home_feed() { return home_feed_; }

  // ---- operations spanning components ----
  // engine/ops/following.cc: graph + home feed.
  Result<bool> Follow(uint64_t follower, uint64_t followee);
  Result<bool> Unfollow(uint64_t follower, uint64_t followee);
  Result<bool> Block(uint64_t blocker, uint64_t blocked);
  Result<uint64_t> ImportFollows(std::span<const FollowEdge> edges);
  // engine/ops/posting.cc: posts + home feed, and the purge of every component.
  Result<PostId> CreatePost(uint64_t author, const NewPost& post, std::string text);
  Status DeletePost(uint64_t actor, uint64_t id);
  // `text`: the edit's text, trimmed, if it has one. A new text's hashtags and mentions are
  // derived again.
  Status EditPost(uint64_t actor, uint64_t id, const PostEdit& edit,
                  std::optional<std::string> text);

  // ---- maintenance (fsck/check.cc, fsck/repair.cc, engine_impl.cc) ----
  Status WaitIdle();
  Status Compact();
  // Every invariant violation on one snapshot, with what Repair may do about it.
  Status Analyze(bool verify_checksums, std::vector<internal::Finding>* out);
  Result<std::vector<std::string>> Check();
  Result<std::vector<std::string>> Repair();
  Result<Stats> GetStats();

 private:
  // The post purge job (posting.cc): each component's stage in PurgeStage order.
  void RegisterPurgePost();
  Status StepPurgePost(uint64_t seq, internal::FeedJob* job, bool* done);
  // The component whose purge stage `stage` is (null: kDone).
  internal::Component* PurgeStageOwner(internal::PurgeStage stage);

  internal::Context ctx_;
  internal::Users users_;
  internal::Graph graph_;
  internal::Posts posts_;
  internal::PostEdges likes_;
  internal::Comments comments_;
  internal::PostEdges bookmarks_;
  internal::Replies replies_;
  internal::Hashtags hashtags_;
  internal::HomeFeed home_feed_;
  // The registry: the components in dependency order, which Open, Check and GetStats follow.
  const std::array<internal::Component*, 9> components_;

  // Held shared by every public call and exclusively by Close, so Close never races a call.
  std::shared_mutex lifecycle_mu_;
  bool closed_ = false;  // guarded by lifecycle_mu_
  // Calls and their latencies per operation (Stats::operations and Stats::latency).
  internal::LatencyHistograms latency_{static_cast<size_t>(internal::Op::kCount)};
};

}  // namespace puppies
