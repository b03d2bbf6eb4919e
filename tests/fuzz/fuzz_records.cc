// fuzz_records: every value codec of src/records (UserRecord, PostRecord, CommentRecord,
// AuthorModeRecord, JobRecord, BE64), which Open, Check and every read run on bytes from disk.
//
// Input: the whole input is handed to every decoder as stored bytes. Then the same input, read
// by FuzzedDataProvider, builds one record of each kind field by field.
//
// Oracles: nothing crashes; a decoded record re-encodes to bytes that decode to the same
// record, and those bytes are the input itself (one spelling per record); a record built from
// fields survives encode then decode unchanged.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "fuzz/fuzz_check.h"
#include "home_feed/jobs.h"
#include "records/records.h"

namespace puppies::internal {
namespace {

using fuzz::Escaped;

// Field-wise equality; the records have no operator== of their own.
auto Fields(const UserRecord& r) {
  return std::tie(r.username, r.display_name, r.bio, r.created_at_us);
}
auto Fields(const PostRecord& r) {
  return std::tie(r.deleted, r.author, r.created_at_us, r.reply_to, r.text, r.media, r.edited_at_us,
                  r.hashtags, r.mentions);
}
auto Fields(const CommentRecord& r) {
  return std::tie(r.post, r.author, r.reply_to, r.created_at_us, r.text);
}
auto Fields(const AuthorModeRecord& r) { return std::tie(r.mode, r.pull_since, r.repush_job); }
auto Fields(const JobRecord& r) { return std::tie(r.type, r.partition, r.payload); }
auto Fields(const FeedJob& r) {
  return std::tie(r.type, r.author, r.post, r.reader, r.cursor, r.stage);
}
auto Fields(const uint64_t& v) { return std::tie(v); }

template <class R>
struct Codec {
  const char* name;
  std::string (*encode)(const R&);
  bool (*decode)(std::string_view, R*);
};

constexpr Codec<UserRecord> kUser{"user", EncodeUser, DecodeUser};
constexpr Codec<PostRecord> kPost{"post", EncodePost, DecodePost};
constexpr Codec<CommentRecord> kComment{"comment", EncodeComment, DecodeComment};
constexpr Codec<AuthorModeRecord> kMode{"author mode", EncodeAuthorMode, DecodeAuthorMode};
constexpr Codec<JobRecord> kJob{"job", EncodeJob, DecodeJob};
constexpr Codec<FeedJob> kFeedJob{"feed job",
                                  [](const FeedJob& j) { return EncodeJob(j.Record()); },
                                  [](std::string_view in, FeedJob* j) {
                                    JobRecord rec;
                                    return DecodeJob(in, &rec) && FeedJob::FromRecord(rec, j);
                                  }};
constexpr Codec<uint64_t> kBE64{"be64", [](const uint64_t& v) { return EncodeBE64(v); },
                                DecodeBE64};

template <class R>
void CheckDecoded(const Codec<R>& c, std::string_view bytes) {
  R r{};
  if (!c.decode(bytes, &r)) return;
  const std::string out = c.encode(r);
  R again{};
  FUZZ_CHECK(c.decode(out, &again) && Fields(again) == Fields(r),
             c.name << " record from '" << Escaped(bytes) << "' re-encodes to '" << Escaped(out)
                    << "', which does not decode to the same record");
  FUZZ_CHECK(out == bytes, c.name << " record from '" << Escaped(bytes) << "' re-encodes to '"
                                  << Escaped(out) << "'");
}

template <class R>
void CheckBuilt(const Codec<R>& c, const R& r) {
  const std::string bytes = c.encode(r);
  R back{};
  FUZZ_CHECK(c.decode(bytes, &back) && Fields(back) == Fields(r),
             c.name << " record encoded as '" << Escaped(bytes) << "' does not decode back");
}

UserRecord BuildUser(FuzzedDataProvider& in) {
  UserRecord r;
  r.username = in.ConsumeRandomLengthString(64);
  r.display_name = in.ConsumeRandomLengthString(64);
  r.bio = in.ConsumeRandomLengthString(256);
  r.created_at_us = in.ConsumeIntegral<int64_t>();
  return r;
}

PostRecord BuildPost(FuzzedDataProvider& in) {
  PostRecord r;
  r.deleted = in.ConsumeBool();
  r.author = in.ConsumeIntegral<uint64_t>();
  r.created_at_us = in.ConsumeIntegral<int64_t>();
  r.reply_to = in.ConsumeIntegral<uint64_t>();
  r.text = in.ConsumeRandomLengthString(512);
  r.media.resize(in.ConsumeIntegralInRange<size_t>(0, 3));
  for (Media& m : r.media) {
    m.url = in.ConsumeRandomLengthString(64);
    m.mime_type = in.ConsumeRandomLengthString(16);
    m.width = in.ConsumeIntegral<uint32_t>();
    m.height = in.ConsumeIntegral<uint32_t>();
    m.alt_text = in.ConsumeRandomLengthString(64);
  }
  return r;
}

AuthorModeRecord BuildMode(FuzzedDataProvider& in) {
  AuthorModeRecord r;
  // kPush is the absence of a mode key and is never encoded.
  r.mode = in.ConsumeBool() ? AuthorMode::kPull : AuthorMode::kDraining;
  r.pull_since = in.ConsumeIntegral<uint64_t>();
  r.repush_job = in.ConsumeIntegral<uint64_t>();
  return r;
}

JobRecord BuildJob(FuzzedDataProvider& in) {
  JobRecord r;
  r.type = static_cast<JobType>(in.ConsumeIntegralInRange<uint8_t>(1, 255));
  r.partition = in.ConsumeIntegral<uint64_t>();
  r.payload = in.ConsumeRandomLengthString(64);
  return r;
}

// Only the fields its type's payload carries (home_feed/jobs.h); the others stay 0.
FeedJob BuildFeedJob(FuzzedDataProvider& in) {
  FeedJob r;
  r.type = static_cast<JobType>(in.ConsumeIntegralInRange<uint8_t>(1, 5));
  r.author = in.ConsumeIntegral<uint64_t>();
  const bool has_post =
      r.type == JobType::kFanout || r.type == JobType::kRepush || r.type == JobType::kPurgePost;
  if (has_post) {
    r.post = in.ConsumeIntegral<uint64_t>();
    r.cursor = in.ConsumeIntegral<uint64_t>();
  } else {
    r.reader = in.ConsumeIntegral<uint64_t>();
  }
  if (r.type == JobType::kPurgePost) {
    r.stage = static_cast<PurgeStage>(in.ConsumeIntegralInRange<uint8_t>(0, 2));
  }
  return r;
}

}  // namespace
}  // namespace puppies::internal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puppies::internal;  // NOLINT
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckDecoded(kUser, bytes);
  CheckDecoded(kPost, bytes);
  CheckDecoded(kMode, bytes);
  CheckDecoded(kJob, bytes);
  CheckDecoded(kFeedJob, bytes);
  CheckDecoded(kBE64, bytes);
  CheckDecoded(kComment, bytes);

  FuzzedDataProvider in(data, size);
  CheckBuilt(kUser, BuildUser(in));
  PostRecord post = BuildPost(in);
  CheckBuilt(kPost, post);
  CheckBuilt(kMode, BuildMode(in));
  CheckBuilt(kJob, BuildJob(in));
  CheckBuilt(kFeedJob, BuildFeedJob(in));
  CheckBuilt(kBE64, in.ConsumeIntegral<uint64_t>());
  // Last, so that the seeds written before comments build the other records as they did.
  CommentRecord comment;
  comment.post = in.ConsumeIntegral<uint64_t>();
  comment.author = in.ConsumeIntegral<uint64_t>();
  comment.reply_to = in.ConsumeIntegral<uint64_t>();
  comment.created_at_us = in.ConsumeIntegral<int64_t>();
  comment.text = in.ConsumeRandomLengthString(512);
  CheckBuilt(kComment, comment);
  // The post again, edited (0: not edited), last for the same reason.
  post.edited_at_us = in.ConsumeIntegral<int64_t>();
  CheckBuilt(kPost, post);
  // And with hashtags and mentions (none of either: the flag stays clear), last again.
  post.hashtags.resize(in.ConsumeIntegralInRange<size_t>(0, 3));
  for (std::string& tag : post.hashtags) tag = in.ConsumeRandomLengthString(32);
  post.mentions.resize(in.ConsumeIntegralInRange<size_t>(0, 3));
  for (uint64_t& user : post.mentions) user = in.ConsumeIntegral<uint64_t>();
  CheckBuilt(kPost, post);
  return 0;
}
