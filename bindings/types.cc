// The value types: Media, User, Post and Page, with their reprs.

#include <pybind11/operators.h>

#include "common.h"

namespace puppies_python {
namespace {

std::string MediaRepr(const pp::Media& m) {
  return py::str("Media(url={!r}, mime_type={!r}, width={}, height={}, alt_text={!r})")
      .format(m.url, m.mime_type, m.width, m.height, m.alt_text)
      .cast<std::string>();
}

std::string UserRepr(const pp::User& u) {
  return py::str(
             "User(id={}, username={!r}, display_name={!r}, bio={!r}, created_at={}, "
             "follower_count={}, following_count={}, post_count={})")
      .format(pp::ToInt(u.id), u.username, u.display_name, u.bio, u.created_at_us, u.follower_count,
              u.following_count, u.post_count)
      .cast<std::string>();
}

// An optional id (reply_to): None for 0.
py::object IdOrNone(uint64_t id) {
  if (id == 0) return py::none();
  return py::int_(id);
}

py::object ReplyTo(const pp::Post& p) { return IdOrNone(pp::ToInt(p.reply_to)); }
py::object CommentReplyTo(const pp::Comment& c) { return IdOrNone(pp::ToInt(c.reply_to)); }

std::string PostRepr(const pp::Post& p) {
  return py::str(
             "Post(id={}, author={}, text={!r}, media={!r}, reply_to={!r}, created_at={}, "
             "like_count={}, comment_count={}, reply_count={}, edited_at={!r}, hashtags={!r}, "
             "mentions={!r})")
      .format(pp::ToInt(p.id), pp::ToInt(p.author), p.text, py::cast(p.media), ReplyTo(p),
              p.created_at_us, p.like_count, p.comment_count, p.reply_count,
              py::cast(p.edited_at_us), py::cast(p.hashtags), py::cast(p.mentions))
      .cast<std::string>();
}

std::string CommentRepr(const pp::Comment& c) {
  return py::str("Comment(id={}, post={}, author={}, text={!r}, reply_to={!r}, created_at={})")
      .format(pp::ToInt(c.id), pp::ToInt(c.post), pp::ToInt(c.author), c.text, CommentReplyTo(c),
              c.created_at_us)
      .cast<std::string>();
}

}  // namespace

void BindTypes(py::module_& m) {
  py::class_<pp::Media> media(m, "Media", "A media attachment described by the host application.");
  ShowAsPublic(media);
  media
      .def(py::init([](Text url, Text mime_type, Width width, Height height, Text alt_text) {
             return pp::Media{std::move(url.value), std::move(mime_type.value), width.value,
                              height.value, std::move(alt_text.value)};
           }),
           "url"_a, "mime_type"_a, "width"_a = Width{0}, "height"_a = Height{0},
           "alt_text"_a = Text{""})
      .def_readonly("url", &pp::Media::url)
      .def_readonly("mime_type", &pp::Media::mime_type)
      .def_readonly("width", &pp::Media::width)
      .def_readonly("height", &pp::Media::height)
      .def_readonly("alt_text", &pp::Media::alt_text)
      .def(py::self == py::self)
      .def("__repr__", &MediaRepr);

  py::class_<pp::User> user(m, "User", "A user profile with its exact counts.");
  ShowAsPublic(user);
  user.def_readonly("id", &pp::User::id)
      .def_readonly("username", &pp::User::username)
      .def_readonly("display_name", &pp::User::display_name)
      .def_readonly("bio", &pp::User::bio)
      .def_readonly("created_at", &pp::User::created_at_us,
                    "Creation time in microseconds since the Unix epoch.")
      .def_readonly("follower_count", &pp::User::follower_count)
      .def_readonly("following_count", &pp::User::following_count)
      .def_readonly("post_count", &pp::User::post_count)
      .def(py::self == py::self)
      .def("__repr__", &UserRepr);

  py::class_<pp::Post> post(m, "Post", "A post with its exact counts.");
  ShowAsPublic(post);
  post.def_readonly("id", &pp::Post::id)
      .def_readonly("author", &pp::Post::author)
      .def_readonly("text", &pp::Post::text)
      .def_property_readonly(
          "media", [](const pp::Post& p) { return p.media; },
          "A new list of Media on every access.")
      .def_property_readonly("reply_to", &ReplyTo, "The parent post id, or None.")
      .def_readonly("created_at", &pp::Post::created_at_us,
                    "Creation time in microseconds since the Unix epoch.")
      .def_readonly("like_count", &pp::Post::like_count)
      .def_readonly("comment_count", &pp::Post::comment_count)
      .def_readonly("reply_count", &pp::Post::reply_count,
                    "Live posts whose reply_to is this post.")
      .def_readonly("edited_at", &pp::Post::edited_at_us,
                    "When the post was last edited (microseconds since the Unix epoch), or None.")
      .def_property_readonly(
          "hashtags", [](const pp::Post& p) { return p.hashtags; },
          "The text's hashtags, lowercase, without '#', each once (a new list on every access).")
      .def_property_readonly(
          "mentions", [](const pp::Post& p) { return p.mentions; },
          "Ids of the users the text mentions, each once (a new list on every access).")
      .def(py::self == py::self)
      .def("__repr__", &PostRepr);

  py::class_<pp::Comment> comment(m, "Comment", "A comment on a post.");
  ShowAsPublic(comment);
  comment.def_readonly("id", &pp::Comment::id)
      .def_readonly("post", &pp::Comment::post)
      .def_readonly("author", &pp::Comment::author)
      .def_readonly("text", &pp::Comment::text)
      .def_property_readonly("reply_to", &CommentReplyTo,
                             "The id of the comment this one answers, or None.")
      .def_readonly("created_at", &pp::Comment::created_at_us,
                    "Creation time in microseconds since the Unix epoch.")
      .def(py::self == py::self)
      .def("__repr__", &CommentRepr);

  py::class_<PyPage> page(m, "Page",
                          "One page of a list, newest first (a post's comments: oldest first).");
  ShowAsPublic(page);
  page.def_readonly("items", &PyPage::items)
      .def_readonly("next_cursor", &PyPage::next_cursor,
                    "Pass as cursor= to read the next page; None at the end.")
      .def_readonly("has_more", &PyPage::has_more)
      .def("__eq__",
           [](const PyPage& a, py::object b) -> py::object {
             if (!py::isinstance<PyPage>(b)) {
               return py::reinterpret_borrow<py::object>(Py_NotImplemented);
             }
             const PyPage& o = b.cast<const PyPage&>();
             return py::bool_(a.has_more == o.has_more && a.next_cursor == o.next_cursor &&
                              a.items.equal(o.items));
           })
      .def("__repr__", [](const PyPage& p) {
        return py::str("Page(items={!r}, next_cursor={!r}, has_more={!r})")
            .format(p.items, py::cast(p.next_cursor), p.has_more);
      });
}

}  // namespace puppies_python
