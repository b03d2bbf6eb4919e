// The public Engine: argument validation, the closed check and operation counting
// (Engine::Impl::Call), then the component that owns the call, or Impl for an operation that
// spans components.

#include "puppies/engine.h"

#include <fmt/format.h>

#include <type_traits>

#include "engine/engine_impl.h"
#include "util/entities.h"
#include "util/status_macros.h"
#include "util/utf8.h"
#include "util/validation.h"

namespace puppies {

using internal::Op;
using internal::ValidatePageLimit;
using internal::ValidatePostId;
using internal::ValidateUserId;

namespace {

using Call = Engine::Impl::Call;

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

// Most calls have one of four shapes; each shape is one function below, each call one line.

// Two distinct users (follow, block, mute and their undo), run by `target` (Impl for an
// operation that spans components, else the component).
template <class Target>
struct PairCall {
  Op op;
  std::string_view a, b, verb;
  Result<bool> (Target::*run)(uint64_t, uint64_t);
};
template <class Target>
Result<bool> Run(Engine::Impl* impl, Target& target, const PairCall<Target>& c, UserId a,
                 UserId b) {
  Call call(impl, c.op);
  PUPPIES_RETURN_IF_ERROR(call.status());
  PUPPIES_RETURN_IF_ERROR(ValidatePair(c.a, a, c.b, b, c.verb));
  return (target.*c.run)(ToInt(a), ToInt(b));
}

// Whether an edge between two users exists (is following, is blocking, is muting).
struct EdgeQuery {
  Op op;
  std::string_view a, b;
  internal::EdgeKind kind;
};
Result<bool> Run(Engine::Impl* impl, const EdgeQuery& c, UserId a, UserId b) {
  Call call(impl, c.op);
  PUPPIES_RETURN_IF_ERROR(call.status());
  PUPPIES_RETURN_IF_ERROR(ValidateUserId(c.a, a));
  PUPPIES_RETURN_IF_ERROR(ValidateUserId(c.b, b));
  return impl->graph().HasUserEdge(ToInt(a), c.kind, ToInt(b));
}

// A user and a post (like, unlike, has liked; the same for bookmarks): a call of one post edge
// family's component.
struct UserPostCall {
  Op op;
  internal::PostEdges& (Engine::Impl::*family)();
  Result<bool> (internal::PostEdges::*run)(uint64_t, uint64_t);
};
Result<bool> Run(Engine::Impl* impl, const UserPostCall& c, UserId user, PostId post) {
  Call call(impl, c.op);
  PUPPIES_RETURN_IF_ERROR(call.status());
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", user));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  return ((impl->*c.family)().*c.run)(ToInt(user), ToInt(post));
}

// A page of one owner's list (`Id` a user or a post): `read` gets the owner's raw id.
template <class Id, class Read>
auto RunPage(Engine::Impl* impl, Op op, std::string_view name, Id owner, const PageRequest& page,
             Read read) -> decltype(read(uint64_t{})) {
  Call call(impl, op);
  PUPPIES_RETURN_IF_ERROR(call.status());
  if constexpr (std::is_same_v<Id, PostId>) {
    PUPPIES_RETURN_IF_ERROR(ValidatePostId(name, owner));
  } else {
    PUPPIES_RETURN_IF_ERROR(ValidateUserId(name, owner));
  }
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return read(ToInt(owner));
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
  PUPPIES_RETURN_IF_ERROR(impl->Open(std::string(path)));
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::Close() { return impl_->Close(); }

Result<UserId> Engine::CreateUser(std::string_view username, const UserProfile& profile) {
  PUPPIES_CALL(kCreateUser);
  PUPPIES_RETURN_IF_ERROR(internal::ValidateUsername(username));
  PUPPIES_RETURN_IF_ERROR(
      internal::ValidateProfile(impl_->options(), &profile.display_name, &profile.bio));
  return impl_->users().Create(username, profile);
}

Result<User> Engine::GetUser(UserId id) {
  PUPPIES_CALL(kGetUser);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", id));
  return impl_->users().Get(ToInt(id));
}

Result<User> Engine::FindUser(std::string_view username) {
  PUPPIES_CALL(kFindUser);
  PUPPIES_RETURN_IF_ERROR(internal::ValidateUsername(username));
  return impl_->users().Find(username);
}

Status Engine::UpdateUser(UserId id, const UserUpdate& update) {
  PUPPIES_CALL(kUpdateUser);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("user id", id));
  PUPPIES_RETURN_IF_ERROR(internal::ValidateProfile(
      impl_->options(), update.display_name ? &*update.display_name : nullptr,
      update.bio ? &*update.bio : nullptr));
  return impl_->users().Update(ToInt(id), update);
}

Result<bool> Engine::Follow(UserId follower, UserId followee) {
  return Run(impl_.get(), *impl_,
             PairCall<Impl>{Op::kFollow, "follower", "followee", "follow", &Impl::Follow}, follower,
             followee);
}

Result<bool> Engine::Unfollow(UserId follower, UserId followee) {
  return Run(impl_.get(), *impl_,
             PairCall<Impl>{Op::kUnfollow, "follower", "followee", "unfollow", &Impl::Unfollow},
             follower, followee);
}

Result<bool> Engine::IsFollowing(UserId follower, UserId followee) {
  return Run(impl_.get(),
             EdgeQuery{Op::kIsFollowing, "follower", "followee", internal::EdgeKind::kFollowing},
             follower, followee);
}

Result<UserPage> Engine::Followers(UserId user, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kFollowers, "user id", user, page, [&](uint64_t id) {
    return impl_->graph().ListUsers(id, internal::EdgeKind::kFollower, page);
  });
}

Result<UserPage> Engine::Following(UserId user, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kFollowing, "user id", user, page, [&](uint64_t id) {
    return impl_->graph().ListUsers(id, internal::EdgeKind::kFollowing, page);
  });
}

Result<bool> Engine::Block(UserId blocker, UserId blocked) {
  return Run(impl_.get(), *impl_,
             PairCall<Impl>{Op::kBlock, "blocker", "blocked", "block", &Impl::Block}, blocker,
             blocked);
}

Result<bool> Engine::Unblock(UserId blocker, UserId blocked) {
  return Run(impl_.get(), impl_->graph(),
             PairCall<internal::Graph>{Op::kUnblock, "blocker", "blocked", "unblock",
                                       &internal::Graph::Unblock},
             blocker, blocked);
}

Result<bool> Engine::IsBlocking(UserId blocker, UserId blocked) {
  return Run(impl_.get(),
             EdgeQuery{Op::kIsBlocking, "blocker", "blocked", internal::EdgeKind::kBlocking},
             blocker, blocked);
}

Result<bool> Engine::IsMuting(UserId muter, UserId muted) {
  return Run(impl_.get(), EdgeQuery{Op::kIsMuting, "muter", "muted", internal::EdgeKind::kMuting},
             muter, muted);
}

Result<bool> Engine::Mute(UserId muter, UserId muted) {
  return Run(impl_.get(), impl_->graph(),
             PairCall<internal::Graph>{Op::kMute, "muter", "muted", "mute", &internal::Graph::Mute},
             muter, muted);
}

Result<bool> Engine::Unmute(UserId muter, UserId muted) {
  return Run(
      impl_.get(), impl_->graph(),
      PairCall<internal::Graph>{Op::kUnmute, "muter", "muted", "unmute", &internal::Graph::Unmute},
      muter, muted);
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
  PUPPIES_RETURN_IF_ERROR(internal::ValidateNewPost(impl_->options(), post, &text));
  return impl_->CreatePost(ToInt(author), post, std::move(text));
}

Result<Post> Engine::GetPost(PostId id) {
  PUPPIES_CALL(kGetPost);
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  return impl_->posts().Get(ToInt(id));
}

Result<std::vector<std::optional<Post>>> Engine::GetPosts(std::span<const PostId> ids) {
  PUPPIES_CALL(kGetPosts);
  if (ids.size() > internal::kMaxBatchIds) {
    return Status::InvalidArgument(
        fmt::format("{} post ids, more than the limit of {}", ids.size(), internal::kMaxBatchIds));
  }
  for (PostId id : ids) PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  return impl_->posts().GetMany(ids);
}

Status Engine::DeletePost(UserId actor, PostId id) {
  PUPPIES_CALL(kDeletePost);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("actor", actor));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  return impl_->DeletePost(ToInt(actor), ToInt(id));
}

Status Engine::EditPost(UserId actor, PostId id, const PostEdit& edit) {
  PUPPIES_CALL(kEditPost);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("actor", actor));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", id));
  std::optional<std::string> text;
  PUPPIES_RETURN_IF_ERROR(internal::ValidatePostEdit(impl_->options(), edit, &text));
  return impl_->EditPost(ToInt(actor), ToInt(id), edit, std::move(text));
}

Result<PostPage> Engine::UserTimeline(UserId author, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kUserTimeline, "author", author, page,
                 [&](uint64_t id) { return impl_->posts().Timeline(id, page); });
}

Result<PostPage> Engine::HashtagFeed(std::string_view tag, const PageRequest& page) {
  PUPPIES_CALL(kHashtagFeed);
  if (!internal::IsValidUtf8(tag)) return Status::InvalidArgument("hashtag is not valid utf-8");
  const std::string stored = internal::NormalizeHashtag(tag);
  if (stored.empty()) {
    return Status::InvalidArgument(
        "not a hashtag: give letters, marks, digits and '_' (at least one letter, at most "
        "100), with or without '#'");
  }
  PUPPIES_RETURN_IF_ERROR(ValidatePage(page));
  return impl_->hashtags().Feed(stored, page);
}

Result<PostPage> Engine::Replies(PostId post, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kReplies, "post id", post, page,
                 [&](uint64_t id) { return impl_->replies().Page(id, page); });
}

Result<std::vector<std::optional<Post>>> Engine::Thread(PostId post) {
  PUPPIES_CALL(kThread);
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  return impl_->replies().Thread(ToInt(post));
}

Result<bool> Engine::Like(UserId user, PostId post) {
  return Run(impl_.get(), {Op::kLike, &Impl::likes, &internal::PostEdges::Add}, user, post);
}

Result<bool> Engine::Unlike(UserId user, PostId post) {
  return Run(impl_.get(), {Op::kUnlike, &Impl::likes, &internal::PostEdges::Remove}, user, post);
}

Result<bool> Engine::HasLiked(UserId user, PostId post) {
  return Run(impl_.get(), {Op::kHasLiked, &Impl::likes, &internal::PostEdges::Has}, user, post);
}

Result<UserPage> Engine::Likers(PostId post, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kLikers, "post id", post, page,
                 [&](uint64_t id) { return impl_->likes().PostUsers(id, page); });
}

Result<PostPage> Engine::LikedPosts(UserId user, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kLikedPosts, "user id", user, page,
                 [&](uint64_t id) { return impl_->likes().UserPosts(id, page); });
}

Result<bool> Engine::Bookmark(UserId user, PostId post) {
  return Run(impl_.get(), {Op::kBookmark, &Impl::bookmarks, &internal::PostEdges::Add}, user, post);
}

Result<bool> Engine::Unbookmark(UserId user, PostId post) {
  return Run(impl_.get(), {Op::kUnbookmark, &Impl::bookmarks, &internal::PostEdges::Remove}, user,
             post);
}

Result<bool> Engine::HasBookmarked(UserId user, PostId post) {
  return Run(impl_.get(), {Op::kHasBookmarked, &Impl::bookmarks, &internal::PostEdges::Has}, user,
             post);
}

Result<PostPage> Engine::Bookmarks(UserId user, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kBookmarks, "user id", user, page,
                 [&](uint64_t id) { return impl_->bookmarks().UserPosts(id, page); });
}

Result<CommentId> Engine::AddComment(UserId author, PostId post, const NewComment& comment) {
  PUPPIES_CALL(kAddComment);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("author", author));
  PUPPIES_RETURN_IF_ERROR(ValidatePostId("post id", post));
  std::string text;
  PUPPIES_RETURN_IF_ERROR(internal::ValidatePostText(impl_->options(), comment.text, &text));
  return impl_->comments().Add(ToInt(author), ToInt(post), ToInt(comment.reply_to),
                               std::move(text));
}

Result<Comment> Engine::GetComment(CommentId id) {
  PUPPIES_CALL(kGetComment);
  PUPPIES_RETURN_IF_ERROR(internal::ValidateCommentId("comment id", id));
  return impl_->comments().Get(ToInt(id));
}

Status Engine::DeleteComment(UserId actor, CommentId id) {
  PUPPIES_CALL(kDeleteComment);
  PUPPIES_RETURN_IF_ERROR(ValidateUserId("actor", actor));
  PUPPIES_RETURN_IF_ERROR(internal::ValidateCommentId("comment id", id));
  return impl_->comments().Delete(ToInt(actor), ToInt(id));
}

Result<CommentPage> Engine::Comments(PostId post, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kComments, "post id", post, page,
                 [&](uint64_t id) { return impl_->comments().Page(id, page); });
}

Result<PostPage> Engine::HomeFeed(UserId reader, const PageRequest& page) {
  return RunPage(impl_.get(), Op::kHomeFeed, "reader", reader, page,
                 [&](uint64_t id) { return impl_->home_feed().Read(id, page); });
}

Status Engine::WaitIdle() {
  PUPPIES_CALL(kWaitIdle);
  return impl_->WaitIdle();
}

Result<std::vector<std::string>> Engine::Check() {
  PUPPIES_CALL(kCheck);
  return impl_->Check();
}

Result<std::vector<std::string>> Engine::Repair() {
  PUPPIES_CALL(kRepair);
  return impl_->Repair();
}

Status Engine::Compact() {
  PUPPIES_CALL(kCompact);
  return impl_->Compact();
}

Result<Stats> Engine::GetStats() {
  Call call_guard(impl_.get(), Op::kCount);
  PUPPIES_RETURN_IF_ERROR(call_guard.status());
  return impl_->GetStats();
}

}  // namespace puppies
