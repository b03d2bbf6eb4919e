// The example in README.md (ctest runs it as readme_example). The text between the START and
// END markers is what the README shows; ctest docs_snippets checks that the two agree.
// [START readme]
#include <puppies/puppies.h>

#include <cstdio>

int main(int argc, char** argv) {
  auto db = puppies::Engine::Open({}, argc > 1 ? argv[1] : "/tmp/puppies-example");
  if (!db.ok()) return std::fprintf(stderr, "%s\n", db.status().ToString().c_str()), 1;
  puppies::Engine& engine = **db;
  auto alice = engine.CreateUser("alice"), bob = engine.CreateUser("bob");
  if (!alice.ok() || !bob.ok() || !engine.Follow(*bob, *alice).ok()) return 1;

  puppies::NewPost post;
  post.text = "Hello, puppies!";
  if (!engine.CreatePost(*alice, post).ok()) return 1;
  if (!engine.WaitIdle().ok()) return 1;  // fan-out to followers runs in the background

  auto feed = engine.HomeFeed(*bob);  // newest first, 20 posts a page
  if (!feed.ok() || feed->items.empty()) return 1;
  std::printf("bob sees: %s\n", feed->items[0].text.c_str());
  return engine.Close().ok() ? 0 : 1;
}
// [END readme]
