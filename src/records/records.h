#pragma once
// Value codecs. Every record starts with a format byte, then varints and length-prefixed
// strings (leveldb's PutLengthPrefixedSlice):
//   UserRecord  := 0x01 LP(username) LP(display_name) LP(bio) svarint(created_at_us)
//   PostRecord  := 0x01 u8(flags) varint(author) svarint(created_at_us) varint(reply_to)
//                  LP(text) varint(n) n*(LP(url) LP(mime) varint(w) varint(h) LP(alt))
//                  [svarint(edited_at_us), when flags bit 1]
//                  [varint(n) n*LP(hashtag) varint(m) m*varint(user), when flags bit 2]
//                  flags bit 0: deleted (a tombstone keeps author, created_at and reply_to
//                  only); bit 1: edited (format 6); bit 2: hashtags or mentions (format 7)
//   CommentRecord := 0x01 varint(post) varint(author) varint(reply_to) svarint(created_at_us)
//                  LP(text)
//   AuthorMode  := 0x01 u8(mode) varint(pull_since_post_id) varint(repush_job_seq)
//   JobRecord   := 0x02 u8(type) varint(partition) LP(payload)         (format 2)
//                  the payload's grammar belongs to the type's owner (home_feed/jobs.h)
//   JobRecordV1 := 0x01 u8(type) varint(author) varint(post) varint(reader) varint(cursor)
//                  (format 1; read only by the 1 -> 2 migration, core/migrate.cc)
//   edge value  := BE(time_us); inbox entry value := BE(author)

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keys/format.h"
#include "puppies/types.h"

namespace puppies::internal {

struct UserRecord {
  std::string username;
  std::string display_name;
  std::string bio;
  int64_t created_at_us = 0;
};
std::string EncodeUser(const UserRecord& r);
bool DecodeUser(std::string_view in, UserRecord* r);

struct PostRecord {
  bool deleted = false;
  uint64_t author = 0;
  int64_t created_at_us = 0;
  uint64_t reply_to = 0;
  std::string text;
  std::vector<Media> media;
  int64_t edited_at_us = 0;           // 0: never edited
  std::vector<std::string> hashtags;  // stored form (util/entities.h), in order, each once
  std::vector<uint64_t> mentions;     // users, in order, each once
};
std::string EncodePost(const PostRecord& r);
bool DecodePost(std::string_view in, PostRecord* r);

struct CommentRecord {
  uint64_t post = 0;
  uint64_t author = 0;
  uint64_t reply_to = 0;  // a comment on the same post, or 0
  int64_t created_at_us = 0;
  std::string text;
};
std::string EncodeComment(const CommentRecord& r);
bool DecodeComment(std::string_view in, CommentRecord* r);

struct AuthorModeRecord {
  AuthorMode mode = AuthorMode::kPush;
  uint64_t pull_since = 0;  // the first post id created while pulled (diagnostics)
  uint64_t repush_job = 0;  // draining: the repush job that may end it (an older one may not)
};
std::string EncodeAuthorMode(const AuthorModeRecord& r);
bool DecodeAuthorMode(std::string_view in, AuthorModeRecord* r);

// A queued background job. The runner (jobs/runner.h) reads the type and the partition only;
// the payload, progress included, is the registered owner's.
struct JobRecord {
  JobType type{};
  uint64_t partition = 0;  // the id the type's JobPartition names (an author, a reader, ...)
  std::string payload;
};
std::string EncodeJob(const JobRecord& r);
bool DecodeJob(std::string_view in, JobRecord* r);

// A format 1 job record: every job was the feed's, with fixed fields.
struct JobRecordV1 {
  JobType type{};
  uint64_t author = 0;
  uint64_t post = 0;
  uint64_t reader = 0;
  uint64_t cursor = 0;
};
bool DecodeJobV1(std::string_view in, JobRecordV1* r);

std::string EncodeBE64(uint64_t v);
bool DecodeBE64(std::string_view in, uint64_t* v);

}  // namespace puppies::internal
