// The Engine's lifecycle (engine.h, Open and Close): open(path, **options), whose keyword
// options become puppies::Options, then close, the context manager and repr.

#include "common.h"

namespace puppies_python {
namespace {

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
    else if (k == "inline_fanout_followers")
      o.inline_fanout_followers = OptionInt<uint32_t>(value, k);
    else if (k == "inline_follow_updates")
      o.inline_follow_updates = OptionBool(value, k);
    else if (k == "block_cache_bytes")
      o.block_cache_bytes = OptionInt<size_t>(value, k);
    else if (k == "object_cache_bytes")
      o.object_cache_bytes = OptionInt<size_t>(value, k);
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

}  // namespace

void BindOpen(py::module_& m) {
  m.def("open", &Open, "path"_a,
        "Opens (by default creating) the database in directory `path` (str, bytes or\n"
        "os.PathLike). Options are keyword-only and mirror the C++ Options struct:\n"
        "create_if_missing=True, error_if_exists=False, fanout_threshold=10000 (NO_PULL: never\n"
        "pull), fanout_hysteresis_percent=10, inbox_cap=800, synchronous_fanout=False,\n"
        "sync=False, background_threads=2, fanout_batch_size=1000,\n"
        "inline_fanout_followers=100, inline_follow_updates=True, block_cache_bytes=64 MiB,\n"
        "object_cache_bytes=32 MiB, write_buffer_bytes=64 MiB, max_post_bytes=5000,\n"
        "max_display_name_bytes=64,"
        " max_bio_bytes=500, max_media_items=10. An unknown option raises TypeError; a value\n"
        "out of range raises InvalidArgumentError. See docs/python.md.");
}

void BindLifecycle(py::class_<PyEngine>& engine) {
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
      .def("__repr__", [](const PyEngine& self) {
        return py::str("<puppies.Engine path={!r} {}>")
            .format(self.path(), self.closed() ? "closed" : "open");
      });
}

}  // namespace puppies_python
