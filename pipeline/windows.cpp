#include "pipeline/windows.h"

#include <algorithm>
#include <cstdlib>

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
void AccountWindows::each_sealed(F&& fn) const {
  std::string_view in(sealed_);
  for (std::size_t i = 0; i < sealed_count_; ++i) {
    std::uint64_t units = 0;
    std::uint64_t len = 0;
    // Written by append_sealed alone: a malformed entry is a broken invariant.
    if (!get_varint(in, units) || !get_varint(in, len) || len > in.size()) std::abort();
    const TimePoint start = base_ + bucket_ * static_cast<std::int64_t>(units);
    if (!fn(start, in.substr(0, len))) return;
    in.remove_prefix(len);
  }
}

void AccountWindows::append_sealed(TimePoint start, const BucketCounts& counts) {
  if (sealed_count_ == 0) base_ = start;
  scratch_.clear();
  storage::pack(scratch_, counts);
  put_varint(sealed_, static_cast<std::uint64_t>((start - base_) / bucket_));
  put_varint(sealed_, scratch_.size());
  sealed_ += scratch_;
  sealed_last_ = start;
  ++sealed_count_;
}

void AccountWindows::unseal_from(TimePoint from) {
  // Rare: an event for a bucket packed already (the newest stored bucket after
  // a restart, say). The tail is unpacked back into the open buckets.
  std::vector<Bucket> tail;
  std::size_t keep_bytes = 0;
  std::size_t keep_count = 0;
  std::string_view all(sealed_);
  each_sealed([&](TimePoint start, std::string_view body) {
    if (start < from) {
      keep_bytes = static_cast<std::size_t>(body.data() + body.size() - all.data());
      ++keep_count;
      return true;
    }
    BucketCounts c;
    if (!storage::unpack(body, c)) std::abort();
    tail.push_back(Bucket{start, c});
    return true;
  });
  if (tail.empty()) return;
  sealed_.resize(keep_bytes);
  sealed_count_ = keep_count;
  if (keep_count > 0) {
    each_sealed([&](TimePoint start, std::string_view) {
      sealed_last_ = start;
      return true;
    });
  }
  open_.insert(open_.begin(), tail.begin(), tail.end());
}

BucketCounts& AccountWindows::open_at(TimePoint ts) {
  const TimePoint start = bucket_start(ts, bucket_);
  if (sealed_count_ > 0 && start <= sealed_last_) unseal_from(start);
  return at(open_, start);
}

void AccountWindows::add_post(TimePoint ts, Category c) {
  const auto i = static_cast<std::size_t>(c);
  ++open_at(ts).posts[i];
  ++at(pending_, bucket_start(ts, bucket_)).posts[i];
}

void AccountWindows::add_engagement(TimePoint ts, EngagementClass c, Action a,
                                    std::uint64_t count) {
  const auto ci = static_cast<std::size_t>(c);
  const auto ai = static_cast<std::size_t>(a);
  open_at(ts).engagement[ci][ai] += count;
  at(pending_, bucket_start(ts, bucket_)).engagement[ci][ai] += count;
}

void AccountWindows::add_followers(TimePoint ts, std::int64_t followers) {
  open_at(ts).followers.add(epoch_ms(ts), followers);
  at(pending_, bucket_start(ts, bucket_)).followers.add(epoch_ms(ts), followers);
}

void AccountWindows::load(TimePoint start, const BucketCounts& counts) {
  // A restore reads the store in time order before any event: straight to the
  // packed buckets.
  if (open_.empty() && (sealed_count_ == 0 || start > sealed_last_)) {
    append_sealed(start, counts);
    return;
  }
  open_at(start).merge(counts);
}

WindowFigures AccountWindows::window(TimePoint end, Millis length) const {
  WindowFigures f;
  const TimePoint from = end - length;
  if (sealed_count_ > 0 && sealed_last_ >= from) {
    BucketCounts c;
    each_sealed([&](TimePoint start, std::string_view body) {
      if (start >= end) return false;
      if (start >= from) {
        if (!storage::unpack(body, c)) std::abort();
        f.sum.merge(c);
      }
      return true;
    });
  }
  for (const auto& b : open_) {
    if (b.start >= end) break;
    if (b.start >= from) f.sum.merge(b.counts);
  }
  return f;
}

void AccountWindows::expire(TimePoint cutoff) {
  auto it = std::lower_bound(open_.begin(), open_.end(), cutoff,
                             [](const Bucket& b, TimePoint t) { return b.start < t; });
  open_.erase(open_.begin(), it);
  if (sealed_count_ == 0) return;
  if (sealed_last_ < cutoff) {
    sealed_.clear();
    sealed_count_ = 0;
    return;
  }
  // Buckets before the cutoff are in no window any more; dropping them one at
  // a time would move the whole string at every evaluation, so they go in runs.
  std::size_t stale = 0;
  std::size_t bytes = 0;
  std::string_view all(sealed_);
  each_sealed([&](TimePoint start, std::string_view body) {
    if (start >= cutoff) return false;
    ++stale;
    bytes = static_cast<std::size_t>(body.data() + body.size() - all.data());
    return true;
  });
  if (stale >= 8 || stale * 4 >= sealed_count_) {
    sealed_.erase(0, bytes);
    sealed_count_ -= stale;
  }
}

void AccountWindows::seal(TimePoint before) {
  std::size_t n = 0;
  while (n < open_.size() && open_[n].start < before) {
    append_sealed(open_[n].start, open_[n].counts);
    ++n;
  }
  open_.erase(open_.begin(), open_.begin() + static_cast<std::ptrdiff_t>(n));
  // A burst leaves a large vector behind: give the room back.
  if (open_.capacity() > 2 * open_.size() + 2) open_.shrink_to_fit();
}

std::optional<TimePoint> AccountWindows::first_at_or_after(TimePoint t, std::uint8_t inputs) const {
  std::optional<TimePoint> found;
  if (sealed_count_ > 0 && sealed_last_ >= t) {
    BucketCounts c;
    each_sealed([&](TimePoint start, std::string_view body) {
      if (start < t) return true;
      if (inputs != 0xff && (storage::packed_kinds(body) & inputs) == 0) return true;
      found = start;
      return false;
    });
    if (found) return found;
  }
  for (const auto& b : open_)
    if (b.start >= t && (inputs == 0xff || (bucket_inputs(b.counts) & inputs) != 0)) return b.start;
  return std::nullopt;
}

std::optional<TimePoint> AccountWindows::newest() const {
  if (!open_.empty()) return open_.back().start;
  if (sealed_count_ > 0) return sealed_last_;
  return std::nullopt;
}

std::vector<AccountWindows::Bucket> AccountWindows::buckets() const {
  std::vector<Bucket> out;
  each_sealed([&](TimePoint start, std::string_view body) {
    Bucket b{start, {}};
    if (!storage::unpack(body, b.counts)) std::abort();
    out.push_back(b);
    return true;
  });
  out.insert(out.end(), open_.begin(), open_.end());
  return out;
}

std::size_t AccountWindows::bytes() const {
  return sealed_.capacity() + (open_.capacity() + pending_.capacity()) * sizeof(Bucket);
}

std::vector<AccountWindows::Bucket> AccountWindows::take_pending() {
  std::vector<Bucket> out;
  out.swap(pending_);
  return out;
}

}  // namespace kilter::pipeline
