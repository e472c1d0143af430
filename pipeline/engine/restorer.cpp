#include "pipeline/engine/restorer.h"

#include <spdlog/spdlog.h>

#include "pipeline/engine/changelog_sync.h"

namespace kilter::pipeline {
namespace {

// The local store as a restore's target: snapshot chunks go into an import
// (table files, ingested at the end), deltas are kept as views (valid until the
// restore returns) and applied in one atomic write, with the head, last. A crash
// anywhere before that leaves either the import unfinished (no meta: nothing
// reads it, the next import drops it) or the snapshot's state without a chain
// head (the next assignment restores again).
class StoreTarget final : public changelog::RestoreTarget {
 public:
  StoreTarget(storage::StateStore& store, Partition p, const std::atomic<bool>& cancelled)
      : store_(store), p_(p), cancelled_(cancelled) {}

  Result<void> reset() override {
    if (auto r = check(); !r) return r;
    auto import = store_.begin_import(p_);
    if (!import) return import.error();
    import_ = std::move(*import);
    return ok();
  }
  Result<void> apply_snapshot_chunk(std::string_view body) override {
    if (auto r = check(); !r) return r;
    if (!import_)
      if (auto r = reset(); !r) return r;
    return import_->add(body);
  }
  Result<void> apply_delta(std::string_view body) override {
    if (auto r = check(); !r) return r;
    deltas_.push_back(body);
    return ok();
  }
  Result<void> finish(const changelog::ChainHead& head, std::int64_t position) override {
    if (auto r = check(); !r) return r;
    const auto stored_head = to_storage(head);
    if (import_) {
      // The snapshot's state names no head until the deltas after it are in.
      auto r = import_->finish(deltas_.empty() ? std::optional{stored_head} : std::nullopt);
      import_.reset();
      if (!r) return r.error();
    }
    if (!deltas_.empty())
      if (auto r = store_.apply_deltas(p_, deltas_, stored_head, true); !r) return r;
    auto meta = store_.meta(p_);
    if (!meta || meta->position.value() != position || meta->chain != stored_head)
      return Error{
          fmt::format("the restored state of partition {} is not at offset {} (its meta "
                      "says {})",
                      p_.value(), position, meta ? meta->position.value() : -1)};
    return ok();
  }

 private:
  Result<void> check() const {
    if (cancelled_.load(std::memory_order_relaxed)) return Error{"restore cancelled"};
    return ok();
  }
  storage::StateStore& store_;
  Partition p_;
  const std::atomic<bool>& cancelled_;
  std::unique_ptr<storage::PartitionImport> import_;
  std::vector<std::string_view> deltas_;
};

}  // namespace

Restorer::Restorer(storage::StateStore& store, ReaderFactory make_reader, Millis timeout,
                   Millis hold)
    : store_(store), make_reader_(std::move(make_reader)), timeout_(timeout), hold_(hold) {
  thread_ = std::thread([this] { run(); });
}

Restorer::~Restorer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
    if (running_) *running_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::uint64_t Restorer::start(Partition p, changelog::RestoreRequest req) {
  std::lock_guard lock(mu_);
  auto ticket = next_ticket_++;
  queue_.push_back(Job{p, ticket, std::move(req), std::make_shared<std::atomic<bool>>(false)});
  cv_.notify_all();
  return ticket;
}

void Restorer::cancel(Partition p) {
  std::lock_guard lock(mu_);
  std::erase_if(queue_, [&](const Job& j) { return j.partition == p; });
  if (running_ && running_partition_ == p) *running_ = true;
  std::erase_if(done_, [&](const RestoreDone& d) { return d.partition == p; });
  cv_.notify_all();
}

std::vector<RestoreDone> Restorer::take_done() {
  std::lock_guard lock(mu_);
  std::vector<RestoreDone> out;
  out.swap(done_);
  return out;
}

void Restorer::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      running_partition_ = job.partition;
      running_ = job.cancelled;
    }
    auto result = restore(job);
    std::lock_guard lock(mu_);
    running_.reset();
    if (!*job.cancelled) done_.push_back(RestoreDone{job.partition, job.ticket, std::move(result)});
  }
}

Result<changelog::RestoreStats> Restorer::restore(Job& job) {
  if (hold_ > Millis{0}) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, hold_, [&] { return stop_ || job.cancelled->load(); });
    if (stop_ || *job.cancelled) return Error{"restore cancelled"};
  }
  bool logged = false;
  for (;;) {
    Result<changelog::RestoreStats> r = Error{"no changelog reader"};
    if (!reader_) {
      auto made = make_reader_();
      if (made)
        reader_ = std::move(*made);
      else
        r = made.error();
    }
    if (reader_) {
      // What the store holds is read now, not when the job was queued: a job
      // before this one (a standby's catching up) may have moved it.
      job.req.local.reset();
      job.req.local_position = 0;
      if (auto meta = store_.meta(job.partition); meta && meta->chain) {
        job.req.local = to_changelog(*meta->chain, job.req.head.partition);
        job.req.local_position = meta->position.value();
      }
      StoreTarget target(store_, job.partition, *job.cancelled);
      r = changelog::restore_partition(*reader_, job.req, target, timeout_, &progress_);
    }
    if (r || *job.cancelled || !r.error().retriable()) return r;
    // The changelog is away: the partition stays warming until it answers.
    if (!logged)
      spdlog::warn("changelog: restoring {}: {}; trying again every {} ms", job.req.key,
                   r.error().message, kRetryBackoff.count());
    logged = true;
    retries_.fetch_add(1, std::memory_order_relaxed);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kRetryBackoff, [&] { return stop_ || job.cancelled->load(); });
    if (stop_ || *job.cancelled) return Error{"restore cancelled"};
  }
}

}  // namespace kilter::pipeline
