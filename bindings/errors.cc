// Errors: a failed Status reaches Python as the puppies.errors class for its code.

#include "common.h"

namespace puppies_python {
namespace {

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

}  // namespace

[[noreturn]] void ThrowInvalid(std::string message) {
  throw StatusError(pp::StatusCode::kInvalidArgument, std::move(message));
}

void BindErrors() {
  // The exception classes and their one code -> class table live in puppies/errors.py.
  py::module_ errors = py::module_::import("puppies.errors");
  g_from_status = py::object(errors.attr("_from_status")).release().ptr();
  py::register_exception_translator(&TranslateStatusError);
}

}  // namespace puppies_python
