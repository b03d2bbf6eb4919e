#pragma once
#include <rocksdb/status.h>

#include <string_view>

#include "puppies/status.h"

namespace puppies::internal {
// The one mapping from rocksdb::Status to puppies::Status. `context` says what was being done.
Status FromRocks(const rocksdb::Status& s, std::string_view context);
}  // namespace puppies::internal
