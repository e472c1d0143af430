#include "storage/batch_writer.h"

#include <pthread.h>

#include <chrono>

#include "common/clock.h"

namespace kilter::storage {

namespace {

const SystemClock kSystemClock;

}  // namespace

BatchWriter::BatchWriter(StateStore& store, const Clock& clock)
    : store_(store), clock_(clock), thread_([this] { run(); }) {}

BatchWriter::BatchWriter(StateStore& store) : BatchWriter(store, kSystemClock) {}

BatchWriter::~BatchWriter() {
  if (busy_) (void)wait();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BatchWriter::submit(std::unique_ptr<Batch> batch, bool sync) {
  {
    std::lock_guard lock(mu_);
    batch_ = std::move(batch);
    sync_ = sync;
    pending_ = true;
    finished_ = false;
  }
  busy_ = true;
  cv_.notify_all();
}

bool BatchWriter::done() const {
  std::lock_guard lock(mu_);
  return finished_;
}

std::pair<Result<void>, std::unique_ptr<Batch>> BatchWriter::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return finished_; });
  finished_ = false;
  busy_ = false;
  last_seconds_ = seconds_;
  return {std::exchange(result_, ok()), std::move(batch_)};
}

void BatchWriter::run() {
  // Named, so that `top -H` and profiles tell it from the event loop.
  ::pthread_setname_np(::pthread_self(), "kilter-writer");
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_ && !pending_) return;
    pending_ = false;
    auto* batch = batch_.get();
    const bool sync = sync_;
    lock.unlock();
    const auto start = clock_.steady_now();
    auto r = store_.commit(*batch, sync);
    const std::chrono::duration<double> took = clock_.steady_now() - start;
    lock.lock();
    seconds_ = took.count();
    result_ = std::move(r);
    finished_ = true;
    cv_.notify_all();
  }
}

}  // namespace kilter::storage
