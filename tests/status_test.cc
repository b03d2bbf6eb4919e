#include "puppies/status.h"

#include <doctest/doctest.h>

namespace puppies {
namespace {

TEST_CASE("status: codes have stable names and ToString") {
  CHECK(Status::OK().ToString() == "OK");
  CHECK(Status::NotFound("user 42 not found").ToString() == "not_found: user 42 not found");
  CHECK(std::string(CodeName(StatusCode::kInvalidArgument)) == "invalid_argument");
  CHECK(std::string(CodeName(StatusCode::kPermissionDenied)) == "permission_denied");
  CHECK(std::string(CodeName(StatusCode::kIOError)) == "io_error");
  CHECK(static_cast<int>(StatusCode::kInternal) == 10);
  CHECK(Status::Aborted("x").IsAborted());
  CHECK_FALSE(Status::Aborted("x").ok());
}

TEST_CASE("status: Result holds a value or an error") {
  Result<int> good = 5;
  REQUIRE(good.ok());
  CHECK(*good == 5);
  CHECK(good.status().ok());
  Result<int> bad = Status::NotFound("nope");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().IsNotFound());
  CHECK(bad.value_or(7) == 7);
  Result<std::string> moved = std::string("abc");
  std::string s = std::move(moved).value();
  CHECK(s == "abc");
}

}  // namespace
}  // namespace puppies
