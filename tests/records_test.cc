#include "records/records.h"

#include <doctest/doctest.h>

#include "home_feed/jobs.h"

namespace puppies::internal {
namespace {

TEST_CASE("records: user record golden bytes and round trip") {
  UserRecord u{"Al", "A", "", 3};
  const std::string enc = EncodeUser(u);
  CHECK(enc == std::string("\x01\x02"
                           "Al"
                           "\x01"
                           "A"
                           "\x00"
                           "\x06",
                           8));
  UserRecord back;
  REQUIRE(DecodeUser(enc, &back));
  CHECK((back.username == "Al" && back.display_name == "A" && back.bio.empty() &&
         back.created_at_us == 3));
  CHECK_FALSE(DecodeUser(enc.substr(0, enc.size() - 1), &back));
  CHECK_FALSE(DecodeUser(enc + "x", &back));
  CHECK_FALSE(DecodeUser("\x02" + enc.substr(1), &back));
}

TEST_CASE("records: post record with media round trips; tombstones keep author and time") {
  PostRecord p;
  p.author = 9;
  p.created_at_us = 1'700'000'000'000'000;
  p.reply_to = 77;
  p.text = "héllo";
  p.media = {Media{"https://x/y.png", "image/png", 640, 480, "alt"}, Media{"u", "m", 0, 0, ""}};
  PostRecord back;
  REQUIRE(DecodePost(EncodePost(p), &back));
  CHECK_FALSE(back.deleted);
  CHECK((back.author == 9 && back.created_at_us == p.created_at_us && back.reply_to == 77));
  CHECK(back.text == p.text);
  CHECK(back.media == p.media);

  PostRecord tomb;
  tomb.deleted = true;
  tomb.author = 9;
  tomb.created_at_us = 5;
  const std::string t = EncodePost(tomb);
  CHECK(t == std::string("\x01\x01\x09\x0a\x00\x00\x00", 7));
  REQUIRE(DecodePost(t, &back));
  CHECK((back.deleted && back.author == 9 && back.created_at_us == 5 && back.media.empty()));
  std::string bad_flags = t;
  bad_flags[1] = 4;
  CHECK_FALSE(DecodePost(bad_flags, &back));
  CHECK(back.edited_at_us == 0);

  // An edited post (format 6): flag bit 1 and edited_at_us after the media.
  p.edited_at_us = 1'700'000'000'500'000;
  const std::string edited = EncodePost(p);
  CHECK(edited[1] == 2);
  REQUIRE(DecodePost(edited, &back));
  CHECK((back.edited_at_us == p.edited_at_us && back.text == p.text && back.media == p.media));
  // The flag without its time, or a time of 0, does not decode; a never-edited record decodes
  // as edited_at_us 0 whatever the struct held before.
  CHECK_FALSE(DecodePost(edited.substr(0, edited.size() - 1), &back));
  std::string unflagged = edited;
  unflagged[1] = 0;
  CHECK_FALSE(DecodePost(unflagged, &back));  // a trailing time without the flag
  PostRecord zero = p;
  zero.edited_at_us = 0;
  std::string flagged = EncodePost(zero);
  flagged[1] = 2;
  CHECK_FALSE(DecodePost(flagged + std::string(1, '\0'), &back));
  REQUIRE(DecodePost(EncodePost(zero), &back));
  CHECK(back.edited_at_us == 0);

  // Hashtags and mentions (format 7): flag bit 2 and both lists after the edit time.
  p.hashtags = {"cats", "日本"};
  p.mentions = {3, 1};
  const std::string tagged = EncodePost(p);
  CHECK(tagged[1] == (2 | 4));
  REQUIRE(DecodePost(tagged, &back));
  CHECK((back.hashtags == p.hashtags && back.mentions == p.mentions &&
         back.edited_at_us == p.edited_at_us));
  CHECK_FALSE(DecodePost(tagged.substr(0, tagged.size() - 1), &back));
  PostRecord no_entities = p;
  no_entities.hashtags.clear();
  no_entities.mentions.clear();
  std::string empty_lists = EncodePost(no_entities);
  empty_lists[1] = static_cast<char>(empty_lists[1] | 4);
  CHECK_FALSE(DecodePost(empty_lists + std::string(2, '\0'), &back));  // the flag says some
  REQUIRE(DecodePost(EncodePost(no_entities), &back));
  CHECK((back.hashtags.empty() && back.mentions.empty()));
}

TEST_CASE("records: jobs and author modes round trip and reject unknown types") {
  JobRecord j{JobType::kPurgePost, 3, std::string("\x04\x01\x06", 3)};
  const std::string enc = EncodeJob(j);
  CHECK(enc == std::string("\x02\x04\x03\x03\x04\x01\x06", 7));
  JobRecord back;
  REQUIRE(DecodeJob(enc, &back));
  CHECK((back.type == JobType::kPurgePost && back.partition == 3 && back.payload == j.payload));
  // Whether a type is known is the runner's question (jobs/runner.h); 0 is never a type.
  std::string other = enc;
  other[1] = 9;
  REQUIRE(DecodeJob(other, &back));
  CHECK(static_cast<int>(back.type) == 9);
  std::string bad = enc;
  bad[1] = 0;
  CHECK_FALSE(DecodeJob(bad, &back));
  CHECK_FALSE(DecodeJob(enc.substr(0, 6), &back));
  CHECK_FALSE(DecodeJob(enc + "x", &back));

  // Format 1's record, read only by the migration.
  JobRecordV1 v1;
  REQUIRE(DecodeJobV1(std::string("\x01\x04\x03\x04\x05\x06", 6), &v1));
  CHECK((v1.type == JobType::kPurgePost && v1.author == 3 && v1.post == 4 && v1.reader == 5 &&
         v1.cursor == 6));
  CHECK_FALSE(DecodeJobV1(enc, &v1));
  CHECK_FALSE(DecodeJobV1(std::string("\x01\x09\x03\x04\x05\x06", 6), &v1));

  AuthorModeRecord m{AuthorMode::kDraining, 1234};
  AuthorModeRecord mb;
  REQUIRE(DecodeAuthorMode(EncodeAuthorMode(m), &mb));
  CHECK((mb.mode == AuthorMode::kDraining && mb.pull_since == 1234));
  CHECK_FALSE(DecodeAuthorMode(EncodeAuthorMode(AuthorModeRecord{}), &mb));  // push is never stored
}

TEST_CASE("records: each feed job type carries its own payload") {
  struct Case {
    FeedJob job;
    std::string payload;
  };
  const Case cases[] = {
      {{JobType::kFanout, 7, 300, 0, 9}, std::string("\xac\x02\x09", 3)},
      {{JobType::kBackfill, 7, 0, 5}, std::string("\x05", 1)},
      {{JobType::kUnmerge, 7, 0, 5}, std::string("\x05", 1)},
      {{JobType::kPurgePost, 7, 300, 0, 9, PurgeStage::kInbox}, std::string("\xac\x02\x01\x09", 4)},
      {{JobType::kRepush, 7, 300, 0, 9}, std::string("\xac\x02\x09", 3)},
  };
  for (const Case& c : cases) {
    CAPTURE(static_cast<int>(c.job.type));
    const JobRecord rec = c.job.Record();
    CHECK((rec.type == c.job.type && rec.partition == 7 && rec.payload == c.payload));
    FeedJob back;
    REQUIRE(FeedJob::FromRecord(rec, &back));
    CHECK((back.type == c.job.type && back.author == 7 && back.post == c.job.post &&
           back.reader == c.job.reader && back.cursor == c.job.cursor &&
           back.stage == c.job.stage));
    JobRecord longer = rec;
    longer.payload += '\x00';
    CHECK_FALSE(FeedJob::FromRecord(longer, &back));
    JobRecord shorter = rec;
    shorter.payload.pop_back();
    CHECK_FALSE(FeedJob::FromRecord(shorter, &back));
  }
  FeedJob back;
  CHECK_FALSE(FeedJob::FromRecord(JobRecord{static_cast<JobType>(9), 1, "\x01"}, &back));
  // A purge stage past kDone is not one.
  const char past_done = static_cast<char>(static_cast<uint8_t>(PurgeStage::kDone) + 1);
  CHECK_FALSE(FeedJob::FromRecord(
      JobRecord{JobType::kPurgePost, 1, std::string{'\x01', past_done, '\x00'}}, &back));
}

}  // namespace
}  // namespace puppies::internal
