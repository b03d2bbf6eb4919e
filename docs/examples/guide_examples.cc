// Every code snippet in docs/guide.md. ctest runs this program (guide_examples) on a fresh
// directory, and ctest docs_snippets checks that the text between each START and END marker
// appears verbatim in the guide. Edit the snippet here first, then copy it to the guide.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// [START include]
#include <puppies/puppies.h>
// [END include]

namespace {

using puppies::PostId;
using puppies::Status;
using puppies::UserId;

// Stops the program when something the guide promises does not hold.
void Expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "guide_examples: expected %s\n", what);
    std::exit(1);
  }
}

void ExpectOk(const Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "guide_examples: %s: %s\n", what, status.ToString().c_str());
    std::exit(1);
  }
}

std::unique_ptr<puppies::Engine> Open(const std::string& path) {
  // [START open]
  puppies::Options options;
  options.create_if_missing = true;  // the default; error_if_exists = true refuses an old one
  puppies::Result<std::unique_ptr<puppies::Engine>> opened = puppies::Engine::Open(options, path);
  if (!opened.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), opened.status().ToString().c_str());
    return nullptr;
  }
  std::unique_ptr<puppies::Engine> engine = std::move(opened).value();
  // [END open]
  return engine;
}

Status StatusExample(puppies::Engine& engine) {
  // [START status]
  puppies::Result<puppies::User> user = engine.FindUser("nobody");
  if (!user.ok() && !user.status().IsNotFound()) {
    return user.status();  // a real failure, e.g. io_error; pass it up
  }
  if (!user.ok()) {
    std::printf("%s\n", user.status().ToString().c_str());  // "not_found: ..."
  }
  puppies::Status bad = engine.GetUser(puppies::UserId{0}).status();
  // bad.code() == puppies::StatusCode::kInvalidArgument: ids are never 0
  uint64_t followers = engine.FindUser("nobody").value_or(puppies::User{}).follower_count;
  // [END status]
  Expect(user.status().IsNotFound(), "FindUser(\"nobody\") to be NotFound");
  Expect(bad.IsInvalidArgument(), "GetUser(0) to be InvalidArgument");
  Expect(followers == 0, "value_or to give the fallback");
  return Status::OK();
}

Status UsersExample(puppies::Engine& engine, UserId* alice_out) {
  // [START users]
  puppies::UserProfile profile;
  profile.display_name = "Alice Liddell";
  profile.bio = "Curiouser and curiouser";
  puppies::Result<puppies::UserId> alice = engine.CreateUser("alice", profile);
  if (!alice.ok()) return alice.status();  // already_exists, invalid_argument, ...

  puppies::Result<puppies::User> found = engine.FindUser("ALICE");  // ignores case
  if (!found.ok()) return found.status();
  // found->id == *alice, found->username == "alice", found->follower_count == 0

  puppies::UserUpdate update;
  update.bio = "Down the rabbit hole";  // display_name stays unset: unchanged
  puppies::Status updated = engine.UpdateUser(*alice, update);
  if (!updated.ok()) return updated;
  // [END users]
  Expect(found->id == *alice && found->username == "alice", "FindUser to ignore case");
  Expect(engine.CreateUser("Alice").status().IsAlreadyExists(), "usernames unique by case");
  puppies::Result<puppies::User> again = engine.GetUser(*alice);
  Expect(
      again.ok() && again->bio == "Down the rabbit hole" && again->display_name == "Alice Liddell",
      "UpdateUser to change only the bio");
  *alice_out = *alice;
  return Status::OK();
}

Status FollowsExample(puppies::Engine& engine, UserId alice, UserId bob, UserId carol) {
  // [START follows]
  puppies::Result<bool> added = engine.Follow(bob, alice);  // true: a new edge
  puppies::Result<bool> again = engine.Follow(bob, alice);  // false: it existed already
  if (!added.ok()) return added.status();
  puppies::Result<bool> follows = engine.IsFollowing(bob, alice);  // true

  puppies::Result<bool> blocked = engine.Block(alice, carol);   // removes edges both ways
  puppies::Result<bool> refused = engine.Follow(carol, alice);  // permission_denied
  puppies::Result<bool> muted = engine.Mute(bob, carol);        // hides carol from bob's feed only
  // [END follows]
  Expect(*added && again.ok() && !*again, "Follow to report whether the edge is new");
  Expect(follows.ok() && *follows, "IsFollowing after Follow");
  Expect(blocked.ok() && *blocked, "Block to be new");
  Expect(refused.status().IsPermissionDenied(), "a blocked user cannot follow");
  Expect(muted.ok() && *muted, "Mute to be new");

  // [START import]
  std::vector<puppies::FollowEdge> edges = {{carol, bob}, {bob, carol}, {bob, bob}};
  puppies::Result<uint64_t> imported = engine.ImportFollows(edges);  // 2: the self-loop is skipped
  // [END import]
  Expect(imported.ok() && *imported == 2, "ImportFollows to add 2 edges");
  return Status::OK();
}

Status PostsExample(puppies::Engine& engine, UserId alice, UserId bob, PostId* post_out) {
  // [START posts]
  puppies::NewPost post;
  post.text = "  First post!  ";  // stored trimmed: "First post!"
  post.media.push_back({.url = "https://example.com/puppy.png",
                        .mime_type = "image/png",
                        .width = 640,
                        .height = 480,
                        .alt_text = "a puppy asleep on a keyboard"});
  puppies::Result<puppies::PostId> id = engine.CreatePost(alice, post);
  if (!id.ok()) return id.status();

  puppies::NewPost reply;
  reply.text = "Welcome!";
  reply.reply_to = *id;
  puppies::Result<puppies::PostId> reply_id = engine.CreatePost(bob, reply);
  if (!reply_id.ok()) return reply_id.status();

  puppies::Result<puppies::Post> stored = engine.GetPost(*id);
  std::vector<puppies::PostId> ids = {*id, *reply_id};
  puppies::Result<std::vector<std::optional<puppies::Post>>> both = engine.GetPosts(ids);
  puppies::Result<puppies::PostPage> timeline = engine.UserTimeline(alice);  // newest first

  puppies::Status not_yours = engine.DeletePost(alice, *reply_id);  // permission_denied
  puppies::Status deleted = engine.DeletePost(bob, *reply_id);      // ok: bob wrote it
  // [END posts]
  Expect(stored.ok() && stored->text == "First post!" && stored->media.size() == 1,
         "GetPost to return the trimmed text and the media");
  Expect(both.ok() && both->size() == 2 && (*both)[1].has_value() && (*both)[1]->reply_to == *id,
         "GetPosts to return both posts");
  Expect(timeline.ok() && timeline->items.size() == 1 && timeline->items[0].id == *id,
         "alice's timeline to hold her post");
  Expect(not_yours.IsPermissionDenied(), "only the author to delete a post");
  ExpectOk(deleted, "DeletePost by the author");
  Expect(engine.GetPost(*reply_id).status().IsNotFound(), "a deleted post to be gone");
  *post_out = *id;
  return Status::OK();
}

Status LikesExample(puppies::Engine& engine, UserId bob, PostId post) {
  // [START likes]
  puppies::Result<bool> liked = engine.Like(bob, post);             // true: new
  puppies::Result<bool> has = engine.HasLiked(bob, post);           // true
  puppies::Result<puppies::Post> counted = engine.GetPost(post);    // like_count == 1
  puppies::Result<puppies::UserPage> likers = engine.Likers(post);  // newest like first
  puppies::Result<puppies::PostPage> liked_posts = engine.LikedPosts(bob);
  puppies::Result<bool> unliked = engine.Unlike(bob, post);  // true: removed
  // [END likes]
  Expect(liked.ok() && *liked && has.ok() && *has, "Like and HasLiked");
  Expect(counted.ok() && counted->like_count == 1, "like_count to be 1");
  Expect(likers.ok() && likers->items.size() == 1 && likers->items[0] == bob, "Likers");
  Expect(liked_posts.ok() && liked_posts->items.size() == 1, "LikedPosts");
  Expect(unliked.ok() && *unliked, "Unlike to remove the like");
  return Status::OK();
}

Status EditExample(puppies::Engine& engine, UserId alice, PostId post) {
  // [START edit]
  puppies::Status edited = engine.EditPost(alice, post, {.text = "Hello, world (edited)"});
  puppies::Result<puppies::Post> now = engine.GetPost(post);  // edited_at_us is set
  // [END edit]
  ExpectOk(edited, "EditPost");
  Expect(now.ok() && now->text == "Hello, world (edited)" && now->edited_at_us.has_value(),
         "the edited text and edited_at_us");
  return Status::OK();
}

Status HashtagsExample(puppies::Engine& engine, UserId alice, UserId bob) {
  // [START hashtags]
  puppies::Result<puppies::PostId> tagged =
      engine.CreatePost(bob, {.text = "Walking the #Dogs with @alice"});
  if (!tagged.ok()) return tagged.status();
  puppies::Result<puppies::Post> got = engine.GetPost(*tagged);  // hashtags: dogs; mentions: alice
  puppies::Result<puppies::PostPage> dogs = engine.HashtagFeed("#dogs");  // newest first
  // [END hashtags]
  Expect(got.ok() && got->hashtags == std::vector<std::string>{"dogs"} &&
             got->mentions == std::vector<UserId>{alice},
         "the post's hashtags and mentions");
  Expect(dogs.ok() && dogs->items.size() == 1 && dogs->items[0].id == *tagged, "HashtagFeed");
  return engine.DeletePost(bob, *tagged);  // bob's feed below holds alice's posts only
}

Status BookmarksExample(puppies::Engine& engine, UserId bob, PostId post) {
  // [START bookmarks]
  puppies::Result<bool> saved = engine.Bookmark(bob, post);              // true: new
  puppies::Result<bool> again = engine.Bookmark(bob, post);              // false: already
  puppies::Result<bool> has = engine.HasBookmarked(bob, post);           // true
  puppies::Result<puppies::PostPage> bookmarks = engine.Bookmarks(bob);  // newest first
  puppies::Result<bool> removed = engine.Unbookmark(bob, post);          // true: removed
  // [END bookmarks]
  Expect(saved.ok() && *saved && again.ok() && !*again, "Bookmark to be idempotent");
  Expect(has.ok() && *has, "HasBookmarked");
  Expect(bookmarks.ok() && bookmarks->items.size() == 1 && bookmarks->items[0].id == post,
         "Bookmarks");
  Expect(removed.ok() && *removed, "Unbookmark to remove the bookmark");
  return Status::OK();
}

Status RepliesExample(puppies::Engine& engine, UserId bob, UserId carol, PostId post) {
  // [START replies]
  puppies::Result<puppies::PostId> first =
      engine.CreatePost(bob, {.text = "Same here!", .reply_to = post});
  if (!first.ok()) return first.status();
  puppies::Result<puppies::PostId> nested =
      engine.CreatePost(carol, {.text = "Me too.", .reply_to = *first});
  if (!nested.ok()) return nested.status();
  puppies::Result<puppies::PostPage> replies = engine.Replies(post);  // oldest first
  puppies::Result<puppies::Post> counted = engine.GetPost(post);      // reply_count == 1
  puppies::Result<std::vector<std::optional<puppies::Post>>> thread =
      engine.Thread(*nested);  // {post, first}: root first
  puppies::Status deleted = engine.DeletePost(bob, *first);
  puppies::Result<std::vector<std::optional<puppies::Post>>> gap =
      engine.Thread(*nested);  // {post, nullopt}: the deleted post is a gap
  // [END replies]
  Expect(replies.ok() && replies->items.size() == 1 && replies->items[0].id == *first,
         "Replies to list the one direct reply");
  Expect(counted.ok() && counted->reply_count == 1, "reply_count to be 1");
  Expect(thread.ok() && thread->size() == 2 && (*thread)[0] && (*thread)[0]->id == post &&
             (*thread)[1] && (*thread)[1]->id == *first,
         "Thread to be root first");
  ExpectOk(deleted, "DeletePost of the reply");
  Expect(gap.ok() && gap->size() == 2 && (*gap)[0] && !(*gap)[1], "Thread to show the gap");
  return Status::OK();
}

Status CommentsExample(puppies::Engine& engine, UserId alice, UserId bob, UserId carol,
                       PostId post) {
  // [START comments]
  puppies::Result<puppies::CommentId> first = engine.AddComment(bob, post, {"Nice!"});
  puppies::Result<puppies::CommentId> answer =
      engine.AddComment(alice, post, {"Thanks!", *first});  // reply_to: a comment on the post
  puppies::Result<puppies::CommentPage> comments = engine.Comments(post);  // oldest first
  puppies::Result<puppies::Post> with_count = engine.GetPost(post);        // comment_count == 2
  puppies::Status not_yours = engine.DeleteComment(carol, *first);         // permission_denied
  puppies::Status removed = engine.DeleteComment(alice, *first);  // ok: alice wrote the post
  // [END comments]
  Expect(first.ok() && answer.ok() && comments.ok() && comments->items.size() == 2 &&
             comments->items[0].id == *first && comments->items[1].reply_to == *first,
         "two comments, oldest first");
  Expect(with_count.ok() && with_count->comment_count == 2, "comment_count to be 2");
  Expect(not_yours.IsPermissionDenied(), "a stranger not to delete a comment");
  Expect(removed.ok() && engine.GetPost(post)->comment_count == 1,
         "the post's author to delete it");
  return Status::OK();
}

Status PagingExample(puppies::Engine& engine, UserId reader, std::vector<puppies::Post>* out) {
  // [START paging]
  std::vector<puppies::Post> posts;
  puppies::PageRequest page;
  page.limit = 50;  // 1..1000; the default is 20
  do {
    puppies::Result<puppies::PostPage> feed = engine.HomeFeed(reader, page);
    if (!feed.ok()) return feed.status();
    posts.insert(posts.end(), feed->items.begin(), feed->items.end());
    page.cursor = feed->next_cursor;  // empty exactly when has_more is false
  } while (!page.cursor.empty());
  // [END paging]
  *out = std::move(posts);
  return Status::OK();
}

Status BackgroundExample(puppies::Engine& engine) {
  // [START wait_idle]
  puppies::Status idle = engine.WaitIdle();  // fan-out queued so far has finished
  if (!idle.ok()) return idle;
  puppies::Result<puppies::Stats> stats = engine.GetStats();
  // stats->pending_jobs, stats->fanout_entries, stats->latency["home_feed"].p99_us,
  // stats->object_cache_hits, stats->rocksdb["rocksdb.total-sst-files-size"]
  puppies::Result<std::vector<std::string>> violations = engine.Check();  // empty: consistent
  // [END wait_idle]
  Expect(stats.ok(), "GetStats to succeed");
  Expect(violations.ok() && violations->empty(), "Check to be clean");
  return Status::OK();
}

Status RepairExample(puppies::Engine& engine) {
  // [START repair]
  puppies::Result<std::vector<std::string>> fixes = engine.Repair();  // waits for WaitIdle first
  if (!fixes.ok()) return fixes.status();  // Corruption: damaged storage, restore a backup
  for (const std::string& fix : *fixes) std::printf("fixed %s\n", fix.c_str());
  puppies::Result<std::vector<std::string>> left = engine.Check();  // what Repair cannot fix
  // [END repair]
  Expect(fixes->empty(), "Repair to find nothing to fix");
  Expect(left.ok() && left->empty(), "Check to be clean after Repair");
  return Status::OK();
}

// Options that make results deterministic: a manual clock and synchronous fan-out.
Status DeterministicExample(const std::string& path) {
  // [START deterministic]
  auto clock = std::make_shared<puppies::ManualClock>(1'700'000'000'000'000);  // µs
  puppies::Options options;
  options.clock = clock;
  options.synchronous_fanout = true;  // calls return after their background work is done
  auto opened = puppies::Engine::Open(options, path);
  if (!opened.ok()) return opened.status();
  puppies::Engine& engine = **opened;

  auto writer = engine.CreateUser("writer"), reader = engine.CreateUser("reader");
  if (!writer.ok() || !reader.ok()) return Status::Internal("cannot create users");
  if (auto s = engine.Follow(*reader, *writer); !s.ok()) return s.status();
  puppies::NewPost post;
  post.text = "written at a known time";
  if (auto s = engine.CreatePost(*writer, post); !s.ok()) return s.status();
  clock->Advance(1'000'000);             // one second later
  auto feed = engine.HomeFeed(*reader);  // already holds the post: no WaitIdle needed
  // [END deterministic]
  Expect(
      feed.ok() && feed->items.size() == 1 && feed->items[0].created_at_us == 1'700'000'000'000'000,
      "synchronous fan-out and the manual clock");
  return engine.Close();
}

Status ConcurrencyExample(puppies::Engine& engine, UserId author) {
  // [START threads]
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&engine, &failures, author, t] {
      for (int i = 0; i < 25; ++i) {
        puppies::NewPost post;
        post.text = "thread " + std::to_string(t) + ", post " + std::to_string(i);
        if (!engine.CreatePost(author, post).ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  // [END threads]
  Expect(failures == 0, "concurrent posts to succeed");
  return Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: guide_examples NEW_DIRECTORY\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);

  std::unique_ptr<puppies::Engine> engine = Open((dir / "main").string());
  Expect(engine != nullptr, "Open to succeed");
  ExpectOk(StatusExample(*engine), "status");
  UserId alice{};
  ExpectOk(UsersExample(*engine, &alice), "users");
  auto bob = engine->CreateUser("bob");
  auto carol = engine->CreateUser("carol");
  Expect(bob.ok() && carol.ok(), "bob and carol to be created");
  ExpectOk(FollowsExample(*engine, alice, *bob, *carol), "follows");
  PostId post{};
  ExpectOk(PostsExample(*engine, alice, *bob, &post), "posts");
  ExpectOk(LikesExample(*engine, *bob, post), "likes");
  ExpectOk(EditExample(*engine, alice, post), "edit");
  ExpectOk(HashtagsExample(*engine, alice, *bob), "hashtags");
  ExpectOk(BookmarksExample(*engine, *bob, post), "bookmarks");
  ExpectOk(RepliesExample(*engine, *bob, *carol, post), "replies");
  ExpectOk(CommentsExample(*engine, alice, *bob, *carol, post), "comments");
  ExpectOk(ConcurrencyExample(*engine, alice), "threads");
  ExpectOk(BackgroundExample(*engine), "background");
  ExpectOk(RepairExample(*engine), "repair");

  // bob follows alice (1 + 100 posts) and carol (muted: hidden); his own reply was deleted.
  std::vector<puppies::Post> feed;
  ExpectOk(PagingExample(*engine, *bob, &feed), "paging");
  Expect(feed.size() == 101, "bob's feed to hold alice's 101 posts");
  for (size_t i = 1; i < feed.size(); ++i) {
    Expect(feed[i - 1].id > feed[i].id, "the feed to be newest first");
  }

  // [START close]
  puppies::Status closed = engine->Close();  // joins background threads, flushes
  if (!closed.ok()) std::fprintf(stderr, "close: %s\n", closed.ToString().c_str());
  engine.reset();  // the destructor would close too, but could not report an error
  // [END close]
  ExpectOk(closed, "Close");

  ExpectOk(DeterministicExample((dir / "deterministic").string()), "deterministic");
  std::printf("guide_examples: all snippets behaved as the guide says\n");
  return 0;
}
