#include "pipeline/changelog/partition_chain.h"

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/hash.h"

namespace kilter::changelog {
namespace {

[[noreturn]] void broken_invariant(const char* what) {
  std::fprintf(stderr, "kilter: changelog chain: %s\n", what);
  std::abort();
}

}  // namespace

PartitionChain::PartitionChain(std::string key, std::int32_t changelog_partition, WriterId writer,
                               std::uint64_t epoch, std::optional<ChainHead> head,
                               std::int64_t position, ChainPolicy policy)
    : key_(std::move(key)),
      partition_(changelog_partition),
      writer_(writer),
      epoch_(epoch),
      policy_(policy),
      head_(head),
      position_(position) {
  // Ids must never repeat: given a head it wrote itself at this epoch or a later one
  // (the epoch not raised, or not durably), the writer moves past it.
  if (head_ && head_->id.writer == writer_ && head_->id.epoch >= epoch_)
    epoch_ = head_->id.epoch + 1;
  stagger_ = policy_.stagger * static_cast<double>(hash64(key_) % 1024) / 1024.0;
  framed_.reserve(8);
}

RecordId PartitionChain::next_id() {
  return RecordId{writer_, epoch_, ++seq_};
}

bool PartitionChain::snapshot_due() const {
  // A head in another changelog partition (the topic's partition count changed): a
  // restore reads one partition, so the chain starts again there.
  const auto max_offsets = static_cast<std::int64_t>(
      static_cast<double>(policy_.snapshot_max_offsets) * (1.0 - stagger_));
  return !head_ || head_->partition != partition_ || tail_bytes_ >= tail_limit() ||
         head_->offset - head_->base >= max_offsets;
}

std::size_t PartitionChain::tail_limit() const {
  // Amortized: a snapshot is rewritten once the deltas after it hold
  // tail_per_snapshot times its bytes, so snapshots cost a fraction of the
  // deltas; but the snapshot and its tail together stay within
  // max_snapshot_bytes + snapshot_tail_bytes (what a changelog partition is
  // sized for).
  const auto s = snapshot_bytes_;
  const auto room = policy_.max_snapshot_bytes + policy_.snapshot_tail_bytes;
  const auto amortized = static_cast<std::size_t>(static_cast<double>(s) * policy_.tail_per_snapshot);
  const auto limit =
      std::max(policy_.snapshot_tail_bytes, std::min(amortized, room > s ? room - s : 0));
  return static_cast<std::size_t>(static_cast<double>(limit) * (1.0 - stagger_));
}

Result<void> PartitionChain::check_snapshot_size(std::size_t bytes) const {
  if (bytes <= policy_.max_snapshot_bytes) return {};
  return Error{"changelog: the snapshot of " + key_ + " holds " + std::to_string(bytes) +
                   " bytes, over the " + std::to_string(policy_.max_snapshot_bytes) +
                   " a changelog partition is sized for: not written",
               Errc::failed};
}

std::string_view PartitionChain::frame_delta(std::int64_t from, std::int64_t to,
                                             std::string_view body) {
  RecordHeader h;
  h.kind = RecordKind::delta;
  if (!framed_.empty()) {
    const auto& last = framed_.back().header;
    if (last.kind != RecordKind::delta)
      broken_invariant("a delta framed before its snapshot was sent");
    h.prev = last.id;
    h.base = last.base;
    if (from != last.to) broken_invariant("a delta that does not follow the one before");
  } else if (pending_) {
    h.prev = pending_->id;
    h.base = pending_->base;
    if (from != pending_position_) broken_invariant("a delta that does not follow the one sent");
  } else if (head_) {
    if (head_->partition != partition_)
      broken_invariant("a delta linked to a head in another changelog partition (snapshot first)");
    h.prev = head_->id;
    h.base = head_->base;
    if (from != position_) broken_invariant("a delta that does not follow the head");
  } else {
    broken_invariant("a delta framed before any snapshot");
  }
  if (to < from) broken_invariant("a delta ending before it starts");
  h.id = next_id();
  h.from = from;
  h.to = to;
  framed_.push_back({h, body.size()});
  encode_record(h, body, out_);
  return out_;
}

std::string_view PartitionChain::frame_snapshot_chunk(std::string_view body, bool last) {
  if (pending_) broken_invariant("a snapshot framed while a commit is pending");
  RecordHeader h;
  h.kind = RecordKind::snapshot;
  h.last_chunk = last;
  if (!framed_.empty()) {
    const auto& prev = framed_.back().header;
    if (prev.kind != RecordKind::snapshot || prev.last_chunk)
      broken_invariant("a snapshot chunk after a delta or a complete snapshot");
    h.prev = prev.id;
  }
  h.id = next_id();
  h.base = -1;
  h.from = h.to = position_;
  framed_.push_back({h, body.size()});
  encode_record(h, body, out_);
  return out_;
}

void PartitionChain::sent(std::span<const std::int64_t> offsets) {
  if (offsets.size() != framed_.size()) broken_invariant("offsets for other records than framed");
  if (framed_.empty()) return;
  if (framed_.front().header.kind == RecordKind::snapshot) {
    if (!framed_.back().header.last_chunk)
      broken_invariant("a snapshot sent without its last chunk");
    head_ = ChainHead{framed_.back().header.id, partition_, offsets.back(), offsets.front()};
    tail_bytes_ = 0;
    snapshot_bytes_ = 0;
    for (const auto& f : framed_) snapshot_bytes_ += f.body_bytes;
  } else {
    std::size_t bytes = 0;
    for (const auto& f : framed_) bytes += f.body_bytes;
    pending_ =
        ChainHead{framed_.back().header.id, partition_, offsets.back(), framed_.back().header.base};
    pending_position_ = framed_.back().header.to;
    pending_bytes_ += bytes;
  }
  framed_.clear();
}

std::optional<ChainHead> PartitionChain::pending_head() const {
  return pending_;
}

void PartitionChain::accepted() {
  if (!pending_) return;
  head_ = pending_;
  position_ = pending_position_;
  tail_bytes_ += pending_bytes_;
  pending_.reset();
  pending_bytes_ = 0;
}

void PartitionChain::abandon() {
  framed_.clear();
  pending_.reset();
  pending_bytes_ = 0;
}

}  // namespace kilter::changelog
