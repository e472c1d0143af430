// In-memory event-time buckets of one account, summed into rolling windows.
// RocksDB holds the truth; this is the working copy of the buckets that any
// configured window (or baseline) can still reach.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"

namespace kilter::pipeline {

using storage::BucketCounts;

// The kinds of figures a bucket can hold, as a bit set (the values of
// storage::packed_kinds).
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

// The buckets of one account. The recent ones, which events can still reach,
// are "open" (plain BucketCounts); the older ones are "sealed": packed into one
// byte string (storage::pack: a few bytes for a bucket of a few events instead
// of ~300), because thousands of accounts each keep a week or more of them.
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
  // Packs the buckets that start before `before`: no event can reach them any
  // more (it would be late). A later event for one unpacks it again.
  void seal(TimePoint before);
  bool empty() const { return sealed_count_ == 0 && open_.empty(); }
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
  bool has_pending() const { return !pending_.empty(); }

 private:
  // Visits the sealed buckets in order; `fn(start, packed body)` returns false
  // to stop. Bodies are unpacked by the caller, only when needed.
  template <class F>
  void each_sealed(F&& fn) const;
  void append_sealed(TimePoint start, const BucketCounts& counts);
  // Moves the sealed buckets starting at or after `from` back to the open ones.
  void unseal_from(TimePoint from);
  BucketCounts& open_at(TimePoint ts);
  static BucketCounts& at(std::vector<Bucket>& v, TimePoint start);

  Millis bucket_;
  // Sealed buckets, ascending: (start - base) / bucket and the body's length as
  // varints, then the packed body.
  std::string sealed_;
  std::size_t sealed_count_ = 0;
  TimePoint base_;                                  // fixed once the first bucket is sealed
  TimePoint sealed_last_;                           // start of the newest sealed bucket (when any)
  std::vector<Bucket> open_;                        // ascending, all after sealed_last_
  std::vector<Bucket> pending_;                     // ascending by start
  inline static thread_local std::string scratch_;  // one bucket being packed
};

}  // namespace kilter::pipeline
