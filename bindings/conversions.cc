// Argument conversion: Python values to the C++ types the Engine takes, and the errors for
// values that do not convert.

#include "common.h"

namespace puppies_python {

// ---- Argument conversion ------------------------------------------------------------------------

// The text of `o` for an error message, cut to a readable length.
std::string ShortRepr(py::handle o) {
  std::string s = py::repr(o).cast<std::string>();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

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

// ---- Conversions from Python containers ---------------------------------------------------------

namespace {

pp::Media MediaFromPython(py::handle item, py::handle media_class) {
  if (py::isinstance<pp::Media>(item)) return item.cast<pp::Media>();
  if (PyDict_Check(item.ptr())) {
    // Media(**item): the constructor checks keys and types exactly as for keyword arguments.
    return media_class(**py::reinterpret_borrow<py::dict>(item)).cast<pp::Media>();
  }
  throw py::type_error(std::string("media items must be Media or dict, not ") +
                       Py_TYPE(item.ptr())->tp_name);
}

}  // namespace

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

void CheckIterableOfIds(py::handle o, const char* what) {
  if (PyUnicode_Check(o.ptr()) || PyBytes_Check(o.ptr()) || PyLong_Check(o.ptr())) {
    throw py::type_error(std::string(what) + " must be an iterable of int, not " +
                         Py_TYPE(o.ptr())->tp_name);
  }
}

}  // namespace puppies_python
