#pragma once
// Byte-level coding helpers. Keys use fixed-width big-endian integers so that memcmp order is
// numeric order; "Desc" variants store ~v so that forward iteration yields newest first.
// Values use little-endian varints (leveldb's encoding).

#include <cstdint>
#include <string>
#include <string_view>

namespace puppies::internal {

void PutFixed64BE(std::string* dst, uint64_t v);
void PutFixed64BEDesc(std::string* dst, uint64_t v);
// Consume 8 bytes from the front of *in. False if fewer than 8 remain.
bool GetFixed64BE(std::string_view* in, uint64_t* v);
bool GetFixed64BEDesc(std::string_view* in, uint64_t* v);
uint64_t DecodeFixed64BE(const char* p);

// Little-endian fixed 64, the format of the counter merge operator.
void PutFixed64LE(std::string* dst, uint64_t v);
uint64_t DecodeFixed64LE(const char* p);

void PutVarint64(std::string* dst, uint64_t v);
bool GetVarint64(std::string_view* in, uint64_t* v);
// Signed values as zig-zag varints.
void PutVarsint64(std::string* dst, int64_t v);
bool GetVarsint64(std::string_view* in, int64_t* v);
void PutLengthPrefixed(std::string* dst, std::string_view s);
bool GetLengthPrefixed(std::string_view* in, std::string_view* s);

// The smallest string greater than every string starting with `prefix`, for
// iterate_upper_bound. Empty when no such string exists (prefix all 0xff).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace puppies::internal
