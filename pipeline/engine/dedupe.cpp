#include "pipeline/engine/dedupe.h"

#include <algorithm>

namespace kilter::pipeline {

bool SeenIds::insert(const storage::SeenId& s) {
  bool inserted = false;
  auto& ts = ids_.get_or_insert(s.id, inserted);
  if (!inserted) return false;
  ts = epoch_ms(s.ts);
  fresh_.push_back(s);
  if (ids_.size() >= next_sweep_) sweep();
  return true;
}

void SeenIds::restore(const storage::SeenId& s) {
  bool inserted = false;
  ids_.get_or_insert(s.id, inserted) = epoch_ms(s.ts);
  if (ids_.size() >= next_sweep_) sweep();
}

void SeenIds::sweep() {
  // Expiry in bulk, when the table has doubled since the last sweep: amortised
  // O(1) per id, and no per-id bookkeeping of the order they expire in.
  const std::int64_t wm = epoch_ms(watermark_);
  if (watermark_ != TimePoint::min())
    ids_.retain([wm](std::uint64_t, std::int64_t ts) { return ts >= wm; });
  if (ids_.size() > max_ids_) {
    // Too many ids within the lateness: keep the newest three quarters of the
    // bound. A redelivery of a forgotten id would be counted again.
    std::vector<std::int64_t> times;
    times.reserve(ids_.size());
    ids_.for_each([&](std::uint64_t, std::int64_t ts) { times.push_back(ts); });
    const std::size_t keep = max_ids_ - max_ids_ / 4;
    auto nth = times.end() - static_cast<std::ptrdiff_t>(keep);
    std::nth_element(times.begin(), nth, times.end());
    const std::int64_t cutoff = *nth;
    const std::size_t before = ids_.size();
    ids_.retain([cutoff](std::uint64_t, std::int64_t ts) { return ts >= cutoff; });
    evicted_ += before - ids_.size();
  }
  next_sweep_ = std::min(std::max<std::size_t>(1024, ids_.size() * 2), max_ids_ + 1);
}

}  // namespace kilter::pipeline
