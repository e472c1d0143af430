// Restores of assigned partitions, on a thread of their own so that the rest of
// the daemon keeps working meanwhile: one partition at a time, from the changelog
// into the local store (snapshot chunks imported as table files, deltas applied in
// one atomic write with the head last). The engine starts a restore when a
// partition is assigned with a head its store does not hold, keeps the partition
// warming (not consumed, not evaluated) until take_done() hands the result back,
// and cancels it when the partition is revoked first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/types.h"
#include "pipeline/changelog/restore.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

using ReaderFactory = std::function<Result<std::unique_ptr<changelog::ChangelogReader>>()>;

struct RestoreDone {
  Partition partition;
  std::uint64_t ticket = 0;  // start()'s answer
  Result<changelog::RestoreStats> result;
};

class Restorer {
 public:
  // How long to wait before trying again while the changelog is away.
  static constexpr std::chrono::milliseconds kRetryBackoff{1'000};

  // `hold`: each restore waits that long first (tests; see ChangelogOptions).
  Restorer(storage::StateStore& store, ReaderFactory make_reader, Millis timeout,
           Millis hold = Millis{0});
  ~Restorer();  // cancels what is left and joins the thread
  Restorer(const Restorer&) = delete;
  Restorer& operator=(const Restorer&) = delete;

  // Queues the restore of p to `req.head` (req.local is filled in when the job
  // starts, from the store); its result comes back with this ticket.
  std::uint64_t start(Partition p, changelog::RestoreRequest req);
  // The restores of p, queued or running, stop (whatever they wrote is an
  // import that did not finish, which nothing reads) and report nothing.
  void cancel(Partition p);
  // The restores finished since the last call (in the order they finished).
  std::vector<RestoreDone> take_done();

  const changelog::RestoreProgress& progress() const { return progress_; }
  // Tries again while the changelog was away.
  std::uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }

 private:
  struct Job {
    Partition partition;
    std::uint64_t ticket;
    changelog::RestoreRequest req;
    std::shared_ptr<std::atomic<bool>> cancelled;
  };
  void run();
  Result<changelog::RestoreStats> restore(Job& job);

  storage::StateStore& store_;
  ReaderFactory make_reader_;
  Millis timeout_;
  Millis hold_;
  std::unique_ptr<changelog::ChangelogReader> reader_;  // the thread's, made at first use
  changelog::RestoreProgress progress_;
  std::atomic<std::uint64_t> retries_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  // The job being restored: its partition and its cancel flag (null: none).
  Partition running_partition_{};
  std::shared_ptr<std::atomic<bool>> running_;
  std::vector<RestoreDone> done_;
  std::uint64_t next_ticket_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kilter::pipeline
