// The public Engine: argument validation, the closed check and operation counting, then
// forwarding to Engine::Impl.

#include "puppies/engine.h"

#include <fmt/format.h>

#include "engine_impl.h"
#include "util/status_macros.h"
#include "util/validation.h"

namespace puppies {

using internal::Op;
using internal::ValidatePageLimit;
using internal::ValidatePostId;
using internal::ValidateUserId;

namespace {

// Holds the lifecycle lock shared for the whole call, so Close waits for calls in flight.
class Call {
 public:
  Call(Engine::Impl* impl, Op op) : lock_(impl->lifecycle_mu) {
    if (impl->closed) {
      status_ = Status::FailedPrecondition("engine is closed");
      return;
    }
    if (op != Op::kCount) {
      impl->op_counts[static_cast<size_t>(op)].fetch_add(1, std::memory_order_relaxed);
    }
  }
  const Status& status() const { return status_; }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  Status status_;
};

Status ValidatePair(std::string_view a_name, UserId a, std::string_view b_name, UserId b,
                    std::string_view verb) {
  PUPPIES_RETURN_IF_ERROR(ValidateUserId(a_name, a));
  PUPPIES_RETURN_IF_ERROR(ValidateUserId(b_name, b));
  if (a == b)
    return Status::InvalidArgument(fmt::format("user {} cannot {} itself", ToInt(a), verb));
  return Status::OK();
}

Status ValidatePage(const PageRequest& page) {
  // The cursor itself is checked by the one cursor codec when the list is read.
  return ValidatePageLimit(page.limit);
}

}  // namespace

#define PUPPIES_CALL(op)                \
  Call call_guard(impl_.get(), Op::op); \
  PUPPIES_RETURN_IF_ERROR(call_guard.status())

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() { (void)Close(); }

Result<std::unique_ptr<Engine>> Engine::Open(const Options& options, std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("path is empty");
  PUPPIES_RETURN_IF_ERROR(internal::ValidateOptions(options));
  auto impl = std::make_unique<Impl>(options);
  PUPPIES_RETURN_IF_ERROR(impl->OpenStore(std::string(path)));
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::Close() {
  std::unique_lock lock(impl_->lifecycle_mu);
  if (impl_->closed) return Status::OK();
  impl_->closed = true;
  return impl_->Close();
}

Result<UserId> Engine::CreateUser(std::string_view username, const UserProfile& profile) {
  PUPPIES_CALL(kCreateUser);
  PUPPIES_RETURN_IF_ERROR(internal::ValidateUsername(username));
  PUPPIES_RETURN_IF_ERROR(
      internal::ValidateProfile(impl_->options, &profile.display_name, &profile.bio));
  return impl_->CreateUser(username, profile);
}

Result<User> Engine::GetUser(UserId id) {
  PUPPIES_CALL(kGetUser);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", id));
  return impl_->GetUser(ToInt(id));
}

Result<User> Engine::FindUser(std::string_view username) {
  PUPPIES_CALL(kFindUser);
  PUPPIES_RETURN_IF_ERROR(internal::ValidateUsername(username));
  return impl_->FindUser(username);
}

Status Engine::UpdateUser(UserId id, const UserUpdate& update) {
  PUPPIES_CALL(kUpdateUser);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", id));
  PUPPIES_RETURN_IF_ERROR(internal::ValidateProfile(
      impl_->options, update.display_name ? &*update.display_name : nullptr,
      update.bio ? &*update.bio : nullptr));
  return impl_->UpdateUser(ToInt(id), update);
}

Result<bool> Engine::Follow(UserId follower, UserId followee) {
  PUPPIES_CALL(kFollow);
  PUPPIES_RETURN_IF_ERROR(ValidatePair("follower", follower, "followee", followee, "follow"));
  return impl_->Follow(ToInt(follower), ToInt(followee));
}

Result<bool> Engine::Unfollow(UserId follower, UserId followee) {
  PUPPIES_CALL(kUnfollow);
  PUPPIES_RETURN_IF_ERROR(ValidatePair("follower", follower, "followee", followee, "unfollow"));
  return impl_->Unfollow(ToInt(follower), ToInt(followee));
}

Result<bool> Engine::IsFollowing(UserId follower, UserId followee) {
  PUPPIES_CALL(kIsFollowing);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("follower", follower));
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("followee", followee));
  return impl_->HasUserEdge(ToInt(follower), internal::EdgeKind::kFollowing, ToInt(followee));
}

Result<UserPage> Engine::Followers(UserId user, const PageRequest& page) {
  PUPPIES_CALL(kFollowers);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->ListUsers(ToInt(user), internal::EdgeKind::kFollower, page);
}

Result<UserPage> Engine::Following(UserId user, const PageRequest& page) {
  PUPPIES_CALL(kFollowing);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->ListUsers(ToInt(user), internal::EdgeKind::kFollowing, page);
}

Result<bool> Engine::Block(UserId blocker, UserId blocked) {
  PUPPIES_CALL(kBlock);
  PUPPIES_RETURN_IF_ERROR(ValidatePair("blocker", blocker, "blocked", blocked, "block"));
  return impl_->Block(ToInt(blocker), ToInt(blocked));
}

Result<bool> Engine::Unblock(UserId blocker, UserId blocked) {
  PUPPIES_CALL(kUnblock);
  PUPPIES_RETURN_IF_ERROR(ValidatePair("blocker", blocker, "blocked", blocked, "unblock"));
  return impl_->Unblock(ToInt(blocker), ToInt(blocked));
}

Result<bool> Engine::IsBlocking(UserId blocker, UserId blocked) {
  PUPPIES_CALL(kIsBlocking);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("blocker", blocker));
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("blocked", blocked));
  return impl_->HasUserEdge(ToInt(blocker), internal::EdgeKind::kBlocking, ToInt(blocked));
}

Result<bool> Engine::IsMuting(UserId muter, UserId muted) {
  PUPPIES_CALL(kIsMuting);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("muter", muter));
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("muted", muted));
  return impl_->HasUserEdge(ToInt(muter), internal::EdgeKind::kMuting, ToInt(muted));
}

Result<bool> Engine::Mute(UserId muter, UserId muted) {
  PUPPIES_CALL(kMute);
  PUPPIES_RETURN_IF_ERROR(ValidatePair("muter", muter, "muted", muted, "mute"));
  return impl_->Mute(ToInt(muter), ToInt(muted));
}

Result<bool> Engine::Unmute(UserId muter, UserId muted) {
  PUPPIES_CALL(kUnmute);
  PUPPIES_RETURN_IF_ERROR(ValidatePair("muter", muter, "muted", muted, "unmute"));
  return impl_->Unmute(ToInt(muter), ToInt(muted));
}

Result<uint64_t> Engine::ImportFollows(std::span<const FollowEdge> edges) {
  PUPPIES_CALL(kImportFollows);
  for (const FollowEdge& e : edges) {
    PUPPIES_RETURN_IF_ERROR(ValidateUserId("follower", e.follower));
    PUPPIES_RETURN_IF_ERROR(ValidateUserId("followee", e.followee));
  }
  return impl_->ImportFollows(edges);
}

Result<PostId> Engine::CreatePost(UserId author, const NewPost& post) {
  PUPPIES_CALL(kCreatePost);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("author", author));
  std::string text;
  PUPPIES_RETURN_IF_ERROR(internal::ValidateNewPost(impl_->options, post, &text));
  return impl_->CreatePost(ToInt(author), post, std::move(text));
}

Result<Post> Engine::GetPost(PostId id) {
  PUPPIES_CALL(kGetPost);
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  return impl_->GetPost(ToInt(id));
}

Result<std::vector<std::optional<Post>>> Engine::GetPosts(std::span<const PostId> ids) {
  PUPPIES_CALL(kGetPosts);
  if (ids.size() > internal::kMaxBatchIds) {
    return Status::InvalidArgument(
        fmt::format("{} post ids, more than the limit of {}", ids.size(), internal::kMaxBatchIds));
  }
  for (PostId id : ids) PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  return impl_->GetPosts(ids);
}

Status Engine::DeletePost(UserId actor, PostId id) {
  PUPPIES_CALL(kDeletePost);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("actor", actor));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  return impl_->DeletePost(ToInt(actor), ToInt(id));
}

Result<PostPage> Engine::UserTimeline(UserId author, const PageRequest& page) {
  PUPPIES_CALL(kUserTimeline);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("author", author));
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->UserTimeline(ToInt(author), page);
}

Result<bool> Engine::Like(UserId user, PostId post) {
  PUPPIES_CALL(kLike);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  return impl_->Like(ToInt(user), ToInt(post));
}

Result<bool> Engine::Unlike(UserId user, PostId post) {
  PUPPIES_CALL(kUnlike);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  return impl_->Unlike(ToInt(user), ToInt(post));
}

Result<bool> Engine::HasLiked(UserId user, PostId post) {
  PUPPIES_CALL(kHasLiked);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  return impl_->HasLiked(ToInt(user), ToInt(post));
}

Result<UserPage> Engine::Likers(PostId post, const PageRequest& page) {
  PUPPIES_CALL(kLikers);
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->ListUsers(ToInt(post), internal::EdgeKind::kLiker, page);
}

Result<PostPage> Engine::LikedPosts(UserId user, const PageRequest& page) {
  PUPPIES_CALL(kLikedPosts);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->LikedPosts(ToInt(user), page);
}

Result<PostPage> Engine::HomeFeed(UserId reader, const PageRequest& page) {
  PUPPIES_CALL(kHomeFeed);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("reader", reader));
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->HomeFeed(ToInt(reader), page);
}

Status Engine::WaitIdle() {
  PUPPIES_CALL(kWaitIdle);
  return impl_->jobs->WaitIdle();
}

Result<std::vector<std::string>> Engine::Check() {
  PUPPIES_CALL(kCheck);
  return impl_->Check();
}

Result<std::vector<std::string>> Engine::Repair() {
  PUPPIES_CALL(kRepair);
  return impl_->Repair();
}

Result<Stats> Engine::GetStats() {
  Call call_guard(impl_.get(), Op::kCount);
  PUPPIES_RETURN_IF_ERROR(call_guard.status());
  return impl_->GetStats();
}

}  // namespace puppies
