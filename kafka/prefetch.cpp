#include "kafka/prefetch.h"

#include <algorithm>
#include <cstring>

namespace kilter::kafka::detail {

char* Prefetch::room(std::size_t n, std::uint64_t& block) {
  if (blocks_.empty() || blocks_.back().size - blocks_.back().used < n) {
    Block b;
    if (n <= kBlockBytes && !spare_.empty()) {
      b = std::move(spare_.back());
      spare_.pop_back();
    } else {
      b.size = std::max(n, kBlockBytes);
      b.bytes = std::make_unique_for_overwrite<char[]>(b.size);
      ++allocations_;
    }
    b.used = 0;
    b.id = next_block_++;
    held_bytes_ += b.size;
    blocks_.push_back(std::move(b));
  }
  auto& b = blocks_.back();
  char* at = b.bytes.get() + b.used;
  b.used += n;
  block = b.id;
  return at;
}

void Prefetch::grow() {
  std::vector<Slot> bigger(std::max<std::size_t>(slots_.size() * 2, 1024));
  for (std::size_t i = 0; i < count_; ++i) bigger[i] = at(i);
  slots_ = std::move(bigger);
  head_ = 0;
}

void Prefetch::push(Partition p, std::int64_t offset, std::int64_t appended_ms,
                    std::string_view key, std::string_view payload) {
  if (count_ == slots_.size()) grow();
  std::uint64_t block = 0;
  const std::size_t n = key.size() + payload.size() + kPadding;
  char* bytes = room(n, block);
  if (!key.empty()) std::memcpy(bytes, key.data(), key.size());
  char* body = bytes + key.size();
  if (!payload.empty()) std::memcpy(body, payload.data(), payload.size());
  // Read by the parser's vector loads, never interpreted: zeroed all the same,
  // so no byte it reads is uninitialised.
  std::memset(body + payload.size(), 0, kPadding);
  auto& s = at(count_++);
  s.block = block;
  s.m = Message{p,
                offset,
                appended_ms,
                {bytes, key.size()},
                {body, payload.size()},
                payload.size() + kPadding};
}

std::span<const Prefetch::Message> Prefetch::take(std::size_t n) {
  out_.clear();
  const std::size_t k = std::min(n, count_ - taken_);
  for (std::size_t i = 0; i < k; ++i) out_.push_back(at(taken_ + i).m);
  taken_ += k;
  return out_;
}

void Prefetch::release() {
  if (slots_.empty()) return;
  head_ = (head_ + taken_) & (slots_.size() - 1);
  count_ -= taken_;
  taken_ = 0;
  recycle_unused();
}

void Prefetch::recycle_unused() {
  // Blocks before the oldest one a message still points into; all of them
  // when there is no message left.
  const std::uint64_t oldest = count_ > 0 ? at(0).block : next_block_;
  std::size_t n = 0;
  while (n < blocks_.size() && blocks_[n].id < oldest) {
    auto& b = blocks_[n];
    held_bytes_ -= b.size;
    if (b.size == kBlockBytes) spare_.push_back(std::move(b));
    ++n;
  }
  blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<std::ptrdiff_t>(n));
}

void Prefetch::drop(Partition p) {
  std::size_t kept = taken_;
  for (std::size_t i = taken_; i < count_; ++i) {
    const auto& s = at(i);
    if (s.m.partition == p) continue;
    if (kept != i) at(kept) = s;
    ++kept;
  }
  count_ = kept;
  if (taken_ == 0) recycle_unused();
}

void Prefetch::clear() {
  count_ = taken_;
  if (taken_ == 0) recycle_unused();
}

}  // namespace kilter::kafka::detail
