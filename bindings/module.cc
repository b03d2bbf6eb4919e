// puppies._puppies: the pybind11 module behind `import puppies` (see docs/python.md).
//
// Thin by design: it converts Python values to the public C++ types, calls puppies::Engine with
// the GIL released, and converts results back. Rules followed throughout (HOUSE-STYLE, "Python
// bindings"):
// - Functions whose bound signature is pure C++ (ids, Text, Limit, our structs) release the GIL
//   with py::call_guard<py::gil_scoped_release>; pybind11 converts arguments before the guard
//   and the return value after it, with the GIL held again.
// - Functions that must touch Python objects (open, post, get_posts, import_follows, pages,
//   stats) convert first, then release the GIL in a { py::gil_scoped_release } block that holds
//   only C++ values.
// - A failed Status becomes a C++ StatusError; ONE exception translator turns it into the class
//   chosen by puppies.errors._from_status (the one code -> class table lives in Python).

#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "puppies/puppies.h"

namespace py = pybind11;
using namespace pybind11::literals;

namespace puppies_python {

namespace pp = puppies;

// ---- Errors ------------------------------------------------------------------------------------

// A failed Status on its way to Python. `closed` marks the FailedPrecondition of a closed engine,
// which Python sees as puppies.ClosedError.
struct StatusError : std::exception {
  StatusError(pp::StatusCode c, std::string m, bool cl = false)
      : code(c), message(std::move(m)), closed(cl) {}
  const char* what() const noexcept override { return message.c_str(); }
  pp::StatusCode code;
  std::string message;
  bool closed;
};

[[noreturn]] void ThrowInvalid(std::string message) {
  throw StatusError(pp::StatusCode::kInvalidArgument, std::move(message));
}

// puppies.errors._from_status(code, message, closed) -> Error instance. Set once at import and
// intentionally never released: the translator may run until the interpreter shuts down.
PyObject* g_from_status = nullptr;

void TranslateStatusError(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const StatusError& e) {
    py::object exc = py::reinterpret_borrow<py::object>(g_from_status)(pp::CodeName(e.code),
                                                                       e.message, e.closed);
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  }
}

// ---- Argument conversion ------------------------------------------------------------------------

// The text of `o` for an error message, cut to a readable length.
std::string ShortRepr(py::handle o) {
  std::string s = py::repr(o).cast<std::string>();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

// Loads a Python int (or an object with __index__, not bool/float) into T. Returns false for a
// non-integer (pybind11 then raises TypeError); raises InvalidArgumentError naming `what` for an
// integer outside [lo, hi] (shown as `range` when given).
template <class T>
bool LoadInt(py::handle src, std::string_view what, T lo, T hi, T* out,
             std::string_view range = {}) {
  PyObject* o = src.ptr();
  if (!o || PyBool_Check(o) || PyFloat_Check(o)) return false;
  py::object index;
  if (!PyLong_Check(o)) {
    if (!PyIndex_Check(o)) return false;
    index = py::reinterpret_steal<py::object>(PyNumber_Index(o));
    if (!index) {
      PyErr_Clear();
      return false;
    }
    o = index.ptr();
  }
  bool in_range = false;
  if constexpr (std::is_unsigned_v<T>) {
    const unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
      PyErr_Clear();  // OverflowError: negative or too large
    } else if (v >= lo && v <= hi) {
      *out = static_cast<T>(v);
      in_range = true;
    }
  } else {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) {
      PyErr_Clear();
    } else if (!overflow && v >= lo && v <= hi) {
      *out = static_cast<T>(v);
      in_range = true;
    }
  }
  if (!in_range) {
    ThrowInvalid(
        std::string(what) + " is " + ShortRepr(src) + ", must be in " +
        (range.empty() ? std::to_string(lo) + ".." + std::to_string(hi) : std::string(range)));
  }
  return true;
}

// Ids are 1..2**64-1; 0 is passed on for the engine to reject with the parameter's name.
constexpr std::string_view kIdRange = "1..18446744073709551615";

// A str argument, encoded strictly to UTF-8. bytes are refused (TypeError); a str that cannot be
// encoded (a lone surrogate) raises InvalidArgumentError.
struct Text {
  std::string value;
};

// An integer argument for a field of type T, range-checked with a message naming the field.
template <size_t N>
struct FieldName {
  constexpr FieldName(const char (&s)[N]) { std::copy_n(s, N, name); }  // NOLINT: implicit
  char name[N];
};
// kRange is the range the message names when the int does not fit T; "" names T's own range.
// A value that fits T but not kRange is passed on for the engine to reject.
template <class T, FieldName kName, FieldName kRange = "">
struct Int {
  T value{};
};
using Limit = Int<uint32_t, "limit", "1..1000">;  // 1..1000 is checked by the engine
using Width = Int<uint32_t, "width">;
using Height = Int<uint32_t, "height">;
// Microseconds since the Unix epoch, not in the future (checked by the engine).
using Micros = Int<int64_t, "created_at", "0..9223372036854775807">;

bool LoadText(py::handle src, std::string* out) {
  if (!src || !PyUnicode_Check(src.ptr())) return false;
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(src.ptr(), &size);
  if (!data) {
    py::error_already_set e;  // fetches and clears the UnicodeEncodeError
    ThrowInvalid(std::string("str cannot be encoded to utf-8: ") + e.what());
  }
  out->assign(data, static_cast<size_t>(size));
  return true;
}

}  // namespace puppies_python

namespace pybind11::detail {

template <>
struct type_caster<puppies::UserId> {
  PYBIND11_TYPE_CASTER(puppies::UserId, const_name("int"));
  bool load(handle src, bool) {
    uint64_t v = 0;
    if (!puppies_python::LoadInt<uint64_t>(src, "user id", 0, UINT64_MAX, &v,
                                           puppies_python::kIdRange)) {
      return false;
    }
    value = puppies::UserId{v};
    return true;
  }
  static handle cast(puppies::UserId id, return_value_policy, handle) {
    return PyLong_FromUnsignedLongLong(puppies::ToInt(id));
  }
};

template <>
struct type_caster<puppies::PostId> {
  PYBIND11_TYPE_CASTER(puppies::PostId, const_name("int"));
  bool load(handle src, bool) {
    uint64_t v = 0;
    if (!puppies_python::LoadInt<uint64_t>(src, "post id", 0, UINT64_MAX, &v,
                                           puppies_python::kIdRange)) {
      return false;
    }
    value = puppies::PostId{v};
    return true;
  }
  static handle cast(puppies::PostId id, return_value_policy, handle) {
    return PyLong_FromUnsignedLongLong(puppies::ToInt(id));
  }
};

template <>
struct type_caster<puppies_python::Text> {
  PYBIND11_TYPE_CASTER(puppies_python::Text, const_name("str"));
  bool load(handle src, bool) { return puppies_python::LoadText(src, &value.value); }
  static handle cast(const puppies_python::Text& t, return_value_policy, handle) {
    return PyUnicode_DecodeUTF8(t.value.data(), static_cast<Py_ssize_t>(t.value.size()), nullptr);
  }
};

template <class T, puppies_python::FieldName kName, puppies_python::FieldName kRange>
struct type_caster<puppies_python::Int<T, kName, kRange>> {
  using IntT = puppies_python::Int<T, kName, kRange>;
  PYBIND11_TYPE_CASTER(IntT, const_name("int"));
  bool load(handle src, bool) {
    return puppies_python::LoadInt<T>(src, kName.name, std::numeric_limits<T>::min(),
                                      std::numeric_limits<T>::max(), &value.value, kRange.name);
  }
  static handle cast(const IntT& v, return_value_policy, handle) {
    return pybind11::int_(v.value).release();
  }
};

}  // namespace pybind11::detail

namespace puppies_python {

// ---- Engine wrapper -----------------------------------------------------------------------------

template <class T>
T Unwrap(pp::Result<T>&& r, bool closed) {
  if (!r.ok()) {
    const pp::Status& s = r.status();
    throw StatusError(s.code(), s.message(),
                      closed && s.code() == pp::StatusCode::kFailedPrecondition);
  }
  return std::move(r).value();
}

inline void Unwrap(pp::Status&& s, bool closed) {
  if (!s.ok()) {
    throw StatusError(s.code(), s.message(),
                      closed && s.code() == pp::StatusCode::kFailedPrecondition);
  }
}

// The Python-visible Engine. Owns the C++ Engine for the Python object's whole life, so a call
// racing with close() never touches freed memory: C++ Close() waits for calls in flight and
// fails later ones, which become ClosedError here.
class PyEngine {
 public:
  PyEngine(std::unique_ptr<pp::Engine> engine, std::string path)
      : engine_(std::move(engine)), path_(std::move(path)) {}

  // Runs `f(engine)` and returns its value or throws StatusError. The GIL must be released.
  template <class F>
  auto Run(F&& f) {
    if (closed_.load(std::memory_order_acquire)) {
      throw StatusError(pp::StatusCode::kFailedPrecondition, "engine is closed", true);
    }
    auto r = f(*engine_);
    return Unwrap(std::move(r), closed_.load(std::memory_order_acquire));
  }

  // The GIL must be released.
  void Close() {
    closed_.store(true, std::memory_order_release);
    Unwrap(engine_->Close(), false);
  }

  bool closed() const { return closed_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

 private:
  std::unique_ptr<pp::Engine> engine_;
  std::string path_;
  std::atomic<bool> closed_{false};
};

// A page as Python sees it: items are ints (user ids) or Post objects.
struct PyPage {
  py::list items;
  std::optional<std::string> next_cursor;
  bool has_more = false;
};

template <class T>
PyPage MakePage(pp::Page<T>&& page) {
  PyPage out;
  for (T& item : page.items) out.items.append(py::cast(std::move(item)));
  if (!page.next_cursor.empty()) out.next_cursor = std::move(page.next_cursor);
  out.has_more = page.has_more;
  return out;
}

pp::PageRequest MakeRequest(Limit limit, std::optional<Text>&& cursor) {
  pp::PageRequest req;
  req.limit = limit.value;
  if (cursor) req.cursor = std::move(cursor->value);
  return req;
}

// Reads a page from `fn(engine, request)` with the GIL released.
template <class Fn>
PyPage ReadPage(PyEngine& self, Limit limit, std::optional<Text> cursor, Fn fn) {
  const pp::PageRequest req = MakeRequest(limit, std::move(cursor));
  auto page = [&] {
    py::gil_scoped_release release;
    return self.Run([&](pp::Engine& e) { return fn(e, req); });
  }();
  return MakePage(std::move(page));
}

// ---- open(path, **options) ----------------------------------------------------------------------

std::string FsPath(py::handle path) {
  // os.fsencode accepts str, bytes and os.PathLike, and encodes str the way the OS expects.
  py::object encoded = py::module_::import("os").attr("fsencode")(path);
  return encoded.cast<std::string>();
}

bool OptionBool(py::handle v, const std::string& name) {
  if (!PyBool_Check(v.ptr())) {
    throw py::type_error("option " + name + " must be bool, not " +
                         std::string(Py_TYPE(v.ptr())->tp_name));
  }
  return v.ptr() == Py_True;
}

template <class T>
T OptionInt(py::handle v, const std::string& name) {
  T out{};
  if (!LoadInt<T>(v, "options." + name, std::numeric_limits<T>::min(),
                  std::numeric_limits<T>::max(), &out)) {
    throw py::type_error("option " + name + " must be int, not " +
                         std::string(Py_TYPE(v.ptr())->tp_name));
  }
  return out;
}

pp::Options ParseOptions(const py::kwargs& kwargs) {
  pp::Options o;
  for (auto [key, value] : kwargs) {
    const std::string k = key.cast<std::string>();
    if (k == "create_if_missing")
      o.create_if_missing = OptionBool(value, k);
    else if (k == "error_if_exists")
      o.error_if_exists = OptionBool(value, k);
    else if (k == "synchronous_fanout")
      o.synchronous_fanout = OptionBool(value, k);
    else if (k == "sync")
      o.sync = OptionBool(value, k);
    else if (k == "fanout_threshold")
      o.fanout_threshold = OptionInt<uint64_t>(value, k);
    else if (k == "fanout_hysteresis_percent")
      o.fanout_hysteresis_percent = OptionInt<uint32_t>(value, k);
    else if (k == "inbox_cap")
      o.inbox_cap = OptionInt<uint32_t>(value, k);
    else if (k == "background_threads")
      o.background_threads = OptionInt<uint32_t>(value, k);
    else if (k == "fanout_batch_size")
      o.fanout_batch_size = OptionInt<uint32_t>(value, k);
    else if (k == "block_cache_bytes")
      o.block_cache_bytes = OptionInt<size_t>(value, k);
    else if (k == "write_buffer_bytes")
      o.write_buffer_bytes = OptionInt<size_t>(value, k);
    else if (k == "max_post_bytes")
      o.max_post_bytes = OptionInt<uint32_t>(value, k);
    else if (k == "max_display_name_bytes")
      o.max_display_name_bytes = OptionInt<uint32_t>(value, k);
    else if (k == "max_bio_bytes")
      o.max_bio_bytes = OptionInt<uint32_t>(value, k);
    else if (k == "max_media_items")
      o.max_media_items = OptionInt<uint32_t>(value, k);
    else
      throw py::type_error("open() got an unexpected keyword argument '" + k + "'");
  }
  return o;
}

std::unique_ptr<PyEngine> Open(const py::object& path, const py::kwargs& kwargs) {
  std::string fs_path = FsPath(path);
  const pp::Options options = ParseOptions(kwargs);
  std::unique_ptr<pp::Engine> engine;
  {
    py::gil_scoped_release release;
    engine = Unwrap(pp::Engine::Open(options, fs_path), false);
  }
  py::object shown = py::module_::import("os").attr("fsdecode")(path);
  return std::make_unique<PyEngine>(std::move(engine), shown.cast<std::string>());
}

// ---- Conversions from Python containers ---------------------------------------------------------

pp::Media MediaFromPython(py::handle item, py::handle media_class) {
  if (py::isinstance<pp::Media>(item)) return item.cast<pp::Media>();
  if (PyDict_Check(item.ptr())) {
    // Media(**item): the constructor checks keys and types exactly as for keyword arguments.
    return media_class(**py::reinterpret_borrow<py::dict>(item)).cast<pp::Media>();
  }
  throw py::type_error(std::string("media items must be Media or dict, not ") +
                       Py_TYPE(item.ptr())->tp_name);
}

std::vector<pp::Media> MediaListFromPython(py::handle media, py::handle media_class) {
  std::vector<pp::Media> out;
  if (media.is_none()) return out;
  if (PyUnicode_Check(media.ptr()) || PyBytes_Check(media.ptr()) || PyDict_Check(media.ptr()) ||
      py::isinstance<pp::Media>(media)) {
    throw py::type_error("media must be a list of Media or dict");
  }
  for (py::handle item : py::iter(media)) out.push_back(MediaFromPython(item, media_class));
  return out;
}

pp::PostId PostIdFromPython(py::handle o) {
  py::detail::make_caster<pp::PostId> c;
  if (!c.load(o, true)) {
    throw py::type_error(std::string("post ids must be int, not ") + Py_TYPE(o.ptr())->tp_name);
  }
  return py::detail::cast_op<pp::PostId>(c);
}

pp::UserId UserIdFromPython(py::handle o) {
  py::detail::make_caster<pp::UserId> c;
  if (!c.load(o, true)) {
    throw py::type_error(std::string("user ids must be int, not ") + Py_TYPE(o.ptr())->tp_name);
  }
  return py::detail::cast_op<pp::UserId>(c);
}

void CheckIterableOfIds(py::handle o, const char* what) {
  if (PyUnicode_Check(o.ptr()) || PyBytes_Check(o.ptr()) || PyLong_Check(o.ptr())) {
    throw py::type_error(std::string(what) + " must be an iterable of int, not " +
                         Py_TYPE(o.ptr())->tp_name);
  }
}

// ---- Reprs --------------------------------------------------------------------------------------

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

py::object ReplyTo(const pp::Post& p) {
  if (pp::ToInt(p.reply_to) == 0) return py::none();
  return py::int_(pp::ToInt(p.reply_to));
}

std::string PostRepr(const pp::Post& p) {
  return py::str(
             "Post(id={}, author={}, text={!r}, media={!r}, reply_to={!r}, created_at={}, "
             "like_count={}, comment_count={})")
      .format(pp::ToInt(p.id), pp::ToInt(p.author), p.text, py::cast(p.media), ReplyTo(p),
              p.created_at_us, p.like_count, p.comment_count)
      .cast<std::string>();
}

py::dict StatsToDict(const pp::Stats& s) {
  py::dict d;
  d["operations"] = py::cast(s.operations);
  d["pending_jobs"] = s.pending_jobs;
  d["completed_jobs"] = s.completed_jobs;
  d["fanout_entries"] = s.fanout_entries;
  d["feed_inbox_pages"] = s.feed_inbox_pages;
  d["feed_pull_pages"] = s.feed_pull_pages;
  d["pulled_authors"] = s.pulled_authors;
  d["rocksdb"] = py::cast(s.rocksdb);
  return d;
}

}  // namespace puppies_python

PYBIND11_MODULE(_puppies, m) {
  using namespace puppies_python;
  using Guard = py::call_guard<py::gil_scoped_release>;

  m.doc() = "Native core of the puppies package; import puppies instead.";

  // The exception classes and their one code -> class table live in puppies/errors.py.
  py::module_ errors = py::module_::import("puppies.errors");
  g_from_status = py::object(errors.attr("_from_status")).release().ptr();
  py::register_exception_translator(&TranslateStatusError);

  m.attr("__version__") = PUPPIES_VERSION_STRING;
  m.attr("NO_PULL") = py::int_(pp::Options::kNoPull);

  // Classes are shown as puppies.X (their public home) in reprs and signatures.
  auto public_module = [](auto& cls) { cls.attr("__module__") = "puppies"; };

  // ---- Value types ----
  py::class_<pp::Media> media(m, "Media", "A media attachment described by the host application.");
  public_module(media);
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
  public_module(user);
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
  public_module(post);
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
      .def(py::self == py::self)
      .def("__repr__", &PostRepr);

  py::class_<PyPage> page(m, "Page", "One page of a list, newest first.");
  public_module(page);
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

  // ---- Engine ----
  py::class_<PyEngine> engine(
      m, "Engine", "An open puppies database. Create with puppies.open(path, **options).");
  public_module(engine);
  engine
      .def("close", &PyEngine::Close, Guard(),
           "Stops background work (it resumes at the next open), flushes and closes. Idempotent.")
      .def_property_readonly("closed", &PyEngine::closed)
      .def_property_readonly("path", &PyEngine::path)
      .def("__enter__",
           [](py::object self) {
             if (self.cast<PyEngine&>().closed()) {
               throw StatusError(pp::StatusCode::kFailedPrecondition, "engine is closed", true);
             }
             return self;
           })
      .def("__exit__",
           [](PyEngine& self, py::args) {
             py::gil_scoped_release release;
             self.Close();
           })
      .def("__repr__",
           [](const PyEngine& self) {
             return py::str("<puppies.Engine path={!r} {}>")
                 .format(self.path(), self.closed() ? "closed" : "open");
           })

      // ---- Users ----
      .def(
          "create_user",
          [](PyEngine& self, Text username, Text display_name, Text bio) {
            return self.Run([&](pp::Engine& e) {
              return e.CreateUser(username.value, pp::UserProfile{std::move(display_name.value),
                                                                  std::move(bio.value)});
            });
          },
          "username"_a, py::kw_only(), "display_name"_a = Text{""}, "bio"_a = Text{""}, Guard(),
          "Creates a user and returns its id.")
      .def(
          "get_user",
          [](PyEngine& self, pp::UserId id) {
            return self.Run([&](pp::Engine& e) { return e.GetUser(id); });
          },
          "user_id"_a, Guard())
      .def(
          "find_user",
          [](PyEngine& self, Text username) -> std::optional<pp::User> {
            try {
              return self.Run([&](pp::Engine& e) { return e.FindUser(username.value); });
            } catch (const StatusError& err) {
              if (err.code == pp::StatusCode::kNotFound) return std::nullopt;
              throw;
            }
          },
          "username"_a, Guard(), "The user with this username (ignoring case), or None.")
      .def(
          "update_user",
          [](PyEngine& self, pp::UserId id, std::optional<Text> display_name,
             std::optional<Text> bio) {
            pp::UserUpdate update;
            if (display_name) update.display_name = std::move(display_name->value);
            if (bio) update.bio = std::move(bio->value);
            self.Run([&](pp::Engine& e) { return e.UpdateUser(id, update); });
          },
          "user_id"_a, py::kw_only(), "display_name"_a = py::none(), "bio"_a = py::none(), Guard(),
          "Changes the fields given (None leaves a field unchanged).")

      // ---- Social graph ----
      .def(
          "follow",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.Follow(a, b); });
          },
          "follower"_a, "followee"_a, Guard(), "True if the edge is new.")
      .def(
          "unfollow",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.Unfollow(a, b); });
          },
          "follower"_a, "followee"_a, Guard(), "True if the edge existed.")
      .def(
          "is_following",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.IsFollowing(a, b); });
          },
          "follower"_a, "followee"_a, Guard())
      .def(
          "followers",
          [](PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
            return ReadPage(
                self, limit, std::move(cursor),
                [u](pp::Engine& e, const pp::PageRequest& r) { return e.Followers(u, r); });
          },
          "user_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "Ids of the accounts following user_id, newest edge first.")
      .def(
          "following",
          [](PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
            return ReadPage(
                self, limit, std::move(cursor),
                [u](pp::Engine& e, const pp::PageRequest& r) { return e.Following(u, r); });
          },
          "user_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "Ids of the accounts user_id follows, newest edge first.")
      .def(
          "block",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.Block(a, b); });
          },
          "blocker"_a, "blocked"_a, Guard(), "True if the block is new.")
      .def(
          "unblock",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.Unblock(a, b); });
          },
          "blocker"_a, "blocked"_a, Guard(), "True if a block was removed.")
      .def(
          "is_blocking",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.IsBlocking(a, b); });
          },
          "blocker"_a, "blocked"_a, Guard())
      .def(
          "mute",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.Mute(a, b); });
          },
          "muter"_a, "muted"_a, Guard(), "True if the mute is new.")
      .def(
          "is_muting",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.IsMuting(a, b); });
          },
          "muter"_a, "muted"_a, Guard())
      .def(
          "unmute",
          [](PyEngine& self, pp::UserId a, pp::UserId b) {
            return self.Run([&](pp::Engine& e) { return e.Unmute(a, b); });
          },
          "muter"_a, "muted"_a, Guard(), "True if a mute was removed.")
      .def(
          "import_follows",
          [](PyEngine& self, const py::iterable& edges) {
            CheckIterableOfIds(edges, "edges");
            std::vector<pp::FollowEdge> all;
            const Py_ssize_t hint = PyObject_LengthHint(edges.ptr(), 0);
            if (hint < 0) {
              PyErr_Clear();
            } else {
              all.reserve(static_cast<size_t>(hint));
            }
            for (py::handle edge : py::iter(edges)) {
              PyObject* e = edge.ptr();
              py::object a, b;  // owned: converting `a` may run Python code (__index__)
              if (PyTuple_Check(e) && PyTuple_GET_SIZE(e) == 2) {
                a = py::reinterpret_borrow<py::object>(PyTuple_GET_ITEM(e, 0));
                b = py::reinterpret_borrow<py::object>(PyTuple_GET_ITEM(e, 1));
              } else if (PyList_Check(e) && PyList_GET_SIZE(e) == 2) {
                a = py::reinterpret_borrow<py::object>(PyList_GET_ITEM(e, 0));
                b = py::reinterpret_borrow<py::object>(PyList_GET_ITEM(e, 1));
              } else {
                throw py::type_error("edges must be (follower, followee) pairs of int, not " +
                                     ShortRepr(edge));
              }
              all.push_back(pp::FollowEdge{UserIdFromPython(a), UserIdFromPython(b)});
            }
            // One engine call, so its all-or-nothing user checks and batch semantics apply to
            // the whole iterable.
            py::gil_scoped_release release;
            return self.Run([&](pp::Engine& e) { return e.ImportFollows(all); });
          },
          "edges"_a, "Imports (follower, followee) pairs in bulk; returns the number of new edges.")

      // ---- Posts ----
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
            for (py::handle o : py::iter(post_ids)) ids.push_back(PostIdFromPython(o));
            py::gil_scoped_release release;
            return self.Run([&](pp::Engine& e) { return e.GetPosts(ids); });
          },
          "post_ids"_a, "One Post or None (unknown or deleted) per id, in order.")
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

      // ---- Likes ----
      .def(
          "like",
          [](PyEngine& self, pp::UserId u, pp::PostId p) {
            return self.Run([&](pp::Engine& e) { return e.Like(u, p); });
          },
          "user_id"_a, "post_id"_a, Guard(), "True if the like is new.")
      .def(
          "unlike",
          [](PyEngine& self, pp::UserId u, pp::PostId p) {
            return self.Run([&](pp::Engine& e) { return e.Unlike(u, p); });
          },
          "user_id"_a, "post_id"_a, Guard(), "True if a like was removed.")
      .def(
          "has_liked",
          [](PyEngine& self, pp::UserId u, pp::PostId p) {
            return self.Run([&](pp::Engine& e) { return e.HasLiked(u, p); });
          },
          "user_id"_a, "post_id"_a, Guard())
      .def(
          "likers",
          [](PyEngine& self, pp::PostId p, Limit limit, std::optional<Text> cursor) {
            return ReadPage(
                self, limit, std::move(cursor),
                [p](pp::Engine& e, const pp::PageRequest& r) { return e.Likers(p, r); });
          },
          "post_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "Ids of the users who liked the post, newest like first.")
      .def(
          "liked_posts",
          [](PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
            return ReadPage(
                self, limit, std::move(cursor),
                [u](pp::Engine& e, const pp::PageRequest& r) { return e.LikedPosts(u, r); });
          },
          "user_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "Posts the user liked, newest like first.")

      // ---- Feed ----
      .def(
          "home_feed",
          [](PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
            return ReadPage(
                self, limit, std::move(cursor),
                [u](pp::Engine& e, const pp::PageRequest& r) { return e.HomeFeed(u, r); });
          },
          "user_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
          "The user's home feed, newest first.")

      // ---- Maintenance ----
      .def(
          "wait_idle", [](PyEngine& self) { self.Run([](pp::Engine& e) { return e.WaitIdle(); }); },
          Guard(), "Blocks until background work queued before the call has finished.")
      .def(
          "check", [](PyEngine& self) { return self.Run([](pp::Engine& e) { return e.Check(); }); },
          Guard(), "One line per storage invariant violation; empty when consistent.")
      .def(
          "repair",
          [](PyEngine& self) { return self.Run([](pp::Engine& e) { return e.Repair(); }); },
          Guard(),
          "Fixes what check() finds where the database allows it; one line per fix, empty when\n"
          "nothing needed fixing. Raises CorruptionError, changing nothing, on damaged storage.")
      .def(
          "stats",
          [](PyEngine& self) {
            pp::Stats stats;
            {
              py::gil_scoped_release release;
              stats = self.Run([](pp::Engine& e) { return e.GetStats(); });
            }
            return StatsToDict(stats);
          },
          "Operation counts, queue depth and RocksDB figures.");

  m.def("open", &Open, "path"_a,
        "Opens (by default creating) the database in directory `path` (str, bytes or\n"
        "os.PathLike). Options are keyword-only and mirror the C++ Options struct:\n"
        "create_if_missing=True, error_if_exists=False, fanout_threshold=10000 (NO_PULL: never\n"
        "pull), fanout_hysteresis_percent=10, inbox_cap=800, synchronous_fanout=False,\n"
        "sync=False, background_threads=2, fanout_batch_size=1000, block_cache_bytes=64 MiB,\n"
        "write_buffer_bytes=64 MiB, max_post_bytes=5000, max_display_name_bytes=64,\n"
        "max_bio_bytes=500, max_media_items=10. An unknown option raises TypeError; a value\n"
        "out of range raises InvalidArgumentError. See docs/python.md.");
}
