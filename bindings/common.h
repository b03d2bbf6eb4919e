// What every file of the puppies._puppies module shares (see docs/python.md): the StatusError
// that carries a failed Status to Python, the argument types and their pybind11 type_casters,
// the PyEngine wrapper and its pages, and one Bind* function per file.
//
// Thin by design: the module converts Python values to the public C++ types, calls
// puppies::Engine with the GIL released, and converts results back. Rules followed throughout
// (HOUSE-STYLE, "Python bindings"):
// - Functions whose bound signature is pure C++ (ids, Text, Limit, our structs) release the GIL
//   with py::call_guard<py::gil_scoped_release> (Guard below); pybind11 converts arguments
//   before the guard and the return value after it, with the GIL held again.
// - Functions that must touch Python objects (open, post, get_posts, import_follows, pages,
//   stats) convert first, then release the GIL in a { py::gil_scoped_release } block that holds
//   only C++ values.
// - A failed Status becomes a C++ StatusError; ONE exception translator (errors.cc) turns it
//   into the class chosen by puppies.errors._from_status (the one code -> class table lives in
//   Python).

#pragma once

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

namespace puppies_python {

namespace pp = puppies;
using namespace pybind11::literals;

// Releases the GIL for a function whose bound signature is pure C++.
using Guard = py::call_guard<py::gil_scoped_release>;

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

// Throws the InvalidArgument StatusError (errors.cc).
[[noreturn]] void ThrowInvalid(std::string message);

// ---- Argument conversion ------------------------------------------------------------------------

// The text of `o` for an error message, cut to a readable length.
std::string ShortRepr(py::handle o);

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

// Loads a str into `out` (conversions.cc). Returns false for a non-str.
bool LoadText(py::handle src, std::string* out);

}  // namespace puppies_python

namespace pybind11::detail {

// An id type (UserId, PostId, CommentId) as a Python int; `kName` names it in range errors.
template <class Id, puppies_python::FieldName kName>
struct IdCaster {
  PYBIND11_TYPE_CASTER(Id, const_name("int"));
  bool load(handle src, bool) {
    uint64_t v = 0;
    if (!puppies_python::LoadInt<uint64_t>(src, kName.name, 0, UINT64_MAX, &v,
                                           puppies_python::kIdRange)) {
      return false;
    }
    value = Id{v};
    return true;
  }
  static handle cast(Id id, return_value_policy, handle) {
    return PyLong_FromUnsignedLongLong(puppies::ToInt(id));
  }
};
template <>
struct type_caster<puppies::UserId> : IdCaster<puppies::UserId, "user id"> {};
template <>
struct type_caster<puppies::PostId> : IdCaster<puppies::PostId, "post id"> {};
template <>
struct type_caster<puppies::CommentId> : IdCaster<puppies::CommentId, "comment id"> {};

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

// A page as Python sees it: items are ints (user ids), Post or Comment objects.
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

inline pp::PageRequest MakeRequest(Limit limit, std::optional<Text>&& cursor) {
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

// ---- Conversions from Python containers (conversions.cc) ----------------------------------------

std::vector<pp::Media> MediaListFromPython(py::handle media, py::handle media_class);
// One id from an element of a Python container; TypeError names `what` ("user ids").
template <class Id>
Id IdFromPython(py::handle o, const char* what) {
  py::detail::make_caster<Id> c;
  if (!c.load(o, true)) {
    throw py::type_error(std::string(what) + " must be int, not " + Py_TYPE(o.ptr())->tp_name);
  }
  return py::detail::cast_op<Id>(c);
}
void CheckIterableOfIds(py::handle o, const char* what);

// ---- Bindings: one Bind* function per file, called by module.cc ---------------------------------

// Shows a class as puppies.X (its public home) in reprs and signatures.
inline void ShowAsPublic(py::handle cls) { cls.attr("__module__") = "puppies"; }

// errors.cc: imports puppies.errors and registers the one exception translator.
void BindErrors();
// types.cc: Media, User, Post and Page.
void BindTypes(py::module_& m);
// The Engine's methods, in the order of engine.h's sections.
void BindLifecycle(py::class_<PyEngine>& engine);    // lifecycle.cc: close, with, repr
void BindUsers(py::class_<PyEngine>& engine);        // users.cc
void BindGraph(py::class_<PyEngine>& engine);        // graph.cc
void BindPosts(py::class_<PyEngine>& engine);        // posts.cc: posts and likes
void BindFeed(py::class_<PyEngine>& engine);         // feed.cc
void BindMaintenance(py::class_<PyEngine>& engine);  // maintenance.cc
// lifecycle.cc: open(path, **options).
void BindOpen(py::module_& m);

}  // namespace puppies_python
