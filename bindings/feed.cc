// Engine methods: the home feed (engine.h, "Feeds").

#include "common.h"

namespace puppies_python {

void BindFeed(py::class_<PyEngine>& engine) {
  engine.def(
      "home_feed",
      [](PyEngine& self, pp::UserId u, Limit limit, std::optional<Text> cursor) {
        return ReadPage(self, limit, std::move(cursor),
                        [u](pp::Engine& e, const pp::PageRequest& r) { return e.HomeFeed(u, r); });
      },
      "user_id"_a, py::kw_only(), "limit"_a = Limit{20}, "cursor"_a = py::none(),
      "The user's home feed, newest first.");
}

}  // namespace puppies_python
