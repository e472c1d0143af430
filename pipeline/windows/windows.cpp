#include "pipeline/windows/windows.h"

#include <algorithm>
#include <cstdlib>

#include "common/saturating.h"
#include "common/time.h"
#include "common/varint.h"

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

std::uint8_t bucket_inputs(const BucketCounts& c) {
  std::uint8_t out = 0;
  if (c.total_posts() > 0) out |= kPostInputs;
  for (const auto& row : c.engagement)
    for (auto n : row)
      if (n > 0) out |= kEngagementInputs;
  if (!c.followers.empty()) out |= kFollowerInputs;
  return out;
}

BucketCounts& AccountWindows::at(std::vector<Bucket>& v, TimePoint start) {
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

template <class F>
void AccountWindows::each(F&& fn) const {
  std::string_view in(packed_);
  for (std::size_t i = 0; i < count_; ++i) {
    std::uint64_t units = 0;
    std::uint64_t len = 0;
    // Written by append() alone: a malformed entry is a broken invariant.
    if (!get_varint(in, units) || !get_varint(in, len) || len > in.size()) std::abort();
    const TimePoint start = base_ + bucket_ * static_cast<std::int64_t>(units);
    if (!fn(start, in.substr(0, len))) return;
    in.remove_prefix(len);
  }
}

void AccountWindows::append(TimePoint start, const BucketCounts& counts) {
  if (count_ == 0) base_ = start;
  scratch_.clear();
  pack(scratch_, counts);
  last_at_ = packed_.size();
  put_varint(packed_, static_cast<std::uint64_t>((start - base_) / bucket_));
  put_varint(packed_, scratch_.size());
  packed_ += scratch_;
  last_ = start;
  ++count_;
}

template <class F>
void AccountWindows::update(TimePoint ts, F&& change) {
  const TimePoint start = bucket_start(ts, bucket_);
  if (count_ == 0 || start > last_) {
    BucketCounts c;
    change(c);
    append(start, c);
    return;
  }
  BucketCounts c;
  if (start == last_) {
    // The newest bucket: unpacked, changed and packed again at the end.
    std::string_view entry = std::string_view(packed_).substr(last_at_);
    std::uint64_t units = 0, len = 0;
    if (!get_varint(entry, units) || !get_varint(entry, len) || !unpack(entry, c)) std::abort();
    change(c);
    packed_.resize(last_at_);
    --count_;
    append(start, c);
    return;
  }
  // An older bucket (rare: a late event within the lateness, or one of a batch
  // restored before its newest): the buckets from there on are packed again.
  std::vector<Bucket> tail;
  std::size_t keep_bytes = 0, keep = 0;
  TimePoint keep_last = last_;
  std::string_view all(packed_);
  each([&](TimePoint s, std::string_view body) {
    if (s < start) {
      keep_bytes = static_cast<std::size_t>(body.data() + body.size() - all.data());
      keep_last = s;
      ++keep;
      return true;
    }
    Bucket b{s, {}};
    if (!unpack(body, b.counts)) std::abort();
    tail.push_back(b);
    return true;
  });
  change(at(tail, start));
  packed_.resize(keep_bytes);
  count_ = keep;
  last_ = keep_last;
  // last_at_ is set again by the appends (tail is never empty here).
  for (const auto& b : tail) append(b.start, b.counts);
}

void AccountWindows::add_post(TimePoint ts, Category c) {
  const auto i = static_cast<std::size_t>(c);
  update(ts, [i](BucketCounts& b) { sat_add_to(b.posts[i], 1u); });
  add_pending(bucket_start(ts, bucket_), static_cast<std::uint8_t>(i), 1);
}

void AccountWindows::add_engagement(TimePoint ts, EngagementClass c, Action a,
                                    std::uint64_t count) {
  const auto ci = static_cast<std::size_t>(c);
  const auto ai = static_cast<std::size_t>(a);
  update(ts, [&](BucketCounts& b) { sat_add_to(b.engagement[ci][ai], count); });
  // count <= kMaxEngagementCount (the decoder's bound): it fits an int64 delta.
  add_pending(bucket_start(ts, bucket_),
              static_cast<std::uint8_t>(kCategories + ci * kActions + ai),
              static_cast<std::int64_t>(std::min<std::uint64_t>(count, INT64_MAX)));
}

void AccountWindows::add_followers(TimePoint ts, std::int64_t followers) {
  update(ts, [&](BucketCounts& b) { b.followers.add(epoch_ms(ts), followers); });
  pending_.push_back(Delta{ts, followers, kFollowersField});
}

void AccountWindows::load(TimePoint start, const BucketCounts& counts) {
  // A restore reads the store in time order before any event: appended.
  if (count_ == 0 || start > last_) return append(start, counts);
  update(start, [&](BucketCounts& b) { b.merge(counts); });
}

WindowFigures AccountWindows::window(TimePoint end, Millis length) const {
  WindowFigures f;
  const TimePoint from = end - length;
  if (count_ == 0 || last_ < from) return f;
  each([&](TimePoint start, std::string_view body) {
    if (start >= end) return false;
    if (start >= from && !add_packed(body, f.sum)) std::abort();
    return true;
  });
  return f;
}

void AccountWindows::expire(TimePoint cutoff) {
  if (count_ == 0) return;
  if (last_ < cutoff) {
    packed_.clear();
    packed_.shrink_to_fit();
    count_ = 0;
    return;
  }
  // Buckets before the cutoff are in no window any more; dropping them one at
  // a time would move the whole string at every evaluation, so they go in runs.
  std::size_t stale = 0;
  std::size_t bytes = 0;
  std::string_view all(packed_);
  each([&](TimePoint start, std::string_view body) {
    if (start >= cutoff) return false;
    ++stale;
    bytes = static_cast<std::size_t>(body.data() + body.size() - all.data());
    return true;
  });
  if (stale >= 8 || stale * 4 >= count_) {
    packed_.erase(0, bytes);
    last_at_ -= bytes;
    count_ -= stale;
  }
}

std::optional<TimePoint> AccountWindows::first_at_or_after(TimePoint t, std::uint8_t inputs) const {
  std::optional<TimePoint> found;
  if (count_ == 0 || last_ < t) return found;
  each([&](TimePoint start, std::string_view body) {
    if (start < t) return true;
    if (inputs != 0xff && (packed_kinds(body) & inputs) == 0) return true;
    found = start;
    return false;
  });
  return found;
}

std::optional<TimePoint> AccountWindows::newest() const {
  if (count_ == 0) return std::nullopt;
  return last_;
}

std::vector<AccountWindows::Bucket> AccountWindows::buckets() const {
  std::vector<Bucket> out;
  each([&](TimePoint start, std::string_view body) {
    Bucket b{start, {}};
    if (!unpack(body, b.counts)) std::abort();
    out.push_back(b);
    return true;
  });
  return out;
}

std::size_t AccountWindows::bytes() const {
  return packed_.capacity() + pending_.capacity() * sizeof(Delta);
}

void AccountWindows::add_pending(TimePoint bucket, std::uint8_t field, std::int64_t n) {
  // Events of one account come in time order, mostly to one field or two of
  // the newest bucket: the last few deltas are where a match is.
  const std::size_t look = std::min<std::size_t>(pending_.size(), 8);
  for (std::size_t i = pending_.size(); i > pending_.size() - look; --i) {
    auto& d = pending_[i - 1];
    if (d.at == bucket && d.field == field) {
      d.value = sat_add(d.value, n);  // counts: never negative
      return;
    }
  }
  pending_.push_back(Delta{bucket, n, field});
}

TimePoint AccountWindows::bucket_of(const Delta& d) const {
  return d.field == kFollowersField ? bucket_start(d.at, bucket_) : d.at;
}

void AccountWindows::apply(const Delta& d, BucketCounts& c) {
  if (d.field == kFollowersField) {
    c.followers.add(epoch_ms(d.at), d.value);
  } else if (d.field < kCategories) {
    sat_add_to(c.posts[d.field], static_cast<std::uint64_t>(d.value));
  } else {
    const std::size_t e = d.field - kCategories;
    sat_add_to(c.engagement[e / kActions][e % kActions], static_cast<std::uint64_t>(d.value));
  }
}

std::vector<AccountWindows::Bucket> AccountWindows::take_pending() {
  std::vector<Bucket> out;
  drain_pending([&](TimePoint start, const BucketCounts& c) { out.push_back({start, c}); });
  return out;
}

}  // namespace kilter::pipeline
