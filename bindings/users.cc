// Engine methods: users (engine.h, "Users").

#include "common.h"

namespace puppies_python {

void BindUsers(py::class_<PyEngine>& engine) {
  engine
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
          "Changes the fields given (None leaves a field unchanged).");
}

}  // namespace puppies_python
