// Hashtags' invariant I14: a hashtag entry names a live post whose record carries the tag, by
// the post's author; every live post's hashtags have their entries, and are its text's. In the
// shared scans of the hashtags column family (which this check owns) and of the posts.

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "hashtags/hashtags.h"
#include "util/entities.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

bool Carries(const PostRecord& rec, const std::string& tag) {
  return std::find(rec.hashtags.begin(), rec.hashtags.end(), tag) != rec.hashtags.end();
}

// The record of `post`, if it is there and decodes (the posts' check reports one that does not).
std::optional<PostRecord> ReadPost(View& v, uint64_t post) {
  std::string raw;
  bool found = false;
  PostRecord rec;
  v.Fail(v.store()->Get(Cf::kPosts, IdKey{post}.Encode(), &raw, &found, &v.snapshot()));
  if (v.failed() || !found || !DecodePost(raw, &rec)) return std::nullopt;
  return rec;
}

Finding MendFinding(const std::string& tag, uint64_t post, std::string text) {
  return {.text = std::move(text), .fix = &kFixHashtag, .b = post, .name = tag};
}

void CheckHashtags(View& v, Scans& scans) {
  scans.On(
      Cf::kHashtags,
      [&v](std::string_view k, std::string_view value) {
        HashtagKey key;
        uint64_t author;
        if (!HashtagKey::Decode(k, &key) || !DecodeBE64(value, &author)) {
          return std::string("hashtags: undecodable entry");
        }
        const std::optional<PostRecord> rec = ReadPost(v, key.post);
        if (!rec || rec->deleted || rec->author != author || !Carries(*rec, key.tag)) {
          v.report().Add(MendFinding(
              key.tag, key.post,
              fmt::format("I14: hashtag entry ('{}', {}) without a live post by {} carrying it",
                          key.tag, key.post, author)));
        }
        return std::string();
      },
      /*owner=*/true);
  scans.On(Cf::kPosts, [&v](std::string_view k, std::string_view value) {
    IdKey key;
    PostRecord rec;
    if (!IdKey::Decode(k, &key) || !DecodePost(value, &rec) || rec.deleted) return std::string();
    // Repair cannot tell which is right, the text or the list (a mention cannot be derived
    // again: it names the users that existed when the text was written).
    if (ParseEntities(rec.text).hashtags != rec.hashtags) {
      v.report().Add({fmt::format("I14: post {}'s hashtags are not its text's", key.id)});
    }
    for (const std::string& tag : rec.hashtags) {
      if (v.Be64(Cf::kHashtags, HashtagKey{tag, key.id}.Encode()) != rec.author) {
        v.report().Add(MendFinding(
            tag, key.id, fmt::format("I14: post {} missing from hashtag '{}'", key.id, tag)));
      }
    }
    return std::string();
  });
}

// ---- the fix (Repair) -------------------------------------------------------------------------

// Under the post lock, which every write of the post's entries holds: the entry is there,
// naming the author, exactly when the post is live and its record carries the tag.
Status MendHashtag(Fixer& fx, const Finding& f) {
  const uint64_t post = f.b;
  WriteOp op(fx.ctx());
  op.LockPost(post);
  PostRecord rec;
  bool live;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(post, &rec, &live));
  const bool want = live && Carries(rec, f.name);
  const std::string key = HashtagKey{f.name, post}.Encode();
  std::string raw;
  bool present;
  PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kHashtags, key, &raw, &present));
  uint64_t named = 0;
  if (want ? present && DecodeBE64(raw, &named) && named == rec.author : !present) {
    return Status::OK();
  }
  if (want) {
    op.batch().Put(Cf::kHashtags, key, EncodeBE64(rec.author));
  } else {
    op.batch().Delete(Cf::kHashtags, key);
  }
  return fx.Commit(op, want ? fmt::format("I14: restored post {} under hashtag '{}'", post, f.name)
                            : fmt::format("I14: removed post {} from hashtag '{}'", post, f.name));
}

}  // namespace

const FixKind kFixHashtag{"mend hashtag entry", 45, false, MendHashtag};

const InvariantGroup* Hashtags::invariants() const {
  static const InvariantGroup group{"hashtags", "I14", {}, CheckHashtags};
  return &group;
}

}  // namespace puppies::internal
