// In-memory event-time buckets of one account, summed into rolling windows.
// RocksDB holds the truth; this is the working copy of the buckets that any
// configured window (or baseline) can still reach.
#pragma once

#include <optional>
#include <vector>

#include "storage/records.h"

namespace kilter::pipeline {

using storage::BucketCounts;

// The kinds of figures a bucket can hold, as a bit set.
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
  bool empty() const { return buckets_.empty(); }
  // Start of the oldest bucket at or after t holding any of `inputs`; nullopt: none.
  std::optional<TimePoint> first_at_or_after(TimePoint t, std::uint8_t inputs = 0xff) const;
  // Start of the newest bucket; nullopt: none.
  std::optional<TimePoint> newest() const;
  const std::vector<Bucket>& buckets() const { return buckets_; }

  // Deltas since the last take_pending(), for the next write batch.
  std::vector<Bucket> take_pending();
  bool has_pending() const { return !pending_.empty(); }

 private:
  BucketCounts& at(std::vector<Bucket>& v, TimePoint ts);
  Millis bucket_;
  std::vector<Bucket> buckets_;  // ascending by start, sparse
  std::vector<Bucket> pending_;  // ascending by start
};

}  // namespace kilter::pipeline
