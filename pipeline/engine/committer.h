// The engine's commits: one atomic batch with everything pending (window
// deltas, posts, seen ids, alert states, outbox entries, positions). Its
// positions are offered to the source's checkpointer first; the batch is then
// handed to the writer thread, and its alerts go to the outbox once it is
// written. One write at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/changelog_sync.h"
#include "pipeline/engine/partitions.h"
#include "pipeline/engine/stats.h"
#include "pipeline/ingest/source.h"
#include "pipeline/model/alert.h"
#include "pipeline/model/digest.h"
#include "storage/batch_writer.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

class Committer {
 public:
  // A refusal the checkpointer says may pass by itself (Error::retriable():
  // a broker away, a commit not answered yet) is offered again after this.
  static constexpr std::chrono::milliseconds kRetryBackoff{200};

  Committer(const config::Config& cfg, storage::StateStore& store, Outbox& outbox,
            const Clock& clock, Partitions& partitions, EngineStats& stats);
  ~Committer();
  void reconfigure(const config::Config& cfg) { cfg_ = &cfg; }
  void set_checkpointer(Checkpointer* c) { checkpointer_ = c; }
  // With a changelog, each batch's deltas reach it before the positions are
  // offered, and the offer names their heads.
  void set_changelog(ChangelogSync* sync) { sync_ = sync; }

  // The batch being built, and the messages it holds.
  storage::Batch& batch() { return *batch_; }
  void count_message() { ++batch_events_; }
  bool pending() const {
    return batch_events_ > 0 || !staged_.empty() || sent_.has_value() ||
           (sync_ != nullptr && outbox_.has_confirmations());
  }
  std::size_t pending_messages() const { return batch_events_ + sent_events(); }
  std::size_t uncommitted() const { return batch_events_ + sent_events() + in_flight_events_; }

  // An alert record joins the batch holding the state that produced it, with
  // the sinks it is routed to; the outbox gets it once that batch is written.
  void stage(PartitionState& ps, AlertRecord record, std::vector<std::string> sinks,
             TimePoint raised_by);
  // A digest record the same way, in the batch holding the digest's progress
  // (PartitionMeta::digests).
  void stage(PartitionState& ps, DigestRecord record, std::vector<std::string> sinks);

  bool due() const;
  bool backlogged() const { return batch_events_ >= 2 * cfg_->storage.commit_max_events; }
  // Offers the positions, then hands the batch to the writer thread (after the
  // write in flight, if any, is collected). A refused offer keeps the batch.
  // With a changelog and `async`, the batch's records are sent without waiting
  // for their acknowledgement: the engine goes on building the next batch, and
  // poll() finishes the commit once the changelog answered (one batch in the
  // changelog at a time; a synchronous submit finishes it first).
  Result<void> submit(bool async = false);
  // Finishes the commit of a batch sent without waiting, if the changelog has
  // answered (or waits for it when `block`).
  Result<void> poll(bool block = false);
  // Collects the write in flight (waiting for it when `block`).
  Result<void> settle(bool block);
  // Gives up the batch being built and its alerts (the write in flight is
  // collected first): the next owner of the partitions reads them again.
  void discard();
  // The store as it was before the write in flight (null: none in flight).
  const storage::Snapshot* in_flight_snapshot() const { return in_flight_snapshot_.get(); }

  // A failed write (or any error the engine cannot go on after): logged once;
  // nothing is committed any more.
  void fail(Error e);
  const std::optional<Error>& failure() const { return failure_; }

 private:
  struct Staged {  // an outbox entry in the uncommitted batch
    Partition partition;
    std::uint64_t seq;
    AlertRecord record;
    std::optional<DigestRecord> digest;  // set: the entry is this digest
    std::string json;                    // the record's SPEC line, made once: the stored form
    std::vector<std::string> sinks;
    TimePoint raised_by;  // input timestamp of the message that raised it (epoch: unknown)
  };
  // A batch sent to the changelog without waiting (submit(true)): what it needs
  // to be committed once the changelog answered, as of when it was drained.
  struct Sent {
    std::unique_ptr<storage::Batch> batch;
    std::vector<Staged> staged;
    std::size_t events = 0;
    std::map<Partition, storage::PartitionMeta> metas;
    std::chrono::steady_clock::time_point started;
  };
  std::size_t sent_events() const { return sent_ ? sent_->events : 0; }
  // Offers the changed positions to the checkpointer (those of `metas` when
  // given, else the partitions' current ones); false: refused (deferred).
  bool offer_positions(const std::map<Partition, storage::PartitionMeta>* metas = nullptr);
  // The sent batch joins the one built since (the changelog or the group
  // refused it): it is sent again, whole, with the next commit.
  void give_back();
  // Hands a drained batch to the writer thread: the alerts still in `staged`
  // are delivered once it is written (with a changelog, they were delivered
  // when the batch was accepted, and `staged` is empty).
  void write(std::unique_ptr<storage::Batch> batch, std::vector<Staged> staged,
             std::size_t events, std::chrono::steady_clock::time_point started);
  // Not an engine failure: the batch stays, grows, and is offered again.
  void defer(const Error& e);
  // The open partitions' pending figures into the batch (window deltas, seen
  // ids, meta).
  void drain();
  void reset_batch();
  void deliver(std::vector<Staged>& alerts);

  const config::Config* cfg_;
  storage::StateStore& store_;
  Outbox& outbox_;
  const Clock& clock_;
  Partitions& partitions_;
  EngineStats& stats_;
  Checkpointer* checkpointer_ = nullptr;
  ChangelogSync* sync_ = nullptr;
  std::vector<Position> positions_;  // scratch for the checkpointer
  std::chrono::steady_clock::time_point retry_after_{};

  std::unique_ptr<storage::Batch> batch_;
  std::size_t batch_events_ = 0;
  std::chrono::steady_clock::time_point batch_started_;
  std::vector<Staged> staged_;  // outbox entries in the uncommitted batch
  std::unique_ptr<storage::BatchWriter> writer_;
  std::unique_ptr<storage::Batch> spare_;  // a written batch, reused
  std::vector<Staged> in_flight_;          // the alerts of the batch being written
  std::shared_ptr<const storage::Snapshot> in_flight_snapshot_;  // the store before it
  std::size_t in_flight_events_ = 0;
  double in_flight_checkpoint_seconds_ = 0;
  std::optional<Sent> sent_;
  std::optional<Error> failure_;
};

}  // namespace kilter::pipeline
