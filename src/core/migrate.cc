#include "core/migrate.h"

#include <fmt/format.h>

#include "hashtags/hashtags.h"
#include "home_feed/jobs.h"
#include "keys/format.h"
#include "keys/keys.h"
#include "posts/posts.h"
#include "records/records.h"
#include "util/status_macros.h"

namespace puppies::internal {
namespace {

// Format 1 jobs had fixed fields and one partition, the author. The unpush job removed a
// deleted post's likes first (no cursor: it deleted what it read) and then walked followers
// from its cursor, so a cursor other than 0 means the likes were gone; with 0, the purge
// starts at its likes stage, which finds nothing when they are.
Status JobsV1ToV2(Store* store, Batch* b) {
  return store->ScanAll(Cf::kJobs, "", "format 1 job record",
                        [&](std::string_view k, std::string_view v) {
                          JobKey key;
                          JobRecordV1 old;
                          if (!JobKey::Decode(k, &key) || !DecodeJobV1(v, &old)) return false;
                          FeedJob job{old.type, old.author, old.post, old.reader, old.cursor};
                          if (old.type == JobType::kPurgePost) {
                            job.stage = old.cursor ? PurgeStage::kInbox : PurgeStage::kLikes;
                          }
                          b->Put(Cf::kJobs, k, EncodeJob(job.Record()));
                          return true;
                        });
}

// Format 3 added the comments column family, which Open creates (an older database has
// none to convert), the comment list tags and the comment id mark.
Status AddComments(Store*, Batch*) { return Status::OK(); }

// Format 4 added the bookmark edge kinds, their list kind and purge stage. Nothing stored
// before has them, and a queued purge job of format 3 never stored a stage past comments.
Status AddBookmarks(Store*, Batch*) { return Status::OK(); }

// Format 5 added each post's reply list and reply counter, which format 4 did not keep:
// every live reply of a live parent gets its key and counts once on its parent. (Tombstones
// written before keep no reply_to; Thread ends at them.)
Status AddReplies(Store* store, Batch* b) {
  Status read;  // a failed read of a parent stops the scan: reported as itself
  const Status scanned = store->ScanAll(
      Cf::kPosts, "", "format 4 post record", [&](std::string_view k, std::string_view v) {
        IdKey key;
        PostRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodePost(v, &rec)) return false;
        if (rec.deleted || rec.reply_to == 0) return true;
        std::string raw;
        bool found;
        PostRecord parent;
        read = store->Get(Cf::kPosts, IdKey{rec.reply_to}.Encode(), &raw, &found);
        if (!read.ok()) return false;
        if (!found) return true;
        if (!DecodePost(raw, &parent)) return false;
        if (!parent.deleted) {
          b->Put(Cf::kEdges, ReplyKey{rec.reply_to, key.id}.Encode(), EncodeBE64(rec.author));
          b->AddCounter(CounterKey{rec.reply_to, CounterKind::kReplies}.Encode(), 1);
        }
        return true;
      });
  return read.ok() ? scanned : read;
}

// Format 6 added the edited flag of a post record; no record written before has it.
Status AddEdits(Store*, Batch*) { return Status::OK(); }

// Format 7 added a post record's hashtags and mentions and the hashtags column family (which
// Open creates): every live post's text is parsed as a new post's is, its record rewritten when
// it holds any, and its hashtags listed. A mention names a user that exists at the upgrade.
Status AddEntities(Store* store, Batch* b) {
  Status derived;  // a failed read of the username index stops the scan: reported as itself
  const Status scanned = store->ScanAll(Cf::kPosts, "", "format 6 post record",
                                        [&](std::string_view k, std::string_view v) {
                                          IdKey key;
                                          PostRecord rec;
                                          if (!IdKey::Decode(k, &key) || !DecodePost(v, &rec))
                                            return false;
                                          if (rec.deleted) return true;
                                          derived = Posts::DeriveEntities(*store, &rec);
                                          if (!derived.ok()) return false;
                                          if (rec.hashtags.empty() && rec.mentions.empty())
                                            return true;
                                          Posts::Put(b, key.id, rec);
                                          Hashtags::Add(b, key.id, rec.author, rec.hashtags);
                                          return true;
                                        });
  return derived.ok() ? scanned : derived;
}

struct Migration {
  uint64_t from;
  Status (*run)(Store*, Batch*);
};
constexpr Migration kMigrations[] = {
    {1, JobsV1ToV2}, {2, AddComments}, {3, AddBookmarks},
    {4, AddReplies}, {5, AddEdits},    {6, AddEntities},
};
static_assert(std::size(kMigrations) == kFormatVersion - 1, "a format version lacks a migration");

}  // namespace

Status MigrateFormat(Store* store, uint64_t version) {
  for (const Migration& m : kMigrations) {
    if (m.from < version) continue;
    Batch b = store->NewBatch();
    Status s = m.run(store, &b);
    if (!s.ok()) {
      return Status(s.code(),
                    fmt::format("migrating format {} to {}: {}", m.from, m.from + 1, s.message()));
    }
    b.Put(Cf::kMeta, meta_keys::kFormatVersion, EncodeBE64(m.from + 1));
    PUPPIES_RETURN_IF_ERROR(store->Write(&b));
  }
  return Status::OK();
}

}  // namespace puppies::internal
