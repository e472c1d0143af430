#include "pipeline/windows.h"

#include <algorithm>

#include "common/time.h"

namespace kilter::pipeline {

std::uint64_t WindowFigures::classified_posts() const {
  std::uint64_t n = 0;
  for (std::size_t c = 0; c < kClassifiedCategories; ++c) n += sum.posts[c];
  return n;
}

double WindowFigures::weighted_engagement(EngagementClass c,
                                          const std::array<double, kActions>& weights) const {
  const auto& row = sum.engagement[static_cast<std::size_t>(c)];
  double total = 0;
  for (std::size_t a = 0; a < kActions; ++a) total += static_cast<double>(row[a]) * weights[a];
  return total;
}

double WindowFigures::weighted_engagement(const std::array<double, kActions>& weights) const {
  double total = 0;
  for (std::size_t c = 0; c < kEngagementClasses; ++c)
    total += weighted_engagement(static_cast<EngagementClass>(c), weights);
  return total;
}

BucketCounts& AccountWindows::at(std::vector<Bucket>& v, TimePoint ts) {
  const TimePoint start = bucket_start(ts, bucket_);
  // Events arrive roughly in time order: the newest bucket is the common case.
  if (v.empty() || v.back().start < start) {
    v.push_back(Bucket{start, {}});
    return v.back().counts;
  }
  if (v.back().start == start) return v.back().counts;
  auto it = std::lower_bound(v.begin(), v.end(), start,
                             [](const Bucket& b, TimePoint t) { return b.start < t; });
  if (it != v.end() && it->start == start) return it->counts;
  return v.insert(it, Bucket{start, {}})->counts;
}

void AccountWindows::add_post(TimePoint ts, Category c) {
  const auto i = static_cast<std::size_t>(c);
  ++at(buckets_, ts).posts[i];
  ++at(pending_, ts).posts[i];
}

void AccountWindows::add_engagement(TimePoint ts, EngagementClass c, Action a,
                                    std::uint64_t count) {
  const auto ci = static_cast<std::size_t>(c);
  const auto ai = static_cast<std::size_t>(a);
  at(buckets_, ts).engagement[ci][ai] += count;
  at(pending_, ts).engagement[ci][ai] += count;
}

void AccountWindows::add_followers(TimePoint ts, std::int64_t followers) {
  at(buckets_, ts).followers.add(epoch_ms(ts), followers);
  at(pending_, ts).followers.add(epoch_ms(ts), followers);
}

void AccountWindows::load(TimePoint start, const BucketCounts& counts) {
  at(buckets_, start).merge(counts);
}

WindowFigures AccountWindows::window(TimePoint end, Millis length) const {
  WindowFigures f;
  const TimePoint from = end - length;
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), from,
                             [](const Bucket& b, TimePoint t) { return b.start < t; });
  for (; it != buckets_.end() && it->start < end; ++it) f.sum.merge(it->counts);
  return f;
}

std::uint8_t bucket_inputs(const BucketCounts& c) {
  std::uint8_t out = 0;
  if (c.total_posts() > 0) out |= kPostInputs;
  for (const auto& row : c.engagement)
    for (auto n : row)
      if (n > 0) out |= kEngagementInputs;
  if (!c.followers.empty()) out |= kFollowerInputs;
  return out;
}

std::optional<TimePoint> AccountWindows::first_at_or_after(TimePoint t, std::uint8_t inputs) const {
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), t,
                             [](const Bucket& b, TimePoint x) { return b.start < x; });
  for (; it != buckets_.end(); ++it)
    if (inputs == 0xff || (bucket_inputs(it->counts) & inputs) != 0) return it->start;
  return std::nullopt;
}

std::optional<TimePoint> AccountWindows::newest() const {
  if (buckets_.empty()) return std::nullopt;
  return buckets_.back().start;
}

void AccountWindows::expire(TimePoint cutoff) {
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), cutoff,
                             [](const Bucket& b, TimePoint t) { return b.start < t; });
  // Buckets before the cutoff are in no window any more; dropping them one at
  // a time would move the whole vector at every evaluation, so they go in runs.
  const auto stale = it - buckets_.begin();
  if (stale >= 8 || stale * 4 >= static_cast<std::ptrdiff_t>(buckets_.size()))
    buckets_.erase(buckets_.begin(), it);
}

std::vector<AccountWindows::Bucket> AccountWindows::take_pending() {
  std::vector<Bucket> out;
  out.swap(pending_);
  return out;
}

}  // namespace kilter::pipeline
