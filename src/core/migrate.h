#pragma once
// Format versions and their migrations (after pebble's format_major_version.go). Open reads
// meta "format_version"; a database of an older format is brought up one version at a time,
// each step one atomic batch that rewrites what changed and sets the new version, so a crash
// leaves the database wholly at one version or the next and the next Open carries on.
//
//   from  to  what changes
//   1     2   every job record: JobRecordV1 -> JobRecord v2 (type, partition, payload); the
//             unpush job becomes the staged post purge (records/records.h, home_feed/jobs.h)
//   2     3   nothing rewritten: comments add a column family (Open creates it) and new tags
//   3     4   nothing rewritten: bookmarks add edge kinds, a list kind and a purge stage
//   4     5   every live reply of a live post gets its key in the parent's reply list and
//             counts on the parent's reply counter (one scan of the posts)
//   5     6   nothing rewritten: a post record may carry the edited flag and edited_at_us
//   6     7   every live post's text parsed for hashtags and mentions: its record rewritten
//             when it holds any, its hashtags listed (one scan of the posts)
//
// A migration runs before anything else reads the database (ids, modes, jobs), with no other
// thread in the engine.

#include <cstdint>

#include "puppies/status.h"
#include "store/store.h"

namespace puppies::internal {

// Migrates the database from `version` to kFormatVersion. REQUIRES: version <= kFormatVersion.
Status MigrateFormat(Store* store, uint64_t version);

}  // namespace puppies::internal
