#include "records/records.h"

#include "keys/coding.h"

namespace puppies::internal {
namespace {

constexpr char kV1 = static_cast<char>(kRecordFormatV1);

bool GetString(std::string_view* in, std::string* out) {
  std::string_view s;
  if (!GetLengthPrefixed(in, &s)) return false;
  out->assign(s);
  return true;
}

bool GetVersion(std::string_view* in) {
  if (in->empty() || in->front() != kV1) return false;
  in->remove_prefix(1);
  return true;
}

}  // namespace

std::string EncodeUser(const UserRecord& r) {
  std::string out(1, kV1);
  PutLengthPrefixed(&out, r.username);
  PutLengthPrefixed(&out, r.display_name);
  PutLengthPrefixed(&out, r.bio);
  PutVarsint64(&out, r.created_at_us);
  return out;
}

bool DecodeUser(std::string_view in, UserRecord* r) {
  return GetVersion(&in) && GetString(&in, &r->username) && GetString(&in, &r->display_name) &&
         GetString(&in, &r->bio) && GetVarsint64(&in, &r->created_at_us) && in.empty();
}

std::string EncodePost(const PostRecord& r) {
  std::string out(1, kV1);
  const bool entities = !r.hashtags.empty() || !r.mentions.empty();
  out.push_back(static_cast<char>((r.deleted ? kPostDeleted : 0) |
                                  (r.edited_at_us != 0 ? kPostEdited : 0) |
                                  (entities ? kPostEntities : 0)));
  PutVarint64(&out, r.author);
  PutVarsint64(&out, r.created_at_us);
  PutVarint64(&out, r.reply_to);
  PutLengthPrefixed(&out, r.text);
  PutVarint64(&out, r.media.size());
  for (const Media& m : r.media) {
    PutLengthPrefixed(&out, m.url);
    PutLengthPrefixed(&out, m.mime_type);
    PutVarint64(&out, m.width);
    PutVarint64(&out, m.height);
    PutLengthPrefixed(&out, m.alt_text);
  }
  if (r.edited_at_us != 0) PutVarsint64(&out, r.edited_at_us);
  if (entities) {
    PutVarint64(&out, r.hashtags.size());
    for (const std::string& tag : r.hashtags) PutLengthPrefixed(&out, tag);
    PutVarint64(&out, r.mentions.size());
    for (uint64_t user : r.mentions) PutVarint64(&out, user);
  }
  return out;
}

bool DecodePost(std::string_view in, PostRecord* r) {
  if (!GetVersion(&in) || in.empty()) return false;
  const auto flags = static_cast<uint8_t>(in.front());
  if (flags & ~(kPostDeleted | kPostEdited | kPostEntities)) return false;
  in.remove_prefix(1);
  r->deleted = flags & kPostDeleted;
  uint64_t n;
  if (!GetVarint64(&in, &r->author) || !GetVarsint64(&in, &r->created_at_us) ||
      !GetVarint64(&in, &r->reply_to) || !GetString(&in, &r->text) || !GetVarint64(&in, &n) ||
      n > in.size()) {
    return false;
  }
  r->media.clear();
  r->media.resize(n);
  for (Media& m : r->media) {
    uint64_t w, h;
    if (!GetString(&in, &m.url) || !GetString(&in, &m.mime_type) || !GetVarint64(&in, &w) ||
        !GetVarint64(&in, &h) || !GetString(&in, &m.alt_text) || w > UINT32_MAX || h > UINT32_MAX) {
      return false;
    }
    m.width = static_cast<uint32_t>(w);
    m.height = static_cast<uint32_t>(h);
  }
  r->edited_at_us = 0;
  if ((flags & kPostEdited) && (!GetVarsint64(&in, &r->edited_at_us) || r->edited_at_us == 0)) {
    return false;
  }
  r->hashtags.clear();
  r->mentions.clear();
  if (flags & kPostEntities) {
    if (!GetVarint64(&in, &n) || n > in.size()) return false;
    r->hashtags.resize(n);
    for (std::string& tag : r->hashtags) {
      if (!GetString(&in, &tag)) return false;
    }
    if (!GetVarint64(&in, &n) || n > in.size()) return false;
    r->mentions.resize(n);
    for (uint64_t& user : r->mentions) {
      if (!GetVarint64(&in, &user)) return false;
    }
    if (r->hashtags.empty() && r->mentions.empty()) return false;  // the flag says some
  }
  return in.empty();
}

std::string EncodeComment(const CommentRecord& r) {
  std::string out(1, kV1);
  PutVarint64(&out, r.post);
  PutVarint64(&out, r.author);
  PutVarint64(&out, r.reply_to);
  PutVarsint64(&out, r.created_at_us);
  PutLengthPrefixed(&out, r.text);
  return out;
}

bool DecodeComment(std::string_view in, CommentRecord* r) {
  return GetVersion(&in) && GetVarint64(&in, &r->post) && GetVarint64(&in, &r->author) &&
         GetVarint64(&in, &r->reply_to) && GetVarsint64(&in, &r->created_at_us) &&
         GetString(&in, &r->text) && in.empty();
}

std::string EncodeAuthorMode(const AuthorModeRecord& r) {
  std::string out(1, kV1);
  out.push_back(static_cast<char>(r.mode));
  PutVarint64(&out, r.pull_since);
  PutVarint64(&out, r.repush_job);
  return out;
}

bool DecodeAuthorMode(std::string_view in, AuthorModeRecord* r) {
  if (!GetVersion(&in) || in.empty()) return false;
  const auto mode = static_cast<uint8_t>(in.front());
  if (mode != 1 && mode != 2) return false;
  r->mode = static_cast<AuthorMode>(mode);
  in.remove_prefix(1);
  return GetVarint64(&in, &r->pull_since) && GetVarint64(&in, &r->repush_job) && in.empty();
}

std::string EncodeJob(const JobRecord& r) {
  std::string out(1, static_cast<char>(kRecordFormatV2));
  out.push_back(static_cast<char>(r.type));
  PutVarint64(&out, r.partition);
  PutLengthPrefixed(&out, r.payload);
  return out;
}

// Any type byte but 0 decodes: whether a type is known is the registry's question, so that an
// unknown type is reported as such (jobs/runner.cc) rather than as a malformed record.
bool DecodeJob(std::string_view in, JobRecord* r) {
  if (in.size() < 2 || in[0] != static_cast<char>(kRecordFormatV2) || in[1] == 0) return false;
  r->type = static_cast<JobType>(in[1]);
  in.remove_prefix(2);
  return GetVarint64(&in, &r->partition) && GetString(&in, &r->payload) && in.empty();
}

bool DecodeJobV1(std::string_view in, JobRecordV1* r) {
  if (!GetVersion(&in) || in.empty()) return false;
  const auto type = static_cast<uint8_t>(in.front());
  if (type < 1 || type > 5) return false;
  r->type = static_cast<JobType>(type);
  in.remove_prefix(1);
  return GetVarint64(&in, &r->author) && GetVarint64(&in, &r->post) &&
         GetVarint64(&in, &r->reader) && GetVarint64(&in, &r->cursor) && in.empty();
}

std::string EncodeBE64(uint64_t v) {
  std::string out;
  PutFixed64BE(&out, v);
  return out;
}

bool DecodeBE64(std::string_view in, uint64_t* v) { return GetFixed64BE(&in, v) && in.empty(); }

}  // namespace puppies::internal
