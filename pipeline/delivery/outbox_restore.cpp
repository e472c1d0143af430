// The outbox's entries read back from the store (restarts, partitions that
// moved here) and the reminders of still-firing alerts.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "pipeline/delivery/outbox_internal.h"

namespace kilter::pipeline {

void Outbox::restore_all() {
  for (auto p : store_.outbox_partitions()) load(p);
  if (!entries_.empty()) spdlog::info("outbox: {} alert record(s) still owed", entries_.size());
  if (!dirty_.empty()) schedule_flush();
  check_full();
}

void Outbox::restore(Partition p) {
  const auto added = load(p);
  if (added > 0)
    spdlog::info("outbox: {} alert record(s) of partition {} still owed", added, p.value());
  if (!dirty_.empty()) schedule_flush();
  check_full();
}

std::size_t Outbox::load(Partition p) {
  std::vector<std::string> all;
  for (const auto& w : workers_) all.push_back(w->name);
  std::size_t added = 0;
  {
    store_.scan_outbox(p, [&](std::uint64_t seq, std::string_view record,
                              const std::vector<std::string>& sinks, bool all_sinks) {
      auto key = std::make_pair(p, seq);
      if (entries_.contains(key)) return;
      // Digests carry "type":"digest"; alert lines written before digests
      // existed have no type.
      AlertRef parsed;
      std::string problem;
      if (record_type(record) == "digest") {
        if (auto d = parse_digest_record(record))
          parsed = make_outbound(std::move(*d), std::string(record));
        else
          problem = d.error().message;
      } else if (auto a = parse_alert_record(record)) {
        parsed = make_outbound(std::move(*a), std::string(record));
      } else {
        problem = a.error().message;
      }
      if (!parsed) {
        // No sink can be given what cannot be read: the entry is dropped (the
        // flush deletes it), or it would be owed for ever.
        if (unreadable_++ == 0)
          spdlog::error(
              "outbox: stored entry {}/{} is not an alert or digest record ({}): dropped; see "
              "kilter_outbox_unreadable_total",
              p.value(), seq, problem);
        dirty_.insert(key);
        return;
      }
      auto e = std::make_unique<Entry>();
      e->partition = p;
      e->seq = seq;
      e->alert = std::move(parsed);
      e->arrived = d_.steady_now();
      for (const auto& s : all_sinks ? all : sinks) {
        if (std::find(all.begin(), all.end(), s) != all.end()) {
          e->owed.push_back(s);
        } else if (unknown_sinks_++ == 0) {
          spdlog::warn(
              "outbox: alerts owed to sink '{}', which the configuration no longer has: "
              "dropped for that sink",
              s);
        }
      }
      if (e->owed.size() != (all_sinks ? all.size() : sinks.size())) dirty_.insert(key);
      auto* raw = e.get();
      entries_.emplace(key, std::move(e));
      enqueue(raw);
      ++added;
    });
  }
  return added;
}

void Outbox::schedule_reminders(Worker& w) {
  if (!firing_ || w.retired) return;
  // Always ticking: a reload may turn repeat_interval on or off.
  auto alive = alive_;
  auto every = w.slot.repeat_interval.count() > 0
                   ? std::clamp(w.slot.repeat_interval / 4, Millis{1000}, Millis{60'000})
                   : Millis{60'000};
  d_.schedule(every, [this, alive, &w] {
    if (!*alive) return;
    if (w.slot.repeat_interval.count() > 0) remind(w);
    schedule_reminders(w);
  });
}

void Outbox::remind(Worker& w) {
  const auto now = d_.steady_now();
  std::map<std::string, std::chrono::steady_clock::time_point> still;
  for (auto& f : firing_()) {
    if (std::find(f.sinks.begin(), f.sinks.end(), w.name) == f.sinks.end()) continue;
    auto id = f.record.alert_id;
    auto it = w.last_told.find(id);
    // An alert told before a restart counts from the restart.
    auto last = it == w.last_told.end() ? now : it->second;
    if (now - last >= w.slot.repeat_interval) {
      w.reminders.push_back(make_outbound(std::move(f.record)));
      last = now;
    }
    still[std::move(id)] = last;
  }
  w.last_told = std::move(still);
  kick(w);
}

}  // namespace kilter::pipeline
