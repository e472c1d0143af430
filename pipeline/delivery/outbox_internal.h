// Internal to the outbox (outbox.cpp, outbox_restore.cpp): an entry in memory
// and a sink's worker.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "pipeline/delivery/outbox.h"

namespace kilter::pipeline {

struct Outbox::Entry {
  Partition partition;
  std::uint64_t seq = 0;
  AlertRef alert;
  const std::string& account() const { return alert->account(); }
  const std::string& alert_id() const { return alert->record.alert_id; }
  bool digest() const { return alert->is_digest(); }
  bool firing() const { return !digest() && alert->record.status == AlertStatus::firing; }
  std::vector<std::string> owed;  // sinks still to confirm
  std::chrono::steady_clock::time_point arrived;
};

struct Outbox::Worker {
  SinkSlot slot;
  std::unique_ptr<Sink> retiring;  // replaced while a delivery was in flight on it
  bool retired = false;            // no longer configured: takes nothing more
  std::string name;
  std::deque<Entry*> queue;
  std::vector<AlertRef> reminders;  // still-firing records to send again (not durable)
  bool busy = false;
  Dispatcher::TimerId timer = 0;
  int attempts = 0;    // failed attempts of the current head
  int rejections = 0;  // of those, refused by the receiver
  std::chrono::steady_clock::time_point next_send{}, retry_at{};
  std::map<std::string, std::chrono::steady_clock::time_point> last_told;  // firing alert ids
  bool failing = false;
  SinkStats stats;
};

}  // namespace kilter::pipeline
