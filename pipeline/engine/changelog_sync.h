// The commit side of the changelog (pipeline/changelog/README.md, "The protocol"):
// one PartitionChain per open partition, made when the partition first commits; each
// commit's delta per partition (storage's portable body of the batch's operations on
// it), and a snapshot first when one is due, sent and flushed before the group commit
// that names their heads; the heads move when that commit is accepted, and the local
// write carries them in the partitions' meta.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "pipeline/changelog/log.h"
#include "pipeline/changelog/partition_chain.h"
#include "pipeline/engine/partitions.h"
#include "pipeline/engine/stats.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

struct ChangelogOptions {
  changelog::ChangelogWriter* writer = nullptr;  // null: no changelog
  changelog::ChainPolicy policy;
  // The longest a commit waits for the changelog's acknowledgements.
  std::chrono::milliseconds flush_timeout{10'000};
  // A partition's snapshot is rewritten at least this often (wall clock), so that
  // a time retention on the topic (retention.ms, a week is safe) never takes the
  // snapshot of a quiet partition's chain.
  std::chrono::milliseconds snapshot_max_age{std::chrono::hours(24)};
  // Tests: each restore waits this long before it reads (a rebalance or a kill
  // can then come in the middle of one, for sure). 0 in production.
  std::chrono::milliseconds restore_hold{0};
};

// Where an input partition's records go: its key and changelog partition.
struct ChainAddress {
  std::string key;                       // changelog::record_key(topic, source partition)
  std::int32_t changelog_partition = 0;  // source partition % the topic's partitions
};

class ChangelogSync {
 public:
  ChangelogSync(ChangelogOptions opts, storage::StateStore& store, EngineStats& stats);
  bool enabled() const { return opts_.writer != nullptr; }

  ChainAddress address(std::string_view topic, std::int32_t source_partition) const;
  // A partition is ours: its address (known from its assignment).
  void assigned(Partition p, ChainAddress address);
  // The partition left (revoked, reloaded): its chain is dropped.
  void forget(Partition p);
  const ChainAddress* address_of(Partition p) const;

  // Whether prepare() has work that reads the store (a chain to make, a
  // snapshot due): no write may then be in flight.
  bool needs_store(Partitions& partitions, TimePoint now) const;
  // Makes the chains of partitions that have none (the epoch stored first), and
  // sends the snapshots due, exported from the store (no write may be in flight:
  // the store holds the chains' heads). Before the batch is drained.
  Result<void> prepare(Partitions& partitions, TimePoint now);
  // Frames and sends what the batch does to each partition whose position moved
  // or whose state changed (a snapshot first where one is due), then waits for the
  // changelog (unless `wait` is false: finish_send() does, later). On an error
  // every chain is given up to its head: the batch stays and is sent again.
  Result<void> send(Partitions& partitions, storage::Batch& batch, bool wait = true);
  // After send(..., false): whether the changelog has answered for every record
  // (finish_send() then returns at once). Serves its acknowledgements meanwhile.
  bool answered();
  // After send(..., false): waits for the changelog as send() would have.
  Result<void> finish_send();
  // The metadata naming p's new head (empty: none sent for p).
  std::string metadata(Partition p) const;
  bool pending(Partition p) const;
  // The group commit was accepted: heads move, and the batch records them in
  // the partitions' meta: the metas it was drained with when given (a batch sent
  // without waiting; the partitions have moved on since), else the current ones.
  void accepted(Partitions& partitions, storage::Batch& batch,
                const std::map<Partition, storage::PartitionMeta>* drained = nullptr);
  // Refused: the records sent are orphans.
  void abandon();

 private:
  changelog::PartitionChain* chain(PartitionState& ps, TimePoint now);
  // A snapshot is due: by the chain's rules, or by age.
  bool snapshot_due(Partition p, const changelog::PartitionChain& c, TimePoint now) const;
  Result<void> append(changelog::PartitionChain& c, std::string_view record);
  // Waits for the records appended: their chains learn their offsets.
  Result<void> flush();
  // Gives every chain up to its head; the error, said to be the changelog's.
  Error fail(Error e);

  ChangelogOptions opts_;
  storage::StateStore& store_;
  EngineStats& stats_;
  std::optional<changelog::WriterId> writer_id_;
  std::map<Partition, ChainAddress> addresses_;
  std::map<Partition, std::unique_ptr<changelog::PartitionChain>> chains_;
  // When each chain's snapshot was written (or the chain made, if it started
  // from a stored head).
  std::map<Partition, TimePoint> snapshot_at_;
  // Frame order of the records appended since the last flush: their chains.
  std::vector<changelog::PartitionChain*> order_;
  std::vector<Partition> done_;      // partitions whose delta is framed
  std::vector<std::string> chunks_;  // a snapshot's bodies, before they are framed
  bool logged_oversize_ = false;
};

// The chain head a partition's meta holds, as the changelog names it.
changelog::ChainHead to_changelog(const storage::ChainHead& h, std::int32_t changelog_partition);
storage::ChainHead to_storage(const changelog::ChainHead& h);

}  // namespace kilter::pipeline
