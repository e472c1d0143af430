// The writing side of one input partition's chain: frames each commit's delta and each
// snapshot chunk with the right links, learns their offsets once the changelog has
// them, and says when a snapshot is due. The head a group commit names moves only when
// that commit is accepted: records framed for a refused commit are orphans, and the
// next ones link to the last accepted head again (with fresh ids: an id is never
// reused, so an orphan can never be mistaken for a later record).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "pipeline/changelog/commit_metadata.h"
#include "pipeline/changelog/record.h"

namespace kilter::changelog {

struct ChainPolicy {
  // A snapshot is due once the deltas since the chain's snapshot hold this many body
  // bytes, or tail_per_snapshot times as many as the snapshot this writer sent when
  // that is more (snapshots then cost at most 1/tail_per_snapshot of the deltas; the
  // snapshot and its tail stay within max_snapshot_bytes + snapshot_tail_bytes), or
  // the head is this many changelog offsets past the snapshot (other partitions'
  // records share the changelog partition: a restore reads them too).
  std::size_t snapshot_tail_bytes = 1 << 20;
  // 2: a snapshot costs half its tail. At 1 the snapshots were as many bytes as the
  // deltas, and exporting them took 8 % of the event loop at 58k events/s (issue 13);
  // a restore reads up to twice the snapshot's bytes of deltas, a few milliseconds.
  double tail_per_snapshot = 2;
  std::int64_t snapshot_max_offsets = 20'000;
  std::size_t chunk_bytes = 256 << 10;  // a snapshot chunk's body, at most
  // A snapshot's bodies, at most: a restore reads the snapshot and its tail from one
  // changelog partition, which the dev broker keeps to about 5 MiB (a real cluster: set
  // retention.bytes well above it).
  std::size_t max_snapshot_bytes = std::size_t{4} << 20;
  // Partitions that fill at the same pace would all want their snapshot in the
  // same commit: one export each and one wait for the brokers, together a stall
  // of the event loop (150 ms measured at 58k events/s, 20 partitions at once;
  // issue 13). Each chain's two bounds are lowered by a share of themselves
  // below this fraction, fixed by its key, so snapshots spread over commits.
  // 0: every chain at the bounds exactly.
  double stagger = 0.25;
};

class PartitionChain {
 public:
  // `head`: the chain as the local store last wrote it (nullopt: none yet; a snapshot
  // must then come first); `position`: the local store's input position. `epoch`: new
  // for each PartitionChain of this writer and partition (raised and stored locally
  // before the first record is sent): ids count from 1 again in each, and an id must
  // not repeat (a restore copes with a repeat, see chain.h, but do not rely on it).
  PartitionChain(std::string key, std::int32_t changelog_partition, WriterId writer,
                 std::uint64_t epoch, std::optional<ChainHead> head, std::int64_t position,
                 ChainPolicy policy = {});

  const std::string& key() const { return key_; }
  std::int32_t changelog_partition() const { return partition_; }
  // The head of the last accepted commit (what the local store and the group hold).
  const std::optional<ChainHead>& head() const { return head_; }
  std::int64_t position() const { return position_; }
  // The epoch of the records it frames: the one given, or past the head's when the head
  // is its own at that epoch or a later one (ids never repeat); the caller stores it.
  std::uint64_t epoch() const { return epoch_; }

  // True when a snapshot should be written before the next delta: no chain yet, a head
  // in another changelog partition than this chain's (the topic's partition count
  // changed), or the tail since the snapshot passed the policy's bounds.
  bool snapshot_due() const;
  // Whether a snapshot whose bodies hold `bytes` may be written: `failed` (naming the
  // partition and the sizes) over max_snapshot_bytes; the caller logs and counts it and
  // keeps the chain it has (deltas go on; the restore range grows until it fits).
  Result<void> check_snapshot_size(std::size_t bytes) const;

  // The record for a commit covering input offsets [from, to), linked after the
  // records framed and not yet given up; valid until the next frame_* call.
  // from must be where the previous framed record (or the head) ends: a caller bug
  // otherwise (abort).
  std::string_view frame_delta(std::int64_t from, std::int64_t to, std::string_view body);
  // A snapshot chunk of the state at the current position (the head's: nothing framed
  // since it); the first chunk starts a chain, `last` ends the snapshot.
  std::string_view frame_snapshot_chunk(std::string_view body, bool last);

  // The changelog offsets of the records framed since the last sent()/abandon(), in
  // frame order (ChangelogWriter::flush()'s answer). A complete snapshot becomes the
  // head at once: its state is the head's state, so either may be named.
  void sent(std::span<const std::int64_t> offsets);
  // The head the sent deltas lead to: what the group commit names (format it with
  // format_commit_metadata); nullopt when no delta was sent since the last accepted one.
  std::optional<ChainHead> pending_head() const;
  // The group commit naming pending_head() was accepted: it becomes the head.
  void accepted();
  // The framed or sent records are given up (the flush failed, the commit was refused):
  // the next record links to the head again.
  void abandon();

 private:
  struct Framed {
    RecordHeader header;
    std::size_t body_bytes;
  };
  RecordId next_id();
  // The tail bytes after which a snapshot is due (ChainPolicy::snapshot_tail_bytes).
  std::size_t tail_limit() const;

  std::string key_;
  std::int32_t partition_;
  WriterId writer_;
  std::uint64_t epoch_;
  ChainPolicy policy_;
  std::optional<ChainHead> head_;
  std::int64_t position_;
  double stagger_ = 0;              // this chain's share of policy_.stagger, in [0, stagger)
  std::size_t tail_bytes_ = 0;      // delta bodies accepted since the head's snapshot
  std::size_t snapshot_bytes_ = 0;  // the bodies of the snapshot this writer sent last
  std::uint64_t seq_ = 0;
  std::vector<Framed> framed_;  // since the last sent()/abandon()
  // Sent and not yet accepted: the head they lead to and their bytes.
  std::optional<ChainHead> pending_;
  std::int64_t pending_position_ = 0;
  std::size_t pending_bytes_ = 0;
  std::string out_;
};

}  // namespace kilter::changelog
