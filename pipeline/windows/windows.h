// In-memory event-time buckets of one account, summed into rolling windows.
// RocksDB holds the truth; this is the working copy of the buckets that any
// configured window (or baseline) can still reach.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/model/counts.h"

namespace kilter::pipeline {

// The kinds of figures a bucket can hold, as a bit set (the values of
// packed_kinds).
enum Inputs : std::uint8_t { kPostInputs = 1, kEngagementInputs = 2, kFollowerInputs = 4 };
std::uint8_t bucket_inputs(const BucketCounts& c);

// Sum of the buckets of one window, with the figures rules read from it.
struct WindowFigures {
  BucketCounts sum;
  std::uint64_t posts() const { return sum.total_posts(); }
  std::uint64_t posts(Category c) const { return sum.posts[static_cast<std::size_t>(c)]; }
  std::uint64_t classified_posts() const;  // personal + professional + promotional
  // Engagement weighted by action (weights indexed by kilter::Action), all classes.
  double weighted_engagement(const std::array<double, kActions>& weights) const;
  double weighted_engagement(EngagementClass c, const std::array<double, kActions>& weights) const;
};

// The buckets of one account, packed into one byte string (pack: a
// few bytes for a bucket of a few events instead of ~300), because thousands of
// accounts each keep a week or more of them. Events mostly go to the newest
// bucket, the last in the string: it is unpacked, added to and packed again in
// place; an event for an older bucket (within the lateness) repacks the tail.
class AccountWindows {
 public:
  struct Bucket {
    TimePoint start;
    BucketCounts counts;
  };

  explicit AccountWindows(Millis bucket) : bucket_(bucket) {}

  Millis bucket_size() const { return bucket_; }
  void add_post(TimePoint ts, Category c);
  void add_engagement(TimePoint ts, EngagementClass c, Action a, std::uint64_t count);
  void add_followers(TimePoint ts, std::int64_t followers);
  // Restores a stored bucket (start must be a bucket boundary). It is merged into
  // any in-memory bucket at that start, so events added before the load are kept;
  // load each stored bucket once. Loaded counts are not pending.
  void load(TimePoint start, const BucketCounts& counts);

  // Sum of the buckets whose start lies in [end - length, end). `end` is a bucket boundary.
  WindowFigures window(TimePoint end, Millis length) const;

  // Drops buckets starting before cutoff. Pending deltas are kept: they still
  // belong in the next write batch (the store applies its own retention).
  void expire(TimePoint cutoff);
  bool empty() const { return count_ == 0; }
  // Start of the oldest bucket at or after t holding any of `inputs`; nullopt: none.
  std::optional<TimePoint> first_at_or_after(TimePoint t, std::uint8_t inputs = 0xff) const;
  // Start of the newest bucket; nullopt: none.
  std::optional<TimePoint> newest() const;
  // Every bucket, ascending (unpacked: for views and tests, not the hot path).
  std::vector<Bucket> buckets() const;
  // Bytes held (for memory accounting).
  std::size_t bytes() const;

  // Deltas since the last take_pending(), for the next write batch.
  std::vector<Bucket> take_pending();
  // The same, handed to fn(start, counts) bucket by bucket, ascending, without
  // building a vector (the commit's path).
  template <class F>
  void drain_pending(F&& fn);
  bool has_pending() const { return !pending_.empty(); }
  // Ask for the memory drain_pending reads, ahead of it (a commit drains
  // thousands of accounts scattered in memory): the vector, then its deltas.
  void prefetch_vector() const { __builtin_prefetch(&pending_); }
  void prefetch_pending() const { __builtin_prefetch(pending_.data()); }

 private:
  // Visits the buckets in order; `fn(start, packed body)` returns false to stop.
  // Bodies are unpacked by the caller, only when needed.
  template <class F>
  void each(F&& fn) const;
  void append(TimePoint start, const BucketCounts& counts);
  // Applies `change` to the bucket holding ts (creating it).
  template <class F>
  void update(TimePoint ts, F&& change);
  static BucketCounts& at(std::vector<Bucket>& v, TimePoint start);

  Millis bucket_;
  // Ascending: (start - base) / bucket and the body's length as varints, then
  // the packed body.
  std::string packed_;
  std::size_t count_ = 0;
  std::size_t last_at_ = 0;  // where the newest bucket's entry begins
  TimePoint base_;           // fixed once the first bucket is stored
  TimePoint last_;           // start of the newest bucket (when any)
  // Deltas since the last take_pending(), one per field an event touched: a few
  // bytes where a whole BucketCounts is ~300, for every account of a batch.
  struct Delta {
    TimePoint at;        // the bucket; a follower snapshot's own time
    std::int64_t value;  // count added; the follower count of a snapshot
    std::uint8_t field;  // post category, kCategories + class * kActions + action, or:
  };
  static constexpr std::uint8_t kFollowersField = 255;
  void add_pending(TimePoint bucket, std::uint8_t field, std::int64_t n);
  TimePoint bucket_of(const Delta& d) const;
  static void apply(const Delta& d, BucketCounts& c);
  std::vector<Delta> pending_;
  inline static thread_local std::string scratch_;  // one bucket being packed
};

template <class F>
void AccountWindows::drain_pending(F&& fn) {
  // Deltas come in event order, mostly sorted by bucket already: checked first,
  // since stable_sort takes a temporary buffer from the heap, for every account
  // of every commit.
  const auto by_bucket = [this](const Delta& x, const Delta& y) {
    return bucket_of(x) < bucket_of(y);
  };
  if (!std::is_sorted(pending_.begin(), pending_.end(), by_bucket))
    std::stable_sort(pending_.begin(), pending_.end(), by_bucket);
  BucketCounts c;
  for (std::size_t i = 0; i < pending_.size();) {
    const TimePoint start = bucket_of(pending_[i]);
    c = BucketCounts{};
    for (; i < pending_.size() && bucket_of(pending_[i]) == start; ++i) apply(pending_[i], c);
    fn(start, c);
  }
  pending_.clear();
  if (pending_.capacity() > 16) pending_.shrink_to_fit();
}

}  // namespace kilter::pipeline
