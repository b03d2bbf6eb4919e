#pragma once
// The one function that builds each column family's options (the families are declared in
// keys/format.h).

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <array>
#include <memory>
#include <string_view>

#include "keys/format.h"

namespace puppies::internal {

rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& block_cache);

}  // namespace puppies::internal
