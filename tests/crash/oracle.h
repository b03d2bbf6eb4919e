#pragma once
// The parent's expectation of the database, built from the workers' reports (common.h) across
// every crash of one run of puppies_crash. Acknowledged calls are applied as they are read;
// a call a worker left in flight is settled after the crash by reading the database (it must
// be either entirely present or entirely absent). Verify then compares everything the API can
// show with the expectation: that is D1 (nothing acknowledged is lost) and more.

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common.h"

namespace puppies::crash {

class Oracle {
 public:
  struct Counts {
    uint64_t acked = 0;                  // calls that returned OK (reads included)
    uint64_t verified = 0;               // acknowledged calls covered by a clean Verify
    uint64_t in_flight = 0;              // calls a kill interrupted
    uint64_t in_flight_took_effect = 0;  // ... whose effect was found after recovery
  };

  // A new worker starts: every id it is acknowledged must exceed all ids known so far (I7,
  // also when its clock was set back).
  void BeginRun();
  // One line of the worker's report.
  void Line(const std::string& line);
  // Settles the calls left in flight by the last worker, by reading the reopened database.
  void Resolve(Engine& e);
  // Compares users, counts, follow and block edges, posts (text, media, edited or not, hashtags:
  // in every list that holds them), likes, bookmarks, comments, replies, threads, timelines,
  // hashtag feeds and home feeds with the expectation. REQUIRES: Resolve, then WaitIdle.
  void Verify(Engine& e, std::mt19937_64& rng);

  void AddViolation(std::string message);
  const std::vector<std::string>& violations() const { return violations_; }
  uint64_t violation_count() const { return violation_count_; }
  const Counts& counts() const { return counts_; }

 private:
  struct Call {
    std::string id;  // "<thread>.<n>"
    std::string op;
    std::vector<std::string> args;
  };
  struct PostInfo {
    uint64_t author = 0;
    std::string text;
    uint64_t reply_to = 0;
    std::string media = "0";  // as an "edit" line names it (EditMedia): none at creation
    bool edited = false;
  };
  struct CommentInfo {
    uint64_t post = 0;
    uint64_t author = 0;
    std::string text;
  };
  using Edge = std::pair<uint64_t, uint64_t>;

  // Applies an acknowledged call; `value` is what its END line carried.
  void Apply(const Call& c, const std::string& value);
  // Settles one call left in flight.
  void ResolveOne(Engine& e, const Call& c);
  bool Blocked(uint64_t a, uint64_t b) const {
    return blocks_.count({a, b}) != 0 || blocks_.count({b, a}) != 0;
  }
  std::vector<Edge> ImportEdges(const Call& c) const;
  std::vector<PostId> ExpectedFeed(uint64_t reader) const;
  // Whether `p` shows exactly `info`'s text, media, edited state and hashtags.
  static bool SameContent(const Post& p, const PostInfo& info);
  // A read post of the expected ones shows its last acknowledged edit (and edited_at_us, when
  // set, is not before its creation); `what` names the read.
  void CheckContent(const Post& p, const std::string& what);
  // Thread(post): its ancestors, root first, PostId{0} for a deleted one.
  std::vector<PostId> ExpectedThread(uint64_t post) const;
  void VerifyReplies(Engine& e, std::mt19937_64& rng);
  void VerifyHashtags(Engine& e, std::mt19937_64& rng);

  std::map<int, Call> pending_;            // thread -> its call without an END line
  std::map<std::string, uint64_t> users_;  // name -> id
  std::set<Edge> follows_;
  std::set<Edge> blocks_;
  std::set<Edge> mutes_;
  std::map<uint64_t, PostInfo> posts_;  // live
  std::set<uint64_t> deleted_;
  // reply -> parent, for every reply ever acknowledged: a deleted one's tombstone keeps it.
  std::map<uint64_t, uint64_t> parent_of_;
  // (user, post) by relation; only those on live posts matter.
  std::map<const PostEdgeOps*, std::set<Edge>> post_edges_;
  std::map<uint64_t, CommentInfo> comments_;  // on live posts
  std::set<uint64_t> comment_ids_;            // every comment id ever acknowledged
  uint64_t user_floor_ = 0, post_floor_ = 0, comment_floor_ = 0;

  Counts counts_;
  std::vector<std::string> violations_;  // the first few, for the report
  uint64_t violation_count_ = 0;
};

}  // namespace puppies::crash
