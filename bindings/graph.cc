// Engine methods: follows, blocks, mutes and import_follows (engine.h, "Social graph").

#include "common.h"

namespace puppies_python {

void BindGraph(py::class_<PyEngine>& engine) {
  engine
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
              all.push_back(pp::FollowEdge{IdFromPython<pp::UserId>(a, "user ids"),
                                           IdFromPython<pp::UserId>(b, "user ids")});
            }
            // One engine call, so its all-or-nothing user checks and batch semantics apply to
            // the whole iterable.
            py::gil_scoped_release release;
            return self.Run([&](pp::Engine& e) { return e.ImportFollows(all); });
          },
          "edges"_a,
          "Imports (follower, followee) pairs in bulk; returns the number of new edges.");
}

}  // namespace puppies_python
