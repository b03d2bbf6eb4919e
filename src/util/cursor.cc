#include "util/cursor.h"

#include "keys/coding.h"
#include "util/hash.h"

namespace puppies::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

uint32_t Check(uint64_t salt, std::string_view payload) {
  return static_cast<uint32_t>(Hash64(payload, salt));
}

}  // namespace

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  if (in.size() % 4 == 1) return false;
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = DecodeChar(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Canonical form only: the unused low bits of the last character must be zero.
  return (acc & ((1u << bits) - 1)) == 0;
}

std::string EncodeCursor(uint64_t salt, ListKind kind, uint64_t owner, std::string_view position) {
  std::string payload;
  payload.push_back(static_cast<char>(kCursorVersion));
  payload.push_back(static_cast<char>(kind));
  PutFixed64BE(&payload, owner);
  PutLengthPrefixed(&payload, position);
  const uint32_t check = Check(salt, payload);
  for (int shift = 24; shift >= 0; shift -= 8) payload.push_back(static_cast<char>(check >> shift));
  return Base64UrlEncode(payload);
}

Status DecodeCursor(uint64_t salt, ListKind kind, uint64_t owner, std::string_view cursor,
                    std::string* position) {
  position->clear();
  if (cursor.empty()) return Status::OK();
  const Status bad = Status::InvalidArgument("malformed cursor");
  std::string raw;
  if (cursor.size() > kMaxCursorChars || !Base64UrlDecode(cursor, &raw) || raw.size() < 15) {
    return bad;
  }
  std::string_view payload(raw.data(), raw.size() - 4);
  uint32_t check = 0;
  for (size_t i = raw.size() - 4; i < raw.size(); ++i) {
    check = (check << 8) | static_cast<unsigned char>(raw[i]);
  }
  if (check != Check(salt, payload)) return bad;
  if (static_cast<uint8_t>(payload[0]) != kCursorVersion) return bad;
  std::string_view in = payload.substr(1);
  const auto got_kind = static_cast<ListKind>(in.front());
  in.remove_prefix(1);
  uint64_t got_owner;
  std::string_view pos;
  if (!GetFixed64BE(&in, &got_owner) || !GetLengthPrefixed(&in, &pos) || !in.empty()) return bad;
  if (got_kind != kind || got_owner != owner) {
    return Status::InvalidArgument("cursor belongs to another list");
  }
  position->assign(pos);
  return Status::OK();
}

}  // namespace puppies::internal
