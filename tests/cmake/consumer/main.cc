// Uses the installed package: open an engine in a temporary directory, create a user, post,
// and read the post back from the home feed. Exits non-zero on any failure.

#include <puppies/puppies.h>
#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

int Fail(const char* what, const puppies::Status& status) {
  std::fprintf(stderr, "consumer: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

int Run(const std::string& path) {
  auto engine = puppies::Engine::Open(puppies::Options{}, path);
  if (!engine.ok()) return Fail("open", engine.status());
  auto user = (*engine)->CreateUser("consumer");
  if (!user.ok()) return Fail("create user", user.status());
  puppies::NewPost post;
  post.text = "hello from an installed puppies";
  auto id = (*engine)->CreatePost(*user, post);
  if (!id.ok()) return Fail("create post", id.status());
  auto feed = (*engine)->HomeFeed(*user);
  if (!feed.ok()) return Fail("home feed", feed.status());
  if (feed->items.size() != 1 || feed->items[0].id != *id || feed->items[0].text != post.text) {
    std::fprintf(stderr, "consumer: the home feed does not hold the post\n");
    return 1;
  }
  if (auto s = (*engine)->Close(); !s.ok()) return Fail("close", s);
  std::printf("consumer: puppies %s works\n", PUPPIES_VERSION_STRING);
  return 0;
}

}  // namespace

int main() {
  std::string dir = (std::filesystem::temp_directory_path() / "puppies-consumer-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const int rc = Run(dir + "/db");
  std::filesystem::remove_all(dir);
  return rc;
}
