// fuzz_validation: the input checks of src/util (utf8.h, validation.h) that stand between the
// public API and storage.
//
// Input: the whole input is checked as UTF-8 and as a username. Then FuzzedDataProvider reads
// from the end the limits (max_post_bytes, max_media_items, max_display_name_bytes,
// max_bio_bytes), a media count and an optional created_at_us, and from the front the post
// text, each media field, a display name and a bio.
//
// Oracles: IsValidUtf8 agrees with the reference below, a table of the well-formed byte
// sequences of Unicode 15 Table 3-7, written independently of src/util/utf8.cc; each validator
// accepts exactly what its documented grammar allows (username: 1..30 of [A-Za-z0-9_]; text:
// valid UTF-8 within the byte limits, no C0 control, DEL or C1 control except tab, newline and
// a carriage return before a newline where newlines are allowed, and a visible character in a
// required field; post text trimmed of Unicode white space and invisible spaces first); the
// accepted text is the trimmed input and trimming is idempotent; folding a username keeps it
// valid and is idempotent; every error message is valid UTF-8 and names its field.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "util/utf8.h"
#include "util/validation.h"

namespace puppies::internal {
namespace {

using fuzz::Escaped;

// Unicode Table 3-7: lead byte range, sequence length, and the range of the second byte (every
// later byte is 80..BF). A lead byte in no row is ill-formed.
struct WellFormedRow {
  uint8_t lead_lo, lead_hi;
  int length;
  uint8_t second_lo, second_hi;
};
constexpr WellFormedRow kTable37[] = {
    {0x00, 0x7f, 1, 0, 0},       {0xc2, 0xdf, 2, 0x80, 0xbf}, {0xe0, 0xe0, 3, 0xa0, 0xbf},
    {0xe1, 0xec, 3, 0x80, 0xbf}, {0xed, 0xed, 3, 0x80, 0x9f}, {0xee, 0xef, 3, 0x80, 0xbf},
    {0xf0, 0xf0, 4, 0x90, 0xbf}, {0xf1, 0xf3, 4, 0x80, 0xbf}, {0xf4, 0xf4, 4, 0x80, 0x8f},
};

bool ReferenceUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<uint8_t>(s[i]);
    const WellFormedRow* row = nullptr;
    for (const WellFormedRow& r : kTable37) {
      if (lead >= r.lead_lo && lead <= r.lead_hi) row = &r;
    }
    if (row == nullptr || s.size() - i < static_cast<size_t>(row->length)) return false;
    for (int k = 1; k < row->length; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      const uint8_t lo = k == 1 ? row->second_lo : 0x80;
      const uint8_t hi = k == 1 ? row->second_hi : 0xbf;
      if (b < lo || b > hi) return false;
    }
    i += row->length;
  }
  return true;
}

// Code points of well-formed UTF-8 (ReferenceUtf8 already said yes), from the lengths of
// Table 3-7.
std::vector<char32_t> ReferenceDecode(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<uint8_t>(s[i]);
    const int n = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    char32_t c = n == 1 ? lead : lead & (0x7f >> n);
    for (int k = 1; k < n; ++k) c = (c << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3f);
    out.push_back(c);
    i += n;
  }
  return out;
}

// PropList.txt White_Space, Unicode 15.
const std::set<char32_t> kWhiteSpace = {
    0x09,   0x0a,   0x0b,   0x0c,   0x0d,   0x20,   0x85,   0xa0,   0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
    0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000};
// Trimmed with white space (docs/guide.md, "Text").
const std::set<char32_t> kInvisibleSpace = {0x200b, 0x2060, 0xfeff, 0x180e};
// DerivedCoreProperties.txt Default_Ignorable_Code_Point, Unicode 15.
bool ReferenceIgnorable(char32_t c) {
  if (c >= 0xe0000 && c <= 0xe0fff) return true;
  if ((c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfff0 && c <= 0xfff8)) return true;
  if ((c >= 0x2060 && c <= 0x206f) || (c >= 0x200b && c <= 0x200f)) return true;
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x180b && c <= 0x180f)) return true;
  if ((c >= 0x1bca0 && c <= 0x1bca3) || (c >= 0x1d173 && c <= 0x1d17a)) return true;
  static const std::set<char32_t> single = {0xad,   0x34f,  0x61c, 0x115f, 0x1160, 0x17b4,
                                            0x17b5, 0x3164, 0xfeff, 0xffa0};
  return single.contains(c);
}

bool ReferenceText(std::string_view s, size_t min_bytes, size_t max_bytes, bool newlines) {
  if (s.size() < min_bytes || s.size() > max_bytes || !ReferenceUtf8(s)) return false;
  const std::vector<char32_t> cps = ReferenceDecode(s);
  bool visible = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    const bool line = newlines && (c == '\t' || c == '\n' ||
                                   (c == '\r' && i + 1 < cps.size() && cps[i + 1] == '\n'));
    const bool control = c < 0x20 || (c >= 0x7f && c < 0xa0);
    if (control && !line) return false;
    if (!kWhiteSpace.contains(c) && !ReferenceIgnorable(c)) visible = true;
  }
  return min_bytes == 0 || visible;
}

bool ReferenceUsername(std::string_view s) {
  if (s.empty() || s.size() > 30) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

// Both directions of "accepted exactly when the grammar allows", and a readable rejection.
void CheckVerdict(std::string_view field, const Status& s, bool expected, std::string_view input) {
  FUZZ_CHECK(s.ok() == expected, field << " '" << Escaped(input) << "': validator says "
                                       << s.ToString() << ", the grammar says "
                                       << (expected ? "valid" : "invalid"));
  if (s.ok()) return;
  FUZZ_CHECK(s.IsInvalidArgument(), field << ": " << s.ToString());
  FUZZ_CHECK(IsValidUtf8(s.message()), field << ": message is not UTF-8: " << Escaped(s.message()));
  FUZZ_CHECK(s.message().find(field) != std::string::npos,
             "message does not name " << field << ": " << s.message());
}

void CheckUtf8(std::string_view bytes) {
  const bool got = IsValidUtf8(bytes);
  const bool want = ReferenceUtf8(bytes);
  FUZZ_CHECK(got == want,
             "IsValidUtf8('" << Escaped(bytes) << "') = " << got << ", reference says " << want);
}

void CheckUsername(std::string_view name) {
  const Status s = ValidateUsername(name);
  CheckVerdict("username", s, ReferenceUsername(name), name);
  if (!s.ok()) return;
  const std::string folded = FoldUsername(name);
  FUZZ_CHECK(folded.size() == name.size() && ValidateUsername(folded).ok(),
             "folding '" << Escaped(name) << "' gave '" << Escaped(folded) << "'");
  FUZZ_CHECK(FoldUsername(folded) == folded, "folding is not idempotent on '" << folded << "'");
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const char want = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    FUZZ_CHECK(folded[i] == want, "folding '" << name << "' gave '" << folded << "'");
  }
}

// Post text is checked for UTF-8 before it is trimmed: invalid text is returned as is (and
// then rejected).
std::string_view ReferenceTrim(std::string_view s) {
  if (!ReferenceUtf8(s)) return s;
  const std::vector<char32_t> cps = ReferenceDecode(s);
  auto trimmed = [](char32_t c) { return kWhiteSpace.contains(c) || kInvisibleSpace.contains(c); };
  auto bytes = [](char32_t c) -> size_t { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; };
  size_t lo = 0, hi = cps.size(), front = 0, back = 0;
  while (lo < hi && trimmed(cps[lo])) front += bytes(cps[lo++]);
  while (hi > lo && trimmed(cps[hi - 1])) back += bytes(cps[--hi]);
  return s.substr(front, s.size() - front - back);
}

void CheckPost(const Options& options, const NewPost& post) {
  std::string trimmed = "untouched";
  const Status s = ValidateNewPost(options, post, &trimmed);
  const std::string_view want_text = ReferenceTrim(post.text);
  bool media_ok = post.media.size() <= options.max_media_items;
  for (const Media& m : post.media) {
    media_ok = media_ok && ReferenceText(m.url, 1, kMaxMediaUrlBytes, false) &&
               ReferenceText(m.mime_type, 1, kMaxMediaMimeBytes, false) &&
               ReferenceText(m.alt_text, 0, kMaxMediaAltBytes, true);
  }
  const bool text_ok = ReferenceText(want_text, 1, options.max_post_bytes, true);
  const bool time_ok = !post.created_at_us || *post.created_at_us >= 0;
  // The field named in the message is the first one the grammar rejects, in the order the
  // validator documents: text, media, created_at_us.
  const std::string_view field = !text_ok ? "text" : !media_ok ? "media" : "created_at_us";
  CheckVerdict(field, s, text_ok && media_ok && time_ok, post.text);
  if (!s.ok()) return;
  FUZZ_CHECK(trimmed == want_text,
             "post text '" << Escaped(post.text) << "' was kept as '" << Escaped(trimmed) << "'");
  NewPost again = post;
  again.text = trimmed;
  std::string twice;
  FUZZ_CHECK(ValidateNewPost(options, again, &twice).ok() && twice == trimmed,
             "trimming is not idempotent on '" << Escaped(trimmed) << "'");
}

void CheckProfile(const Options& options, const std::string& display_name, const std::string& bio) {
  const bool name_ok = ReferenceText(display_name, 0, options.max_display_name_bytes, false);
  const bool bio_ok = ReferenceText(bio, 0, options.max_bio_bytes, true);
  CheckVerdict(name_ok ? "bio" : "display_name", ValidateProfile(options, &display_name, &bio),
               name_ok && bio_ok, name_ok ? bio : display_name);
  CheckVerdict("bio", ValidateProfile(options, nullptr, &bio), bio_ok, bio);
  CheckVerdict("display_name", ValidateProfile(options, &display_name, nullptr), name_ok,
               display_name);
}

}  // namespace
}  // namespace puppies::internal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puppies::internal;  // NOLINT
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckUtf8(bytes);
  CheckUsername(bytes);

  FuzzedDataProvider in(data, size);
  puppies::Options options;
  // Small limits so that short inputs reach both sides of every boundary.
  options.max_post_bytes = in.ConsumeIntegralInRange<uint32_t>(1, 64);
  options.max_media_items = in.ConsumeIntegralInRange<uint32_t>(0, 2);
  options.max_display_name_bytes = in.ConsumeIntegralInRange<uint32_t>(0, 16);
  options.max_bio_bytes = in.ConsumeIntegralInRange<uint32_t>(0, 32);
  puppies::NewPost post;
  post.media.resize(in.ConsumeIntegralInRange<size_t>(0, 3));
  if (in.ConsumeBool()) post.created_at_us = in.ConsumeIntegral<int64_t>();
  post.text = in.ConsumeRandomLengthString(256);
  for (puppies::Media& m : post.media) {
    m.url = in.ConsumeRandomLengthString(64);
    m.mime_type = in.ConsumeRandomLengthString(16);
    m.alt_text = in.ConsumeRandomLengthString(64);
  }
  CheckPost(options, post);
  const std::string display_name = in.ConsumeRandomLengthString(32);
  const std::string bio = in.ConsumeRandomLengthString(64);
  CheckProfile(options, display_name, bio);
  return 0;
}
