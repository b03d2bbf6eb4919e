#pragma once
// The consistency check's view of one snapshot, read as streams: Check never copies the
// database into memory.
//
// Each concern's checks (its Component::invariants(), run by fsck/check.cc) scan the column
// families they own once, in key order, and look up what an entry refers to with point reads on the
// same snapshot. What the view holds in memory is bounded by what is still queued and how many
// authors are pulled, not by the size of the data: the queued jobs, the stored author modes, the id
// marks, one bit per user id (users are looked up for every edge) and a small cache of post
// records. Counters are compared by merging their column family with a recount made in the same key
// order (CounterMerge below).

#include <rocksdb/iterator.h>

#include <array>
#include <bitset>
#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fsck/finding.h"
#include "home_feed/jobs.h"
#include "keys/keys.h"
#include "puppies/status.h"
#include "records/records.h"
#include "store/store.h"

namespace puppies::internal {

// Where the checks report their findings.
class Report {
 public:
  explicit Report(std::vector<Finding>* out) : out_(out) {}
  void Add(Finding f) { out_->push_back(std::move(f)); }
  // Every defect of an edge is fixed by mending the whole relation it belongs to.
  void Mend(uint64_t owner, EdgeKind kind, uint64_t other, std::string text);
  // An entry of `cf` that does not decode: damaged storage, which Repair refuses to touch.
  void Unreadable(std::string text) { Add({.text = std::move(text), .unreadable = true}); }

 private:
  std::vector<Finding>* out_;
};

// What queued jobs will still change: their targets are not reported as defects.
struct PendingWork {
  std::set<uint64_t> fanout;                        // posts still being fanned out
  std::set<uint64_t> purge;                         // deleted posts still being cleaned up
  std::set<uint64_t> repush;                        // authors still being re-pushed
  std::set<std::pair<uint64_t, uint64_t>> unmerge;  // (reader, author) still being unmerged
};

// The few facts of a post the checks need (the text and media are not kept).
struct PostFacts {
  uint64_t author = 0;
  bool deleted = false;
  uint64_t reply_to = 0;
};

class View {
 public:
  View(Store* store, const Snapshot& snap,
       const boost::container::flat_map<uint64_t, AuthorModeRecord>& memory_modes, Report* r)
      : store_(store), snap_(snap), memory_modes_(memory_modes), report_(r) {}

  // Reads what every check needs first: the id marks, the stored author modes, the queued jobs
  // (and the pending work they imply) and which user ids hold a readable record.
  Status Load();

  // The first read error; once set, every scan and lookup stops and returns nothing.
  const Status& status() const { return status_; }
  bool failed() const { return !status_.ok(); }
  Report& report() { return *report_; }
  Store* store() { return store_; }
  const Snapshot& snapshot() const { return snap_; }

  uint64_t user_hwm() const { return user_hwm_; }
  uint64_t post_hwm() const { return post_hwm_; }
  uint64_t comment_hwm() const { return comment_hwm_; }
  const std::map<uint64_t, FeedJob>& jobs() const { return jobs_; }
  const std::map<uint64_t, AuthorModeRecord>& modes() const { return modes_; }
  const boost::container::flat_map<uint64_t, AuthorModeRecord>& memory_modes() const {
    return memory_modes_;
  }
  const PendingWork& pending() const { return pending_; }

  // Point reads on the snapshot. A record that does not decode reads as absent: the scan of
  // its own column family reports it.
  bool UserExists(uint64_t id) const;
  std::optional<UserRecord> User(uint64_t id);
  std::optional<uint64_t> UsernameOwner(const std::string& folded);
  std::optional<PostFacts> Post(uint64_t id);
  // The time of the existence key owner-[kind]->other, if it is there.
  std::optional<int64_t> EdgeTime(EdgeKind kind, uint64_t owner, uint64_t other);
  bool Has(Cf cf, const std::string& key);
  // The BE64 value of `key`, if it is there and decodes.
  std::optional<uint64_t> Be64(Cf cf, const std::string& key);
  // Many point reads at once (one MultiGet): found[i] and values[i] for keys[i].
  void MultiGet(Cf cf, const std::vector<std::string>& keys, std::vector<std::string>* values,
                std::vector<bool>* found);

  // Visits every entry of `cf` in key order. fn(key, value) returns the message to report
  // when it cannot decode the entry (empty: fine); the scan goes on past damaged entries. Only
  // the one scan that owns a column family's entries reports; others pass `report = false`.
  template <class Fn>
  void Each(Cf cf, Fn&& fn, bool report = true);

  // Records the first read error.
  void Fail(Status s) {
    if (status_.ok() && !s.ok()) status_ = std::move(s);
  }

 private:
  Store* store_;
  const Snapshot& snap_;
  const boost::container::flat_map<uint64_t, AuthorModeRecord>& memory_modes_;
  Report* report_;
  Status status_;

  uint64_t user_hwm_ = 0, post_hwm_ = 0, comment_hwm_ = 0;
  std::map<uint64_t, FeedJob> jobs_;
  std::map<uint64_t, AuthorModeRecord> modes_;
  PendingWork pending_;
  // Readable user records: one bit per id below kDenseUserIds (ids are minted in sequence
  // from 1), a set for the rare id above it.
  static constexpr uint64_t kDenseUserIds = uint64_t{1} << 28;  // at most 32 MiB of bits
  std::vector<uint64_t> user_bits_;
  std::set<uint64_t> sparse_users_;
  // A direct-mapped cache of post facts: inbox entries and likes refer to the same posts over
  // and over.
  struct CachedPost {
    uint64_t id = 0;
    bool present = false;
    PostFacts facts;
  };
  std::vector<CachedPost> post_cache_ = std::vector<CachedPost>(1 << 14);
};

template <class Fn>
void View::Each(Cf cf, Fn&& fn, bool report) {
  if (failed()) return;
  Fail(store_->Scan(
      cf, "", "",
      [&](std::string_view k, std::string_view v) {
        std::string damage = fn(k, v);
        if (report && !damage.empty()) report_->Unreadable(std::move(damage));
        return !failed();
      },
      &snap_));
}

// One scan of each column family, shared by every group that reads it: each group registers
// a visitor per column family it reads (On) and the steps to run once every scan is over
// (Then). Run scans the column families in Cf order (users and usernames before edges, edges
// before posts and inbox) and then runs the steps in registration order.
class Scans {
 public:
  // fn(key, value) returns the message to report when it cannot decode the entry (empty:
  // fine); only the one visitor that owns the column family's entries passes `owner`.
  using Visit = std::function<std::string(std::string_view key, std::string_view value)>;
  void On(Cf cf, Visit fn, bool owner = false);
  void Then(std::function<void()> fn) { then_.push_back(std::move(fn)); }
  void Run(View& v);

 private:
  struct Visitor {
    Visit fn;
    bool owner;
  };
  std::array<std::vector<Visitor>, static_cast<size_t>(Cf::kCount)> visitors_;
  std::vector<std::function<void()>> then_;
};

// I2 as a merge-join: Expect() is called with the recount of each counter of the merge's
// kinds in the counters column family's key order (id, then kind); the stored counters of
// those kinds are read alongside, and every difference is reported with the delta that mends
// it. A stored counter nobody expects must be 0. `skip(view, id, kind)` (may be null) names
// counters whose value queued work will still change.
class CounterMerge {
 public:
  using Skip = bool (*)(const View&, uint64_t id, CounterKind kind);
  using Kinds = std::bitset<256>;
  // `report_unreadable`: this merge (the one over the kinds nobody recounts, check.cc) reports
  // the undecodable entries of the column family. `out` (null: the view's report) is where
  // the differences go, for a check that decides only at the end whether they stand.
  CounterMerge(View* view, Kinds kinds, Skip skip = nullptr, bool report_unreadable = false,
               Report* out = nullptr);
  // REQUIRES: kinds has `kind`; (id, kind) above every earlier call's.
  void Expect(uint64_t id, CounterKind kind, uint64_t want);
  // Reports the stored counters after the last expected one.
  void Finish();

 private:
  // Compares the stored counters below `target` (all of them: nullopt) with 0; returns
  // whether `target` itself is stored, with its value in *have, and steps past it.
  bool SeekTo(std::optional<std::pair<uint64_t, uint8_t>> target, uint64_t* have);
  void Compare(uint64_t id, uint8_t kind, uint64_t have, uint64_t want, bool stored);

  View* view_;
  Kinds kinds_;
  Skip skip_;
  bool report_unreadable_;
  Report* out_;
  std::unique_ptr<rocksdb::Iterator> it_;
};
inline CounterMerge::Kinds KindsOf(std::initializer_list<CounterKind> kinds) {
  CounterMerge::Kinds k;
  for (CounterKind c : kinds) k.set(static_cast<uint8_t>(c));
  return k;
}

// I2 for a per-post list whose entries a fix mends together with the post's counter (a post's
// comments, its replies): the list's length, counted in key order (Count), against the posts'
// counters of one kind. The fix of an entry sets its post's counter to a recount in its own
// batch, so the counter finding of a post with a mended entry is held back (its delta would be
// stale once the fix has run). Posts whose purge is queued are not checked: the purge removes
// the list and the counter.
class PostListCount {
 public:
  PostListCount(View* view, CounterKind kind);
  // One entry of `post`'s list. REQUIRES: `post` at or above every earlier call's.
  void Count(uint64_t post);
  // Reports `f`, whose fix recounts `post`'s counter.
  void Mend(uint64_t post, Finding f);
  // After the last scan: the last post's count, the remaining counters, the findings kept.
  void Finish();
  // Whether `post`'s clean-up is queued (its list and counter are the purge's).
  bool Purging(uint64_t post) const { return view_->pending().purge.contains(post); }

 private:
  void Emit();

  View* view_;
  CounterKind kind_;
  std::vector<Finding> held_;
  Report held_report_{&held_};
  CounterMerge merge_;
  std::optional<std::pair<uint64_t, uint64_t>> tally_;  // (post, entries)
  std::set<uint64_t> mended_;
};

// One concern's share of the check: its invariants and the scans that verify them. `check`
// registers its visitors and final steps with the shared scans (and may read on its own).
struct InvariantGroup {
  const char* component;
  const char* invariants;        // the TESTING.md ids it checks
  CounterMerge::Kinds counters;  // the counter kinds its checks recount (I2)
  void (*check)(View&, Scans&);
};

// Each component's group is its Component::invariants(), next to its code (users/users_check.cc,
// graph/graph_check.cc, posts/posts_check.cc, post_edges/post_edges_check.cc,
// comments/comments_check.cc, replies/replies_check.cc, hashtags/hashtags_check.cc,
// home_feed/home_feed_check.cc); the job queue's is the runner's.
void CheckJobs(View& v, Scans& s);  // jobs/jobs_check.cc

// The fixes of each concern, next to its checks; Repair applies them (repair.cc) in the order
// fsck/fixer.h lists. The shared ones (counters, id marks) are in fsck/fixer.h.
extern const FixKind kFixUsername;    // users: index entry `name`, which user a (0: none) owns
extern const FixKind kFixRelation;    // graph: the relation a-[kind]->b (kind: primary side)
extern const FixKind kFixOrderKey;    // graph: order key a-[kind]->b at time `value`, edge gone
extern const FixKind kFixAuthored;    // posts: the authored entry of post b by author a
extern const FixKind kFixInboxEntry;  // home feed: entry (a, post b) naming author `value`
extern const FixKind kFixPending;     // home feed: marker (a, author b) naming job `value`
extern const FixKind kFixBackfill;    // home feed: re-queue author b's backfill into a's inbox
extern const FixKind kFixOwnInbox;    // home feed: author a's own inbox entry for post b
extern const FixKind kFixComment;     // comments: comment b's keys, under post a's lock
extern const FixKind kFixReply;       // replies: reply b's key in post a's list, and a's count
extern const FixKind kFixHashtag;     // hashtags: post b's entry under hashtag `name`

}  // namespace puppies::internal
