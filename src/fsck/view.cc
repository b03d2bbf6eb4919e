#include "fsck/view.h"

#include <fmt/format.h>

#include "fsck/fixer.h"
#include "keys/coding.h"

namespace puppies::internal {

void Report::Mend(uint64_t owner, EdgeKind kind, uint64_t other, std::string text) {
  const Relation r = RelationOf(owner, kind, other);
  Add({.text = std::move(text), .fix = &kFixRelation, .a = r.a, .b = r.b, .kind = r.kind});
}

Status View::Load() {
  // The meta and jobs column families are read only here, so this is where their undecodable
  // entries are reported; the users scan below only notes which ids decode (the users group
  // reports the rest).
  Each(
      Cf::kMeta,
      [&](std::string_view k, std::string_view v) {
        AuthorModeKey mk;
        AuthorModeRecord rec;
        if (AuthorModeKey::Decode(k, &mk)) {
          if (!DecodeAuthorMode(v, &rec))
            return fmt::format("meta: undecodable mode of author {}", mk.author);
          modes_[mk.author] = rec;
        } else if (k == meta_keys::kUserIdHwm) {
          DecodeBE64(v, &user_hwm_);
        } else if (k == meta_keys::kPostIdHwm) {
          DecodeBE64(v, &post_hwm_);
        } else if (k == meta_keys::kCommentIdHwm) {
          DecodeBE64(v, &comment_hwm_);
        }
        return std::string();
      },
      /*report=*/true);
  Each(
      Cf::kJobs,
      [&](std::string_view k, std::string_view v) {
        JobKey jk;
        JobRecord rec;
        FeedJob job;
        if (!JobKey::Decode(k, &jk) || !DecodeJob(v, &rec) || !FeedJob::FromRecord(rec, &job))
          return std::string("jobs: undecodable job");
        jobs_[jk.seq] = job;
        return std::string();
      },
      /*report=*/true);
  for (const auto& [seq, job] : jobs_) {
    switch (job.type) {
      case JobType::kFanout:
        pending_.fanout.insert(job.post);
        break;
      case JobType::kPurgePost:
        pending_.purge.insert(job.post);
        break;
      case JobType::kRepush:
        pending_.repush.insert(job.author);
        break;
      case JobType::kUnmerge:
        pending_.unmerge.insert({job.reader, job.author});
        break;
      case JobType::kBackfill:
        break;
    }
  }
  Each(
      Cf::kUsers,
      [&](std::string_view k, std::string_view v) {
        IdKey key;
        UserRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodeUser(v, &rec)) return std::string();
        if (key.id < kDenseUserIds) {
          if (user_bits_.size() <= key.id / 64) user_bits_.resize(key.id / 64 + 1);
          user_bits_[key.id / 64] |= uint64_t{1} << (key.id % 64);
        } else {
          sparse_users_.insert(key.id);
        }
        return std::string();
      },
      /*report=*/false);
  return status_;
}

bool View::UserExists(uint64_t id) const {
  if (id >= kDenseUserIds) return sparse_users_.contains(id);
  return id / 64 < user_bits_.size() && (user_bits_[id / 64] >> (id % 64) & 1);
}

std::optional<UserRecord> View::User(uint64_t id) {
  std::string v;
  bool found = false;
  UserRecord rec;
  if (!failed()) Fail(store_->Get(Cf::kUsers, IdKey{id}.Encode(), &v, &found, &snap_));
  if (!found || !DecodeUser(v, &rec)) return std::nullopt;
  return rec;
}

std::optional<uint64_t> View::UsernameOwner(const std::string& folded) {
  return Be64(Cf::kUsernames, folded);
}

std::optional<PostFacts> View::Post(uint64_t id) {
  CachedPost& slot = post_cache_[(id ^ (id >> 17)) % post_cache_.size()];
  if (slot.id != id || id == 0) {
    std::string v;
    bool found = false;
    PostRecord rec;
    if (!failed()) Fail(store_->Get(Cf::kPosts, IdKey{id}.Encode(), &v, &found, &snap_));
    slot.id = id;
    slot.present = found && DecodePost(v, &rec);
    slot.facts = {.author = rec.author, .deleted = rec.deleted, .reply_to = rec.reply_to};
  }
  if (!slot.present) return std::nullopt;
  return slot.facts;
}

std::optional<int64_t> View::EdgeTime(EdgeKind kind, uint64_t owner, uint64_t other) {
  std::optional<uint64_t> t = Be64(Cf::kEdges, EdgeKey{owner, kind, other}.Encode());
  if (!t) return std::nullopt;
  return static_cast<int64_t>(*t);
}

bool View::Has(Cf cf, const std::string& key) {
  bool found = false;
  if (!failed()) Fail(store_->Exists(cf, key, &found, &snap_));
  return found;
}

std::optional<uint64_t> View::Be64(Cf cf, const std::string& key) {
  std::string v;
  bool found = false;
  uint64_t x = 0;
  if (!failed()) Fail(store_->Get(cf, key, &v, &found, &snap_));
  if (!found || !DecodeBE64(v, &x)) return std::nullopt;
  return x;
}

void View::MultiGet(Cf cf, const std::vector<std::string>& keys, std::vector<std::string>* values,
                    std::vector<bool>* found) {
  if (!failed()) Fail(store_->MultiGet(cf, keys, values, found, &snap_));
  if (failed()) found->assign(keys.size(), false);
}

void Scans::On(Cf cf, Visit fn, bool owner) {
  visitors_[static_cast<size_t>(cf)].push_back({std::move(fn), owner});
}

void Scans::Run(View& v) {
  for (size_t cf = 0; cf < visitors_.size(); ++cf) {
    std::vector<Visitor>& visitors = visitors_[cf];
    if (visitors.empty()) continue;
    v.Each(
        static_cast<Cf>(cf),
        [&](std::string_view k, std::string_view value) {
          std::string damage;
          for (Visitor& x : visitors) {
            std::string d = x.fn(k, value);
            if (x.owner) damage = std::move(d);
          }
          return damage;
        },
        /*report=*/true);
  }
  for (auto& fn : then_) {
    if (v.failed()) return;
    fn();
  }
}

CounterMerge::CounterMerge(View* view, Kinds kinds, Skip skip, bool report_unreadable, Report* out)
    : view_(view),
      kinds_(kinds),
      skip_(skip),
      report_unreadable_(report_unreadable),
      out_(out ? out : &view->report()),
      it_(view->store()->Iterate(Cf::kCounters, view->snapshot())) {
  it_->SeekToFirst();
}

bool CounterMerge::SeekTo(std::optional<std::pair<uint64_t, uint8_t>> target, uint64_t* have) {
  for (; it_->Valid() && !view_->failed(); it_->Next()) {
    const std::string_view k(it_->key().data(), it_->key().size());
    const std::string_view v(it_->value().data(), it_->value().size());
    CounterKey ck;
    if (!CounterKey::Decode(k, &ck) || v.size() != 8) {
      if (report_unreadable_) out_->Unreadable("counters: undecodable entry");
      continue;
    }
    const std::pair<uint64_t, uint8_t> key(ck.id, static_cast<uint8_t>(ck.kind));
    if (!kinds_.test(key.second)) continue;
    if (target && key >= *target) {
      if (key != *target) return false;
      *have = DecodeFixed64LE(v.data());
      it_->Next();
      return true;
    }
    Compare(key.first, key.second, DecodeFixed64LE(v.data()), 0, /*stored=*/true);
  }
  return false;
}

void CounterMerge::Expect(uint64_t id, CounterKind kind, uint64_t want) {
  uint64_t have = 0;
  const std::pair<uint64_t, uint8_t> key(id, static_cast<uint8_t>(kind));
  const bool stored = SeekTo(key, &have);
  Compare(key.first, key.second, have, want, stored);
}

void CounterMerge::Finish() {
  uint64_t ignored;
  SeekTo(std::nullopt, &ignored);
  view_->Fail(FromRocks(it_->status(), "scan"));
}

void CounterMerge::Compare(uint64_t id, uint8_t kind, uint64_t have, uint64_t want, bool stored) {
  if (skip_ && skip_(*view_, id, static_cast<CounterKind>(kind))) return;
  if (stored ? have == want : want == 0) return;
  // A counter is mended by adding the difference seen on this snapshot: concurrent writes add
  // their own deltas, so the sum stays exact whatever order they land in.
  out_->Add({.text = stored
                         ? fmt::format("I2: counter {} of {} is {}, expected {}", kind, id,
                                       static_cast<int64_t>(have), want)
                         : fmt::format("I2: counter {} of {} missing, expected {}", kind, id, want),
             .fix = &kFixCounter,
             .a = id,
             .value = want - have,
             .counter = static_cast<CounterKind>(kind)});
}

namespace {
bool PurgeQueued(const View& v, uint64_t post, CounterKind) {
  return v.pending().purge.contains(post);
}
}  // namespace

PostListCount::PostListCount(View* view, CounterKind kind)
    : view_(view),
      kind_(kind),
      merge_(view, KindsOf({kind}), PurgeQueued, /*report_unreadable=*/false, &held_report_) {}

void PostListCount::Emit() {
  if (tally_ && !Purging(tally_->first)) merge_.Expect(tally_->first, kind_, tally_->second);
}

void PostListCount::Count(uint64_t post) {
  if (!tally_ || tally_->first != post) {
    Emit();
    tally_.emplace(post, 0);
  }
  ++tally_->second;
}

void PostListCount::Mend(uint64_t post, Finding f) {
  mended_.insert(post);
  view_->report().Add(std::move(f));
}

void PostListCount::Finish() {
  Emit();
  merge_.Finish();
  for (Finding& f : held_) {
    if (!mended_.contains(f.a)) view_->report().Add(std::move(f));
  }
}

}  // namespace puppies::internal
