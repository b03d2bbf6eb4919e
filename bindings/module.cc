// puppies._puppies: the pybind11 module behind `import puppies` (see docs/python.md).
//
// One file per concern, each with a Bind* function (common.h holds what they share and the
// rules they follow). They are called here in an order that matters to pybind11: a class must be
// registered before a signature names it, and Engine's methods are listed in engine.h's order.

#include "common.h"

PYBIND11_MODULE(_puppies, m) {
  using namespace puppies_python;

  m.doc() = "Native core of the puppies package; import puppies instead.";

  BindErrors();

  m.attr("__version__") = PUPPIES_VERSION_STRING;
  m.attr("NO_PULL") = py::int_(pp::Options::kNoPull);

  BindTypes(m);

  py::class_<PyEngine> engine(
      m, "Engine", "An open puppies database. Create with puppies.open(path, **options).");
  ShowAsPublic(engine);
  BindLifecycle(engine);
  BindUsers(engine);
  BindGraph(engine);
  BindPosts(engine);
  BindFeed(engine);
  BindMaintenance(engine);

  BindOpen(m);
}
