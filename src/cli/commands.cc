#include "commands.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.h"
#include "snap_import.h"

namespace puppies::cli {
namespace {

// Every subcommand except `demo` names its database with a required --db.
void AddDbOption(CLI::App* sub, std::string* db) {
  sub->add_option("--db", *db, "Database directory")->required();
}

void AddInit(CLI::App& app, std::vector<Command>* commands) {
  auto db = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("init", "Create an empty database");
  AddDbOption(sub, db.get());
  commands->push_back({sub, [db] {
                         auto engine = OpenEngine(*db, OpenMode::kCreateNew);
                         CloseEngine(*engine);
                         fmt::print("created an empty database in {}\n", *db);
                         return 0;
                       }});
}

void AddImport(CLI::App& app, std::vector<Command>* commands) {
  struct Args {
    std::string db, file;
    bool mutual = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "import", "Import a SNAP edge list (plain or .gz): a line 'a b' means a follows b");
  AddDbOption(sub, &args->db);
  sub->add_option("FILE", args->file, "Edge list file")->required();
  sub->add_flag("--mutual", args->mutual, "Each line is a follow both ways (undirected graphs)");
  commands->push_back({sub, [args] {
                         auto engine = OpenEngine(args->db, OpenMode::kCreate);
                         const ImportReport report = ImportSnap(*engine, args->file, args->mutual);
                         Must(engine->WaitIdle());
                         CloseEngine(*engine);
                         PrintImportReport(report);
                         return 0;
                       }});
}

void PrintUser(const User& u) {
  fmt::print("id:           {}\n", ToInt(u.id));
  fmt::print("username:     {}\n", u.username);
  fmt::print("display name: {}\n", OneLine(u.display_name));
  fmt::print("bio:          {}\n", OneLine(u.bio));
  fmt::print("created:      {}\n", FormatTime(u.created_at_us));
  fmt::print("followers:    {}\n", u.follower_count);
  fmt::print("following:    {}\n", u.following_count);
  fmt::print("posts:        {}\n", u.post_count);
}

void AddUser(CLI::App& app, std::vector<Command>* commands) {
  CLI::App* user = app.add_subcommand("user", "Create or show a user");
  user->require_subcommand(1);

  struct CreateArgs {
    std::string db, name, display_name, bio;
  };
  auto create = std::make_shared<CreateArgs>();
  CLI::App* create_cmd = user->add_subcommand("create", "Create a user; prints its id");
  AddDbOption(create_cmd, &create->db);
  create_cmd->add_option("NAME", create->name, "Username: 1..30 of [A-Za-z0-9_]")->required();
  create_cmd->add_option("--display-name", create->display_name, "Display name");
  create_cmd->add_option("--bio", create->bio, "Bio");
  commands->push_back(
      {create_cmd, [create] {
         auto engine = OpenEngine(create->db, OpenMode::kExisting);
         const UserId id = Must(engine->CreateUser(
             create->name, {.display_name = create->display_name, .bio = create->bio}));
         CloseEngine(*engine);
         fmt::print("{}\n", ToInt(id));
         return 0;
       }});

  struct GetArgs {
    std::string db, ref;
  };
  auto get = std::make_shared<GetArgs>();
  CLI::App* get_cmd = user->add_subcommand("get", "Show a user and its counts");
  AddDbOption(get_cmd, &get->db);
  get_cmd->add_option("USER", get->ref, "Username (or @username), or #id for a user id")
      ->required();
  commands->push_back({get_cmd, [get] {
                         auto engine = OpenEngine(get->db, OpenMode::kExisting);
                         const User u = Must(engine->GetUser(ResolveUser(*engine, get->ref)));
                         CloseEngine(*engine);
                         PrintUser(u);
                         return 0;
                       }});
}

// --author: whose post a command writes.
void AddAuthorOption(CLI::App* sub, std::string* author) {
  sub->add_option("--author", *author, "Author: username (or @username), or #id")->required();
}

// --limit and --cursor: which page a paged command reads.
void AddPageOptions(CLI::App* sub, PageRequest* page, const char* items) {
  sub->add_option("--limit", page->limit, fmt::format("{} per page, 1..1000", items))
      ->capture_default_str();
  sub->add_option("--cursor", page->cursor, "next cursor printed by the previous page");
}

void AddPost(CLI::App& app, std::vector<Command>* commands) {
  struct Args {
    std::string db, author, text;
    uint64_t reply_to = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("post", "Create a post; prints its id");
  AddDbOption(sub, &args->db);
  AddAuthorOption(sub, &args->author);
  sub->add_option("--text", args->text, "Post text")->required();
  sub->add_option("--reply-to", args->reply_to, "Id of the post this one answers");
  commands->push_back({sub, [args] {
                         auto engine = OpenEngine(args->db, OpenMode::kExisting);
                         const UserId author = ResolveUser(*engine, args->author);
                         NewPost post = TextPost(args->text);
                         post.reply_to = PostId{args->reply_to};
                         const PostId id = Must(engine->CreatePost(author, post));
                         // Finish the fan-out now rather than at the next Open.
                         Must(engine->WaitIdle());
                         CloseEngine(*engine);
                         fmt::print("{}\n", ToInt(id));
                         return 0;
                       }});
}

// `hashtag`: one page of a hashtag's posts, newest first.
void AddHashtag(CLI::App& app, std::vector<Command>* commands) {
  struct Args {
    std::string db, tag;
    PageRequest page;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("hashtag", "Read a page of a hashtag's posts, newest first");
  AddDbOption(sub, &args->db);
  sub->add_option("--tag", args->tag, "Hashtag, with or without '#', any case")->required();
  AddPageOptions(sub, &args->page, "Posts");
  commands->push_back({sub, [args] {
                         auto engine = OpenEngine(args->db, OpenMode::kExisting);
                         const PostPage page = Must(engine->HashtagFeed(args->tag, args->page));
                         NameCache names(*engine);
                         PrintPostPage(page, names);
                         CloseEngine(*engine);
                         return 0;
                       }});
}

// `edit`: new text for a post, by its author.
void AddEdit(CLI::App& app, std::vector<Command>* commands) {
  struct Args {
    std::string db, author, text;
    uint64_t post = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("edit", "Change the text of a post, by its author");
  AddDbOption(sub, &args->db);
  AddAuthorOption(sub, &args->author);
  sub->add_option("--post", args->post, "Post id")->required();
  sub->add_option("--text", args->text, "New post text")->required();
  commands->push_back({sub, [args] {
                         auto engine = OpenEngine(args->db, OpenMode::kExisting);
                         const UserId author = ResolveUser(*engine, args->author);
                         Must(engine->EditPost(author, PostId{args->post}, {.text = args->text}));
                         NameCache names(*engine);
                         PrintPost(Must(engine->GetPost(PostId{args->post})), names);
                         CloseEngine(*engine);
                         return 0;
                       }});
}

// `comment list` and `replies`: one page of a post's list, printed by `print`.
template <class Item>
void AddPostItems(CLI::App& app, std::vector<Command>* commands, const char* name, const char* help,
                  Result<Page<Item>> (Engine::*read)(PostId, const PageRequest&),
                  void (*print)(const Page<Item>&, NameCache&)) {
  struct Args {
    std::string db;
    uint64_t post = 0;
    PageRequest page;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(name, help);
  AddDbOption(sub, &args->db);
  sub->add_option("--post", args->post, "Post id")->required();
  AddPageOptions(sub, &args->page, "Items");
  commands->push_back({sub, [args, read, print] {
                         auto engine = OpenEngine(args->db, OpenMode::kExisting);
                         const Page<Item> page =
                             Must(((*engine).*read)(PostId{args->post}, args->page));
                         NameCache names(*engine);
                         print(page, names);
                         CloseEngine(*engine);
                         return 0;
                       }});
}

// `comment add` and `comment list`.
void AddComment(CLI::App& app, std::vector<Command>* commands) {
  CLI::App* comment = app.add_subcommand("comment", "Comment on a post, or list its comments");
  comment->require_subcommand(1);

  struct AddArgs {
    std::string db, author, text;
    uint64_t post = 0, reply_to = 0;
  };
  auto add = std::make_shared<AddArgs>();
  CLI::App* add_cmd = comment->add_subcommand("add", "Comment on a post; prints the comment's id");
  AddDbOption(add_cmd, &add->db);
  AddAuthorOption(add_cmd, &add->author);
  add_cmd->add_option("--post", add->post, "Post id")->required();
  add_cmd->add_option("--text", add->text, "Comment text")->required();
  add_cmd->add_option("--reply-to", add->reply_to, "Id of the comment this one answers");
  commands->push_back({add_cmd, [add] {
                         auto engine = OpenEngine(add->db, OpenMode::kExisting);
                         const UserId author = ResolveUser(*engine, add->author);
                         const CommentId id = Must(engine->AddComment(
                             author, PostId{add->post}, {add->text, CommentId{add->reply_to}}));
                         CloseEngine(*engine);
                         fmt::print("{}\n", ToInt(id));
                         return 0;
                       }});

  AddPostItems(*comment, commands, "list", "Read a page of a post's comments", &Engine::Comments,
               &PrintCommentPage);
}

// `feed`, `timeline` and `bookmark list`: one page of a user's post list.
void AddPostList(CLI::App& app, std::vector<Command>* commands, const char* name, const char* help,
                 Result<PostPage> (Engine::*read)(UserId, const PageRequest&)) {
  struct Args {
    std::string db, user;
    PageRequest page;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(name, help);
  AddDbOption(sub, &args->db);
  sub->add_option("--user", args->user, "Username (or @username), or #id")->required();
  AddPageOptions(sub, &args->page, "Posts");
  commands->push_back({sub, [args, read] {
                         auto engine = OpenEngine(args->db, OpenMode::kExisting);
                         const UserId user = ResolveUser(*engine, args->user);
                         // Let fan-out resumed by Open finish, so the page is up to date.
                         Must(engine->WaitIdle());
                         const PostPage page = Must(((*engine).*read)(user, args->page));
                         NameCache names(*engine);
                         PrintPostPage(page, names);
                         CloseEngine(*engine);
                         return 0;
                       }});
}

// `bookmark add`, `bookmark remove` and `bookmark list`.
void AddBookmark(CLI::App& app, std::vector<Command>* commands) {
  CLI::App* bookmark =
      app.add_subcommand("bookmark", "Bookmark a post, or list a user's bookmarks");
  bookmark->require_subcommand(1);
  struct Args {
    std::string db, user;
    uint64_t post = 0;
  };
  for (const bool add : {true, false}) {
    auto args = std::make_shared<Args>();
    CLI::App* sub = bookmark->add_subcommand(
        add ? "add" : "remove", add ? "Bookmark a post; prints whether the bookmark is new"
                                    : "Remove a bookmark; prints "
                                      "whether there was one");
    AddDbOption(sub, &args->db);
    sub->add_option("--user", args->user, "Username (or @username), or #id")->required();
    sub->add_option("--post", args->post, "Post id")->required();
    commands->push_back({sub, [args, add] {
                           auto engine = OpenEngine(args->db, OpenMode::kExisting);
                           const UserId user = ResolveUser(*engine, args->user);
                           const PostId post{args->post};
                           const bool changed = Must(add ? engine->Bookmark(user, post)
                                                         : engine->Unbookmark(user, post));
                           CloseEngine(*engine);
                           fmt::print("{}\n", changed ? "changed" : "unchanged");
                           return 0;
                         }});
  }
  AddPostList(*bookmark, commands, "list", "Read a page of a user's bookmarks, newest first",
              &Engine::Bookmarks);
}

// `replies` (a page of a post's replies) and `thread` (its ancestors, root first).
void AddReplies(CLI::App& app, std::vector<Command>* commands) {
  AddPostItems(app, commands, "replies", "Read a page of a post's replies, oldest first",
               &Engine::Replies, &PrintPostPage);

  struct Args {
    std::string db;
    uint64_t post = 0;
  };
  auto thread = std::make_shared<Args>();
  CLI::App* thread_cmd =
      app.add_subcommand("thread", "Show the posts a post answers, root first, then the post");
  AddDbOption(thread_cmd, &thread->db);
  thread_cmd->add_option("--post", thread->post, "Post id")->required();
  commands->push_back({thread_cmd, [thread] {
                         auto engine = OpenEngine(thread->db, OpenMode::kExisting);
                         const PostId id{thread->post};
                         const std::vector<std::optional<Post>> ancestors =
                             Must(engine->Thread(id));
                         const Post post = Must(engine->GetPost(id));
                         NameCache names(*engine);
                         for (const std::optional<Post>& p : ancestors) {
                           if (p) {
                             PrintPost(*p, names);
                           } else {
                             fmt::print("(deleted)\n");
                           }
                         }
                         PrintPost(post, names);
                         CloseEngine(*engine);
                         return 0;
                       }});
}

void AddStats(CLI::App& app, std::vector<Command>* commands) {
  auto db = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("stats", "Print operation counts, queue and RocksDB figures");
  AddDbOption(sub, db.get());
  commands->push_back({sub, [db] {
                         auto engine = OpenEngine(*db, OpenMode::kExisting);
                         const Stats s = Must(engine->GetStats());
                         CloseEngine(*engine);
                         fmt::print("pending_jobs      {}\n", s.pending_jobs);
                         fmt::print("completed_jobs    {}\n", s.completed_jobs);
                         fmt::print("fanout_entries    {}\n", s.fanout_entries);
                         fmt::print("feed_inbox_pages  {}\n", s.feed_inbox_pages);
                         fmt::print("feed_pull_pages   {}\n", s.feed_pull_pages);
                         fmt::print("pulled_authors    {}\n", s.pulled_authors);
                         fmt::print("object_cache      {} hits, {} misses, {} bytes\n",
                                    s.object_cache_hits, s.object_cache_misses,
                                    s.object_cache_bytes);
                         fmt::print("operations since open:\n");
                         for (const auto& [op, n] : s.operations)
                           fmt::print("  {:<34} {}\n", op, n);
                         if (!s.latency.empty()) {
                           fmt::print("latency (µs):      {:>10} {:>10} {:>10} {:>10} {:>10}\n",
                                      "count", "p50", "p99", "p99.9", "max");
                           for (const auto& [op, l] : s.latency) {
                             fmt::print("  {:<16} {:>10} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f}\n",
                                        op, l.count, l.p50_us, l.p99_us, l.p999_us, l.max_us);
                           }
                         }
                         fmt::print("rocksdb:\n");
                         for (const auto& [k, v] : s.rocksdb) fmt::print("  {:<34} {}\n", k, v);
                         return 0;
                       }});
}

// Prints Check()'s findings; the exit code of `check` and `repair`: 1 if there are any.
int ReportViolations(const std::vector<std::string>& violations) {
  for (const std::string& v : violations) fmt::print("{}\n", v);
  if (!violations.empty()) {
    fmt::print("{} violations\n", violations.size());
    return 1;
  }
  fmt::print("ok: no violations\n");
  return 0;
}

void AddCheck(CLI::App& app, std::vector<Command>* commands) {
  auto db = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "check", "Verify every storage invariant; exits 1 and lists violations if any");
  AddDbOption(sub, db.get());
  commands->push_back({sub, [db] {
                         auto engine = OpenEngine(*db, OpenMode::kExisting);
                         const std::vector<std::string> violations = Must(engine->Check());
                         CloseEngine(*engine);
                         return ReportViolations(violations);
                       }});
}

void AddRepair(CLI::App& app, std::vector<Command>* commands) {
  auto db = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "repair",
      "Fix what check finds where possible, printing each fix; then check again and exit 1 if "
      "violations remain");
  AddDbOption(sub, db.get());
  commands->push_back({sub, [db] {
                         auto engine = OpenEngine(*db, OpenMode::kExisting);
                         const std::vector<std::string> fixes = Must(engine->Repair());
                         const std::vector<std::string> violations = Must(engine->Check());
                         CloseEngine(*engine);
                         for (const std::string& f : fixes) fmt::print("fixed {}\n", f);
                         fmt::print("{} fixes\n", fixes.size());
                         return ReportViolations(violations);
                       }});
}

}  // namespace

void AddDatabaseCommands(CLI::App& app, std::vector<Command>* commands) {
  AddInit(app, commands);
  AddImport(app, commands);
  AddUser(app, commands);
  AddPost(app, commands);
  AddEdit(app, commands);
  AddHashtag(app, commands);
  AddComment(app, commands);
  AddReplies(app, commands);
  AddBookmark(app, commands);
  AddPostList(app, commands, "feed", "Read a page of a user's home feed", &Engine::HomeFeed);
  AddPostList(app, commands, "timeline", "Read a page of a user's own posts",
              &Engine::UserTimeline);
  AddStats(app, commands);
  AddCheck(app, commands);
  AddRepair(app, commands);
}

}  // namespace puppies::cli
