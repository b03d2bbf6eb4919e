// Engine methods: posts, timelines, replies, likes, bookmarks and comments (engine.h, "Posts",
// "Replies and threads", "Likes", "Bookmarks" and "Comments").

#include "common.h"

namespace puppies_python {

namespace {
// A call on a user and a post returning a bool (like, bookmark, ...).
template <pp::Result<bool> (pp::Engine::*Call)(pp::UserId, pp::PostId)>
bool UserPost(PyEngine& self, pp::UserId u, pp::PostId p) {
  return self.Run([&](pp::Engine& e) { return (e.*Call)(u, p); });
}

// A page of a user's posts (liked posts, bookmarks).
template <pp::Result<pp::PostPage> (pp::Engine::*Call)(pp::UserId, const pp::PageRequest&)>
PyPage UserPosts(PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
  return ReadPage(self, limit, std::move(cursor),
                  [u](pp::Engine& e, const pp::PageRequest& r) { return (e.*Call)(u, r); });
}

// A page of a post's list (likers, comments, replies).
template <class Item,
          pp::Result<pp::Page<Item>> (pp::Engine::*Call)(pp::PostId, const pp::PageRequest&)>
PyPage PostItems(PyEngine& self, pp::PostId p, Limit limit, std::optional<Text> cursor) {
  return ReadPage(self, limit, std::move(cursor),
                  [p](pp::Engine& e, const pp::PageRequest& r) { return (e.*Call)(p, r); });
}
}  // namespace

void BindPosts(py::class_<PyEngine>& engine) {
  engine
      .def(
          "post",
          [](PyEngine& self, pp::UserId author, Text text, const py::object& media,
             std::optional<pp::PostId> reply_to, std::optional<Micros> created_at) {
            pp::NewPost p;
            p.text = std::move(text.value);
            p.media = MediaListFromPython(media, py::type::of<pp::Media>());
            if (reply_to) {
              if (pp::ToInt(*reply_to) == 0) ThrowInvalid("reply_to is 0, not a post id");
              p.reply_to = *reply_to;
            }
            if (created_at) p.created_at_us = created_at->value;
            py::gil_scoped_release release;
            return self.Run([&](pp::Engine& e) { return e.CreatePost(author, p); });
          },
          "author"_a, "text"_a, py::kw_only(), "media"_a = py::none(), "reply_to"_a = py::none(),
          "created_at"_a = py::none(), "Creates a post and returns its id.")
      .def(
          "get_post",
          [](PyEngine& self, pp::PostId id) {
            return self.Run([&](pp::Engine& e) { return e.GetPost(id); });
          },
          "post_id"_a, Guard())
      .def(
          "get_posts",
          [](PyEngine& self, const py::iterable& post_ids) {
            CheckIterableOfIds(post_ids, "post_ids");
            std::vector<pp::PostId> ids;
            for (py::handle o : py::iter(post_ids))
              ids.push_back(IdFromPython<pp::PostId>(o, "post ids"));
            py::gil_scoped_release release;
            return self.Run([&](pp::Engine& e) { return e.GetPosts(ids); });
          },
          "post_ids"_a, "One Post or None (unknown or deleted) per id, in order.")
      .def(
          "edit_post",
          [](PyEngine& self, pp::UserId actor, pp::PostId id, std::optional<Text> text,
             const py::object& media) {
            pp::PostEdit edit;
            if (text) edit.text = std::move(text->value);
            if (!media.is_none())
              edit.media = MediaListFromPython(media, py::type::of<pp::Media>());
            py::gil_scoped_release release;
            self.Run([&](pp::Engine& e) { return e.EditPost(actor, id, edit); });
          },
          "actor"_a, "post_id"_a, py::kw_only(), "text"_a = py::none(), "media"_a = py::none(),
          "Changes a post's text, media or both, by its author; None leaves a field as it is.")
      .def(
          "delete_post",
          [](PyEngine& self, pp::UserId actor, pp::PostId id) {
            self.Run([&](pp::Engine& e) { return e.DeletePost(actor, id); });
          },
          "actor"_a, "post_id"_a, Guard())
      .def(
          "user_timeline",
          [](PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
            return ReadPage(
                self, limit, std::move(cursor),
                [u](pp::Engine& e, const pp::PageRequest& r) { return e.UserTimeline(u, r); });
          },
          "user_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "The user's posts, newest first.")

      // ---- Hashtags ----
      .def(
          "hashtag_feed",
          [](PyEngine& self, Text tag, Limit limit, std::optional<Text> cursor) {
            return ReadPage(self, limit, std::move(cursor),
                            [&tag](pp::Engine& e, const pp::PageRequest& r) {
                              return e.HashtagFeed(tag.value, r);
                            });
          },
          "tag"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "Live posts holding the hashtag (with or without '#', any case), newest first.")

      // ---- Replies and threads ----
      .def("replies", &PostItems<pp::Post, &pp::Engine::Replies>, "post_id"_a, py::kw_only(),
           "limit"_a = Limit{20}, "cursor"_a = py::none(),
           "The post's live direct replies, oldest first.")
      .def(
          "thread",
          [](PyEngine& self, pp::PostId id) {
            return self.Run([&](pp::Engine& e) { return e.Thread(id); });
          },
          "post_id"_a, Guard(),
          "The post's ancestors, root first; None where a deleted post stood (at most the "
          "nearest 1000).")

      // ---- Likes ----
      .def("like", &UserPost<&pp::Engine::Like>, "user_id"_a, "post_id"_a, Guard(),
           "True if the like is new.")
      .def("unlike", &UserPost<&pp::Engine::Unlike>, "user_id"_a, "post_id"_a, Guard(),
           "True if a like was removed.")
      .def("has_liked", &UserPost<&pp::Engine::HasLiked>, "user_id"_a, "post_id"_a, Guard())
      .def("likers", &PostItems<pp::UserId, &pp::Engine::Likers>, "post_id"_a, py::kw_only(),
           "limit"_a = Limit{20}, "cursor"_a = py::none(),
           "Ids of the users who liked the post, newest like first.")
      .def("liked_posts", &UserPosts<&pp::Engine::LikedPosts>, "user_id"_a, py::kw_only(),
           "limit"_a = Limit{20}, "cursor"_a = py::none(),
           "Posts the user liked, newest like first.")

      // ---- Bookmarks ----
      .def("bookmark", &UserPost<&pp::Engine::Bookmark>, "user_id"_a, "post_id"_a, Guard(),
           "True if the bookmark is new.")
      .def("unbookmark", &UserPost<&pp::Engine::Unbookmark>, "user_id"_a, "post_id"_a, Guard(),
           "True if a bookmark was removed.")
      .def("has_bookmarked", &UserPost<&pp::Engine::HasBookmarked>, "user_id"_a, "post_id"_a,
           Guard())
      .def("bookmarks", &UserPosts<&pp::Engine::Bookmarks>, "user_id"_a, py::kw_only(),
           "limit"_a = Limit{20}, "cursor"_a = py::none(),
           "Posts the user bookmarked, newest bookmark first (private to the user).")

      // ---- Comments ----
      .def(
          "add_comment",
          [](PyEngine& self, pp::UserId author, pp::PostId post, Text text,
             std::optional<pp::CommentId> reply_to) {
            pp::NewComment c;
            c.text = std::move(text.value);
            if (reply_to) {
              if (pp::ToInt(*reply_to) == 0) ThrowInvalid("reply_to is 0, not a comment id");
              c.reply_to = *reply_to;
            }
            py::gil_scoped_release release;
            return self.Run([&](pp::Engine& e) { return e.AddComment(author, post, c); });
          },
          "author"_a, "post_id"_a, "text"_a, py::kw_only(), "reply_to"_a = py::none(),
          "Adds a comment to a post and returns its id.")
      .def(
          "get_comment",
          [](PyEngine& self, pp::CommentId id) {
            return self.Run([&](pp::Engine& e) { return e.GetComment(id); });
          },
          "comment_id"_a, Guard())
      .def(
          "delete_comment",
          [](PyEngine& self, pp::UserId actor, pp::CommentId id) {
            self.Run([&](pp::Engine& e) { return e.DeleteComment(actor, id); });
          },
          "actor"_a, "comment_id"_a, Guard(),
          "Deletes a comment, by its author or by the post's author.")
      .def("comments", &PostItems<pp::Comment, &pp::Engine::Comments>, "post_id"_a, py::kw_only(),
           "limit"_a = Limit{20}, "cursor"_a = py::none(), "The post's comments, oldest first.");
}

}  // namespace puppies_python
