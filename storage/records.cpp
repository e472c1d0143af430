#include "storage/records.h"

#include <algorithm>

#include "common/saturating.h"

namespace kilter::storage {

void FollowerSpan::add(std::int64_t ts, std::int64_t value) {
  if (first_ts == 0 || ts < first_ts || (ts == first_ts && value > first)) {
    first_ts = ts;
    first = value;
  }
  if (last_ts == 0 || ts > last_ts || (ts == last_ts && value > last)) {
    last_ts = ts;
    last = value;
  }
}

void FollowerSpan::merge(const FollowerSpan& o) {
  if (o.first_ts != 0) add(o.first_ts, o.first);
  if (o.last_ts != 0) add(o.last_ts, o.last);
}

void BucketCounts::merge(const BucketCounts& o) {
  // Sums of counts saturate (common/saturating.h): any number of buckets adds up here.
  for (std::size_t i = 0; i < posts.size(); ++i) sat_add_to(posts[i], o.posts[i]);
  for (std::size_t c = 0; c < engagement.size(); ++c)
    for (std::size_t a = 0; a < engagement[c].size(); ++a)
      sat_add_to(engagement[c][a], o.engagement[c][a]);
  followers.merge(o.followers);
}

bool BucketCounts::empty() const {
  return *this == BucketCounts{};
}

std::uint64_t BucketCounts::total_posts() const {
  std::uint64_t n = 0;
  for (auto p : posts) n += p;
  return n;
}

}  // namespace kilter::storage
