// The home feed read path. The result is defined by the contract (posts by the reader and by
// accounts the reader follows now, minus muted authors and deleted posts, newest first); the
// inbox only makes it cheap. For ids at or above the inbox floor, the inbox holds every post
// of every pushed author the reader follows (once fanned out); pulled authors, and authors
// whose follow backfill is still pending, are merged in from their own timelines. Below the
// floor everything is pulled from the timelines of all followed authors. Every candidate is
// filtered by the reader's mute edges, and an inbox entry of an author whose unmerge (the
// clean-up after an unfollow or a block) is still queued by the reader's follow edge as it is
// now, so unfollow, block and mute take effect before background clean-up has run. Other inbox
// entries need no such check: an entry exists only while its author is followed, or until that
// author's unmerge has run (HomeFeed::TrackUnmerge keeps the queued ones in memory).

#include "home_feed/home_feed.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>

#include "graph/edges.h"
#include "keys/coding.h"
#include "util/cursor.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

struct Candidate {
  uint64_t post;
  uint64_t author;
};

class FeedReader {
 public:
  // `view` and `snap` are taken together (HomeFeed::ReaderSnapshot): an author leaves the
  // pulled set in the batch that completes its inboxes, and leaves the unmerging set after the
  // batch that removes its entries, so the sets and the snapshot always agree.
  FeedReader(Store* store, const Graph& graph, uint64_t reader, HomeFeed::ReaderView view,
             const Snapshot& snap)
      : store_(store), graph_(graph), reader_(reader), view_(std::move(view)), snap_(snap) {}

  // `following`: the reader's following count, which picks how pulled authors are matched
  // against its follow edges (it need not be exact: either way gives the same answer).
  Status Init(uint64_t following) {
    following_ = following;
    // One scan of the owner's inbox header: the floor key, then pending backfill markers.
    Status bad;
    // Bounded at the first entry key: deleted entries at the top are never stepped over.
    PUPPIES_RETURN_IF_ERROR(store_->ScanCachedRange(
        Cf::kInbox, InboxHeaderRange(reader_), InboxKey::Prefix(reader_),
        [&](std::string_view k, std::string_view v) {
          if (InboxFloorKey::Is(k)) {
            if (!DecodeBE64(v, &floor_)) bad = Status::Corruption("inbox floor malformed");
            return bad.ok();
          }
          InboxPendingKey pk;
          if (InboxPendingKey::Decode(k, &pk)) {
            pull_.push_back(pk.author);
            return true;
          }
          return false;  // entries start here
        },
        &snap_));
    PUPPIES_RETURN_IF_ERROR(bad);
    const std::string mutes = MuteListRange(reader_);
    PUPPIES_RETURN_IF_ERROR(store_->ScanCachedRange(
        Cf::kEdges, mutes, PrefixSuccessor(mutes),
        [&](std::string_view k, std::string_view) {
          muted_.insert(EdgeKey::OtherOfKey(k));
          return true;
        },
        &snap_));
    // Pulled authors the reader follows: probe each pulled author's edge (a point read), or
    // intersect with the reader's follow list (one seek, then a step per followee) when that
    // list is short next to the pulled set, or the set is large. A uniform Slashdot reader
    // (~10 followees, 5 pulled authors) spent 15% of a warm first page on the probes.
    const std::vector<uint64_t>& pulled = view_.pulled;
    const bool probe = pulled.size() <= 256 && following > kFolloweesPerProbe * pulled.size();
    if (probe || pulled.empty()) {
      for (uint64_t a : pulled) {
        Status s;
        if (Visible(a, &s)) pull_.push_back(a);
        PUPPIES_RETURN_IF_ERROR(s);
      }
    } else {
      const boost::container::flat_set<uint64_t> set(pulled.begin(), pulled.end());
      PUPPIES_RETURN_IF_ERROR(LoadFollowees());
      for (uint64_t a : followees_) {
        if (set.contains(a)) pull_.push_back(a);
      }
    }
    std::sort(pull_.begin(), pull_.end());
    pull_.erase(std::unique(pull_.begin(), pull_.end()), pull_.end());
    return Status::OK();
  }

  // The newest `k` visible candidates with ids below `before`, newest first, exactly.
  Status Gather(uint64_t before, size_t k, std::vector<Candidate>* out) {
    out->clear();
    std::vector<Candidate> found;
    if (before > floor_) {
      size_t from_inbox = 0;
      Status s;
      // Bounded at the floor: what lies below it (trimmed entries, range-deleted) is never
      // stepped over.
      PUPPIES_RETURN_IF_ERROR(store_->ScanUntil(
          Cf::kInbox, InboxKey::Prefix(reader_), InboxKey{reader_, before - 1}.Encode(),
          InboxKey::Below(reader_, floor_),
          [&](std::string_view key, std::string_view v) {
            const uint64_t post = InboxKey::PostOfKey(key);
            uint64_t author;
            if (!DecodeBE64(v, &author)) {
              s = Status::Corruption("inbox entry malformed");
              return false;
            }
            if (Shows(author, &s)) {
              found.push_back({post, author});
              ++from_inbox;
            }
            return s.ok() && from_inbox < k;
          },
          &snap_));
      PUPPIES_RETURN_IF_ERROR(s);
      for (uint64_t a : pull_) {
        if (!Visible(a, &s)) continue;
        PUPPIES_RETURN_IF_ERROR(before == UINT64_MAX ? Newest(a, floor_, k, &found)
                                                     : Timeline(a, before, floor_, k, &found));
      }
      PUPPIES_RETURN_IF_ERROR(s);
      if (!pull_.empty()) pulled_ = true;
      TopK(&found, k);
      if (found.size() == k) {
        *out = std::move(found);
        return Status::OK();
      }
    }
    // Below the floor: the inbox no longer covers anything, pull every followed author.
    const uint64_t below = std::min(before, floor_);
    if (below > 1) {
      pulled_ = true;
      PUPPIES_RETURN_IF_ERROR(LoadFollowees());
      const size_t k2 = k - found.size();
      std::vector<Candidate> deep;
      PUPPIES_RETURN_IF_ERROR(Timeline(reader_, below, 0, k2, &deep));
      for (uint64_t a : followees_) {
        Status s;
        if (!Visible(a, &s)) {
          PUPPIES_RETURN_IF_ERROR(s);
          continue;
        }
        PUPPIES_RETURN_IF_ERROR(Timeline(a, below, 0, k2, &deep));
      }
      TopK(&deep, k2);
      found.insert(found.end(), deep.begin(), deep.end());
    }
    *out = std::move(found);
    return Status::OK();
  }

  bool pulled() const { return pulled_; }

 private:
  // Whether an inbox entry of `author` belongs in the feed (see the top of this file).
  bool Shows(uint64_t author, Status* s) {
    if (author == reader_ || muted_.contains(author)) return author == reader_;
    if (!std::binary_search(view_.unmerging.begin(), view_.unmerging.end(), author)) return true;
    return Visible(author, s);
  }

  // Whether `author` is the reader or followed by the reader, and not muted: exact, on the
  // snapshot.
  bool Visible(uint64_t author, Status* s) {
    if (author == reader_) return true;
    if (muted_.contains(author)) return false;
    auto it = visible_.find(author);
    if (it != visible_.end()) return it->second;
    if (followees_loaded_) return false;  // the loaded list is complete: not followed
    const bool v = graph_.HasEdge(reader_, EdgeKind::kFollowing, author, &snap_, s);
    visible_.emplace(author, v);
    return v;
  }

  // Reads the reader's follow list, and notes each followee as followed, so Visible need not
  // probe their edges again (same snapshot); pulling 2,500 followees spent most of its time
  // re-reading edges this list had just returned.
  Status LoadFollowees() {
    if (followees_loaded_) return Status::OK();
    followees_loaded_ = true;
    // A short list is read through the object cache (keys.h FollowingListRange); a longer one
    // would be a large entry to copy on every page, and is scanned.
    bool cached = false;
    if (following_ <= kCachedFollowing) {
      const std::string range = FollowingListRange(reader_);
      PUPPIES_RETURN_IF_ERROR(store_->ScanCachedHead(
          Cf::kEdges, range, PrefixSuccessor(range), kCachedFollowing,
          [&](std::string_view k, std::string_view) {
            followees_.push_back(EdgeKey::OtherOfKey(k));
            return true;
          },
          &cached, &snap_));
      if (!cached) followees_.clear();  // the count was off: more than the cache may hold
    }
    if (!cached) {
      PUPPIES_RETURN_IF_ERROR(ForEachEdgeOther(store_, reader_, EdgeKind::kFollowing, &snap_,
                                               [&](uint64_t u) { followees_.push_back(u); }));
    }
    // The scan returns ids in ascending order, so one merge adds them (existing entries stay).
    std::vector<std::pair<uint64_t, bool>> followed;
    followed.reserve(followees_.size());
    for (uint64_t a : followees_) followed.emplace_back(a, true);
    visible_.insert(boost::container::ordered_unique_range, followed.begin(), followed.end());
    return Status::OK();
  }

  // Timeline(author, UINT64_MAX, min_id, k, out), from the author's newest posts, which the
  // object cache holds (keys.h TimelineHeadRange) when they cover the request: merging a
  // pulled author cost every first page of its followers an iterator.
  Status Newest(uint64_t author, uint64_t min_id, size_t k, std::vector<Candidate>* out) {
    const size_t start = out->size();
    bool done = false, complete = false;
    PUPPIES_RETURN_IF_ERROR(store_->ScanCachedHead(
        Cf::kEdges, TimelineHeadRange(author), AuthoredKey::Below(author, 0), kTimelineHeadPosts,
        [&](std::string_view key, std::string_view) {
          const uint64_t post = AuthoredKey::PostOfKey(key);
          done = post < min_id || out->size() - start == k;
          if (!done) out->push_back({post, author});
          return !done;
        },
        &complete, &snap_));
    if (done || complete) return Status::OK();
    out->resize(start);
    return Timeline(author, UINT64_MAX, min_id, k, out);
  }

  // Up to k of `author`'s posts with min_id <= id < before, appended newest first.
  Status Timeline(uint64_t author, uint64_t before, uint64_t min_id, size_t k,
                  std::vector<Candidate>* out) {
    size_t n = 0;
    return store_->ScanUntil(
        Cf::kEdges, AuthoredKey::Prefix(author), AuthoredKey{author, before - 1}.Encode(),
        AuthoredKey::Below(author, min_id),
        [&](std::string_view key, std::string_view) {
          out->push_back({AuthoredKey::PostOfKey(key), author});
          return ++n < k;
        },
        &snap_);
  }

  static void TopK(std::vector<Candidate>* c, size_t k) {
    std::sort(c->begin(), c->end(),
              [](const Candidate& a, const Candidate& b) { return a.post > b.post; });
    c->erase(std::unique(c->begin(), c->end(),
                         [](const Candidate& a, const Candidate& b) { return a.post == b.post; }),
             c->end());
    if (c->size() > k) c->resize(k);
  }

  Store* const store_;
  const Graph& graph_;
  const uint64_t reader_;
  const HomeFeed::ReaderView view_;
  const Snapshot& snap_;
  uint64_t floor_ = 0;
  std::vector<uint64_t> pull_;  // authors merged in from their timelines above the floor
  boost::container::flat_set<uint64_t> muted_;
  boost::container::flat_map<uint64_t, bool> visible_;
  std::vector<uint64_t> followees_;
  bool followees_loaded_ = false;
  uint64_t following_ = 0;  // the reader's following count, as Init was given it
  // A probe of one follow edge costs about as much as this many steps of a follow-list scan.
  static constexpr uint64_t kFolloweesPerProbe = 8;
  bool pulled_ = false;
};

}  // namespace

Result<PostPage> HomeFeed::Read(uint64_t reader, const PageRequest& page) {
  ReaderView view;
  Snapshot snap = ReaderSnapshot(reader, &view);
  uint64_t following = 0;
  PUPPIES_RETURN_IF_ERROR(users_.ExistsFollowing(reader, &following, &snap));
  std::string position;
  PUPPIES_RETURN_IF_ERROR(
      DecodeCursor(ctx_.cursor_salt, ListKind::kHomeFeed, reader, page.cursor, &position));
  uint64_t before = UINT64_MAX;
  if (!position.empty() && (!DecodeBE64(position, &before) || before == 0)) {
    return Status::InvalidArgument("malformed cursor");
  }
  FeedReader feed(ctx_.store.get(), graph_, reader, std::move(view), snap);
  PUPPIES_RETURN_IF_ERROR(feed.Init(following));

  const size_t need = size_t{page.limit} + 1;
  PostPage out;
  // Candidates whose post was deleted since are dropped at hydration; gather again below the
  // last candidate until the page is full or the feed ends.
  while (out.items.size() < need) {
    const size_t k = need - out.items.size();
    std::vector<Candidate> cands;
    PUPPIES_RETURN_IF_ERROR(feed.Gather(before, k, &cands));
    if (cands.empty()) break;
    std::vector<uint64_t> ids;
    ids.reserve(cands.size());
    for (const Candidate& c : cands) ids.push_back(c.post);
    std::vector<std::optional<Post>> posts;
    PUPPIES_RETURN_IF_ERROR(posts_.Load(ids, &posts, &snap));
    for (auto& p : posts) {
      if (p) out.items.push_back(std::move(*p));
    }
    before = cands.back().post;
    if (cands.size() < k) break;
  }
  (feed.pulled() ? pull_pages_ : inbox_pages_).fetch_add(1, std::memory_order_relaxed);
  out.has_more = out.items.size() > page.limit;
  if (out.has_more) {
    out.items.resize(page.limit);
    out.next_cursor = EncodeCursor(ctx_.cursor_salt, ListKind::kHomeFeed, reader,
                                   EncodeBE64(ToInt(out.items.back().id)));
  }
  return out;
}

AuthorModeRecord HomeFeed::ModeOf(uint64_t author) const {
  ReaderLock lock(&mirror_mu_);
  auto it = modes_.find(author);
  return it == modes_.end() ? AuthorModeRecord{} : it->second;
}

Snapshot HomeFeed::SnapshotWithModes(Modes* modes_out) const {
  ReaderLock lock(&mirror_mu_);
  *modes_out = modes_;
  return ctx_.store->GetSnapshot();
}

Snapshot HomeFeed::ReaderSnapshot(uint64_t reader, ReaderView* view) const {
  ReaderLock lock(&mirror_mu_);
  view->pulled.clear();
  view->pulled.reserve(modes_.size());
  for (const auto& [author, rec] : modes_) view->pulled.push_back(author);
  view->unmerging.clear();
  for (auto it = unmerging_.lower_bound({reader, 0});
       it != unmerging_.end() && it->first.first == reader; ++it) {
    view->unmerging.push_back(it->first.second);
  }
  return ctx_.store->GetSnapshot();
}

void HomeFeed::TrackUnmerge(const FeedJob& job, bool queued) {
  WriterLock lock(&mirror_mu_);
  const std::pair<uint64_t, uint64_t> key{job.reader, job.author};
  if (queued) {
    ++unmerging_[key];
  } else if (auto it = unmerging_.find(key); it != unmerging_.end() && --it->second == 0) {
    unmerging_.erase(it);
  }
}

void HomeFeed::TrackAuthorWork(const FeedJob& job, bool queued) {
  MutexLock lock(&author_work_mu_);
  if (queued) {
    ++author_work_[job.author];
  } else if (auto it = author_work_.find(job.author);
             it != author_work_.end() && --it->second == 0) {
    author_work_.erase(it);
  }
}

void HomeFeed::AddStats(Stats* st) const {
  st->fanout_entries = fanout_entries_.load(std::memory_order_relaxed);
  st->feed_inbox_pages = inbox_pages_.load(std::memory_order_relaxed);
  st->feed_pull_pages = pull_pages_.load(std::memory_order_relaxed);
  ReaderLock lock(&mirror_mu_);
  st->pulled_authors = modes_.size();
}

}  // namespace puppies::internal
