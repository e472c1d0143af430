#include "pipeline/outbox.h"

#include <spdlog/spdlog.h>

namespace kilter::pipeline {

void Outbox::restore(storage::StateStore& store, Partition p) {
  store.scan_outbox(p, [&](std::uint64_t seq, std::string_view record) {
    if (queued_.emplace(p, seq).second) queue_.push_back(Entry{p, seq, std::string(record), {}});
  });
}

void Outbox::committed(Partition p, std::uint64_t seq, std::string record) {
  if (queued_.emplace(p, seq).second) queue_.push_back(Entry{p, seq, std::move(record), {}});
}

std::size_t Outbox::deliver(storage::Batch& deletes) {
  while (!queue_.empty()) {
    auto& e = queue_.front();
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
      if (e.done.contains(i)) continue;
      if (auto r = sinks_[i]->deliver(e.record); !r) {
        ++stats_.failures;
        if (!failing_logged_) {
          spdlog::error("sink {} failed, alerts stay queued and are retried: {}", sinks_[i]->name(),
                        r.error().message);
          failing_logged_ = true;
        }
        return queue_.size();  // keep order: retry this entry first next time
      }
      e.done.insert(i);
    }
    if (failing_logged_) {
      spdlog::info("sinks deliver again");
      failing_logged_ = false;
    }
    deletes.delete_outbox(e.partition, e.seq);
    ++stats_.delivered;
    queued_.erase({e.partition, e.seq});
    queue_.pop_front();
  }
  return 0;
}

}  // namespace kilter::pipeline
