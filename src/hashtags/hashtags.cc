#include "hashtags/hashtags.h"

#include <algorithm>

#include "keys/coding.h"
#include "keys/keys.h"
#include "util/hash.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {
bool Has(const std::vector<std::string>& tags, const std::string& tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}
}  // namespace

void Hashtags::Add(Batch* b, uint64_t post, uint64_t author, const std::vector<std::string>& tags) {
  for (const std::string& tag : tags) {
    b->Put(Cf::kHashtags, HashtagKey{tag, post}.Encode(), EncodeBE64(author));
  }
}

void Hashtags::Remove(Batch* b, uint64_t post, const std::vector<std::string>& tags) {
  for (const std::string& tag : tags) b->Delete(Cf::kHashtags, HashtagKey{tag, post}.Encode());
}

void Hashtags::Replace(Batch* b, uint64_t post, uint64_t author,
                       const std::vector<std::string>& before,
                       const std::vector<std::string>& after) {
  for (const std::string& tag : before) {
    if (!Has(after, tag)) b->Delete(Cf::kHashtags, HashtagKey{tag, post}.Encode());
  }
  for (const std::string& tag : after) {
    if (!Has(before, tag))
      b->Put(Cf::kHashtags, HashtagKey{tag, post}.Encode(), EncodeBE64(author));
  }
}

Result<PostPage> Hashtags::Feed(const std::string& tag, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  // A cursor names its list by a 64-bit owner: here a hash of the tag, so a cursor of one
  // hashtag's feed is refused by another's (but for a 2^-64 collision, which reads on in the
  // other list from the same position and still never skips or repeats within it).
  return posts_.PagePosts(ListKind::kHashtag, Hash64(tag), Cf::kHashtags, HashtagKey::Prefix(tag),
                          /*inverted_ids=*/true, page, snap);
}

}  // namespace puppies::internal
