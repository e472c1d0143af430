// Writes state batches on a thread of its own, one at a time: the engine builds
// the next batch while this one is sorted and inserted into RocksDB, so the
// second core does the store's work. Any StateStore will do (commit() is
// thread-safe); the batch is the writer's until wait() hands it back.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "common/clock.h"
#include "storage/state_store.h"

namespace kilter::storage {

class BatchWriter {
 public:
  // `clock` times the writes (read on the writer's thread: SystemClock, or a
  // SimulatedClock, are safe there). Without one, the system's.
  BatchWriter(StateStore& store, const Clock& clock);
  explicit BatchWriter(StateStore& store);
  ~BatchWriter();  // waits for the write in flight
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Starts writing `batch`; the previous one must have been collected (wait()).
  void submit(std::unique_ptr<Batch> batch, bool sync);
  // A batch was submitted and not yet collected.
  bool busy() const { return busy_; }
  // The write in flight has finished (wait() will not block).
  bool done() const;
  // Waits for the write in flight and hands the batch back (empty after a
  // successful commit, as it was after a failed one) with the commit's result.
  std::pair<Result<void>, std::unique_ptr<Batch>> wait();
  // How long the last collected write took, in seconds.
  double last_seconds() const { return last_seconds_; }

 private:
  void run();

  StateStore& store_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Batch> batch_;  // the job, then the result's batch
  bool sync_ = false;
  bool pending_ = false;   // a job waits for the thread
  bool finished_ = false;  // the job's result is ready
  bool stop_ = false;
  Result<void> result_ = ok();
  bool busy_ = false;        // owner's view: submitted and not yet collected
  double seconds_ = 0;       // of the write just finished (under mu_)
  double last_seconds_ = 0;  // of the last one collected
  std::thread thread_;
};

}  // namespace kilter::storage
