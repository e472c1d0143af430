#include "pipeline/delivery/outbox.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "pipeline/delivery/outbox_internal.h"

namespace kilter::pipeline {
namespace {

constexpr int kRejectionsBeforeGivingUp = 3;
constexpr std::size_t kMaxGroup = 20;  // records in one grouped notification
// Digests of one run in one message: the renderers keep within the channels'
// limits and count the rows left out.
constexpr std::size_t kMaxDigestGroup = 1000;

}  // namespace

Outbox::Outbox(Dispatcher& d, storage::StateStore& store, std::vector<SinkSlot> sinks,
               config::OutboxConfig cfg, FiringAlerts firing)
    : d_(d), store_(store), cfg_(cfg), firing_(std::move(firing)), batch_(store.new_batch()) {
  for (auto& s : sinks) {
    auto w = std::make_unique<Worker>();
    w->name = s.sink->name();
    w->stats.name = w->name;
    w->slot = std::move(s);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) schedule_reminders(*w);
}

Outbox::~Outbox() {
  *alive_ = false;
  held_ = {};  // whatever is left is written here
  for (auto& w : workers_)
    if (w->timer != 0) d_.cancel(w->timer);
  if (!dirty_.empty()) flush();
}

void Outbox::committed(Partition p, std::uint64_t seq, AlertRecord record, std::string json,
                       std::vector<std::string> sinks) {
  add(p, seq, make_outbound(std::move(record), std::move(json)), std::move(sinks));
}

void Outbox::committed(Partition p, std::uint64_t seq, DigestRecord record, std::string json,
                       std::vector<std::string> sinks) {
  add(p, seq, make_outbound(std::move(record), std::move(json)), std::move(sinks));
}

void Outbox::add(Partition p, std::uint64_t seq, AlertRef record, std::vector<std::string> sinks) {
  auto key = std::make_pair(p, seq);
  if (entries_.contains(key)) return;
  auto e = std::make_unique<Entry>();
  e->partition = p;
  e->seq = seq;
  e->alert = std::move(record);
  for (auto& s : sinks) {
    if (find(s) != nullptr)
      e->owed.push_back(std::move(s));
    else if (unknown_sinks_++ == 0)
      spdlog::warn("outbox: an alert is routed to sink '{}', which does not exist", s);
  }
  if (e->owed.size() != sinks.size()) dirty_.insert(key);
  e->arrived = d_.steady_now();
  if (e->owed.empty()) {  // routed nowhere: nothing to wait for
    dirty_.insert(key);
    ++delivered_;
    schedule_flush();
    return;
  }
  auto* raw = e.get();
  entries_.emplace(key, std::move(e));
  enqueue(raw);
  check_full();
}

Outbox::Worker* Outbox::find(std::string_view name) {
  for (auto& w : workers_)
    if (!w->retired && w->name == name) return w.get();
  return nullptr;
}

void Outbox::enqueue(Entry* e) {
  std::vector<Worker*> skip;
  for (const auto& name : e->owed) {
    if (auto* w = find(name)) {
      if (e->digest() && !w->slot.sink->takes_digests()) {
        skip.push_back(w);
        continue;
      }
      w->queue.push_back(e);
      if (!e->digest()) {
        kick(*w);
        continue;
      }
      // A run's digests are committed together: the worker starts on a later
      // turn of the loop, once they are all queued, so that a grouping sink
      // takes the run in one message even without a group_wait.
      auto alive = alive_;
      d_.post([this, alive, w] {
        if (*alive) kick(*w);
      });
    }
  }
  // A sink with no use for digests confirms them at once (the last one may
  // delete the entry: nothing reads `e` after).
  for (auto* w : skip) {
    ++w->stats.skipped;
    struck_off(e, *w);
  }
}

void Outbox::replace_sinks(std::vector<SinkSlot> sinks, config::OutboxConfig cfg) {
  cfg_ = cfg;
  std::set<std::string> names;
  for (auto& s : sinks) {
    auto name = s.sink->name();
    names.insert(name);
    if (auto* w = find(name)) {
      if (w->busy) w->retiring = std::move(w->slot.sink);
      w->slot = std::move(s);
      kick(*w);
      continue;
    }
    auto w = std::make_unique<Worker>();
    w->name = name;
    w->stats.name = name;
    w->slot = std::move(s);
    workers_.push_back(std::move(w));
    schedule_reminders(*workers_.back());
  }
  // Workers are never freed: timers and in-flight completions may still name them.
  for (auto& w : workers_) {
    if (w->retired || names.contains(w->name)) continue;
    if (!w->queue.empty())
      spdlog::warn(
          "outbox: sink {} was removed from the configuration; {} alert record(s) it "
          "still owed are dropped for it",
          w->name, w->queue.size());
    while (!w->queue.empty()) struck_off(w->queue.front(), *w);
    w->retired = true;
    if (w->timer != 0) d_.cancel(w->timer);
    w->timer = 0;
    if (w->busy) {
      w->retiring = std::move(w->slot.sink);
    } else {
      w->slot.sink.reset();
    }
  }
  check_full();
}

void Outbox::kick(Worker& w) {
  if (w.retired || w.busy || w.timer != 0 || (w.queue.empty() && w.reminders.empty())) return;
  const auto now = d_.steady_now();
  auto ready = std::max({now, w.next_send, w.retry_at});
  if (!w.queue.empty()) ready = std::max(ready, w.queue.front()->arrived + w.slot.group_wait);
  if (ready > now) {
    auto alive = alive_;
    w.timer =
        d_.schedule(std::chrono::duration_cast<Millis>(ready - now) + Millis{1}, [this, alive, &w] {
          if (!*alive) return;
          w.timer = 0;
          kick(w);
        });
    return;
  }
  start(w);
}

void Outbox::start(Worker& w) {
  std::vector<Entry*> group;
  std::vector<AlertRef> alerts;
  std::size_t reminders = 0;
  if (!w.queue.empty()) {
    auto* head = w.queue.front();
    group.push_back(head);
    if (w.slot.sink->groups() && head->digest()) {
      // One message per digest run: every digest of the run this sink has.
      for (auto* e : w.queue) {
        if (group.size() >= kMaxDigestGroup) break;
        if (e != head && same_run(*e->alert, *head->alert)) group.push_back(e);
      }
    } else if (w.slot.sink->groups()) {
      for (auto* e : w.queue) {
        if (group.size() >= kMaxGroup) break;
        if (e != head && !e->digest() && e->account() == head->account()) group.push_back(e);
      }
    }
    for (auto* e : group) alerts.push_back(e->alert);
  } else {
    alerts.push_back(std::move(w.reminders.back()));
    w.reminders.pop_back();
    reminders = 1;
  }
  w.busy = true;
  auto alive = alive_;
  // The completion holds the records: a sink may answer after the entries are gone.
  w.slot.sink->deliver(alerts, [this, alive, &w, group, reminders, alerts](SinkResult r) mutable {
    // Completions may come from inside deliver(): finish on a fresh turn of the loop.
    d_.post([this, alive, &w, group = std::move(group), reminders, r = std::move(r)]() mutable {
      if (*alive) finished(w, std::move(group), reminders, std::move(r));
    });
  });
}

void Outbox::finished(Worker& w, std::vector<Entry*> group, std::size_t reminders, SinkResult r) {
  w.busy = false;
  w.retiring.reset();  // the sink a reload replaced: its last delivery is over
  if (w.retired) {
    w.slot.sink.reset();
    return;
  }
  const auto now = d_.steady_now();
  if (r.ok) {
    if (w.failing) spdlog::info("sink {}: delivering again", w.name);
    w.failing = false;
    w.attempts = w.rejections = 0;
    w.retry_at = {};
    if (w.slot.rate_limit > 0)
      w.next_send = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(1.0 / w.slot.rate_limit));
    w.stats.reminders += reminders;
    for (auto* e : group) {
      if (e->firing())
        w.last_told[e->alert_id()] = now;
      else if (!e->digest())
        w.last_told.erase(e->alert_id());
      ++w.stats.delivered;
      struck_off(e, w);
    }
  } else if (!group.empty() && r.rejected && ++w.rejections >= kRejectionsBeforeGivingUp) {
    spdlog::error(
        "sink {}: the receiver refused {} alert record(s) {} times ({}); giving up on "
        "them for this sink",
        w.name, group.size(), w.rejections, r.error);
    w.attempts = w.rejections = 0;
    w.retry_at = {};
    for (auto* e : group) {
      ++w.stats.rejected;
      struck_off(e, w);
    }
  } else {
    ++w.stats.attempts_failed;
    if (!group.empty()) {
      auto delay = backoff(++w.attempts);
      if (r.retry_after) delay = std::max(delay, *r.retry_after);
      w.retry_at = now + delay;
      if (!w.failing || w.attempts % 10 == 0)
        spdlog::warn(
            "sink {}: delivery failed ({} attempt(s)): {}; {} record(s) wait, next try in "
            "{} ms",
            w.name, w.attempts, r.error, w.queue.size(), delay.count());
      w.failing = true;
    }
    // A reminder that failed is simply not sent: the next round asks again.
  }
  kick(w);
}

void Outbox::struck_off(Entry* e, Worker& w) {
  e->owed.erase(std::remove(e->owed.begin(), e->owed.end(), w.name), e->owed.end());
  if (auto it = std::find(w.queue.begin(), w.queue.end(), e); it != w.queue.end())
    w.queue.erase(it);
  auto key = std::make_pair(e->partition, e->seq);
  dirty_.insert(key);
  if (e->owed.empty()) {
    ++delivered_;
    entries_.erase(key);  // the flush deletes what is no longer here
  }
  schedule_flush();
  check_full();
}

void Outbox::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  auto alive = alive_;
  d_.post([this, alive] {
    if (!*alive) return;
    flush_scheduled_ = false;
    flush();
  });
}

void Outbox::record(storage::Batch& batch, const std::pair<Partition, std::uint64_t>& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end())
    batch.delete_outbox(key.first, key.second);
  else
    batch.put_outbox(key.first, key.second, it->second->alert->json, it->second->owed);
}

void Outbox::stage_confirmations(storage::Batch& batch) {
  if (!held_) return;
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    if (!held_(it->first)) {
      ++it;
      continue;
    }
    record(batch, *it);
    it = dirty_.erase(it);
  }
}

bool Outbox::has_confirmations() const {
  if (!held_) return false;
  for (const auto& key : dirty_)
    if (held_(key.first)) return true;
  return false;
}

void Outbox::flush() {
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    // A held partition's confirmations go with the engine's next commit.
    if (held_ && held_(it->first)) {
      ++it;
      continue;
    }
    record(*batch_, *it);
    it = dirty_.erase(it);
  }
  if (batch_->empty()) return;
  // Not in step with any state: losing this write only means a redelivered copy
  // (the entries stay in the store as they were, owed, and a restart delivers
  // them again). The store refuses every write after its first failure: said once.
  if (auto r = store_.commit(*batch_, false); !r) {
    ++record_failures_;
    if (!record_failing_)
      spdlog::error(
          "outbox: recording deliveries failed: {}; alerts are still delivered, and those "
          "not recorded are delivered again after a restart",
          r.error().message);
    record_failing_ = true;
    batch_ = store_.new_batch();
    return;
  }
  if (record_failing_) spdlog::info("outbox: recording deliveries again");
  record_failing_ = false;
}

Millis Outbox::backoff(int attempt) {
  double base =
      static_cast<double>(cfg_.retry_initial.count()) * std::pow(2.0, std::min(attempt - 1, 30));
  base = std::min(base, static_cast<double>(cfg_.retry_max.count()));
  // Half fixed, half random: retries of many daemons do not arrive in step.
  std::uniform_real_distribution<double> half(0.0, base / 2);
  return Millis{static_cast<std::int64_t>(base / 2 + half(jitter_))};
}

void Outbox::check_full() {
  bool now_full = full();
  if (now_full && !full_logged_) {
    spdlog::error(
        "outbox: {} alert records owed (outbox.max_entries {}): no new messages are "
        "taken until sinks catch up; see kilter_outbox_pending by sink",
        entries_.size(), cfg_.max_entries);
  } else if (!now_full && full_logged_) {
    spdlog::info("outbox: below its bound again ({} owed)", entries_.size());
  }
  full_logged_ = now_full;
}

bool Outbox::full() const {
  return entries_.size() >= cfg_.max_entries;
}

bool Outbox::idle() const {
  if (!entries_.empty() || !dirty_.empty()) return false;
  for (const auto& w : workers_)
    if (w->busy && !w->retired) return false;  // a removed sink's last answer is not awaited
  return true;
}

bool Outbox::settled() const {
  for (const auto& w : workers_) {
    if (w->retired) continue;
    if (w->busy || (!w->queue.empty() && w->attempts == 0)) return false;
  }
  return true;
}

OutboxStats Outbox::stats() const {
  return OutboxStats{entries_.size(), delivered_,       full(),
                     unknown_sinks_,  record_failures_, unreadable_};
}

std::vector<SinkStats> Outbox::sink_stats() const {
  std::vector<SinkStats> out;
  for (const auto& w : workers_) {
    if (w->retired) continue;
    auto s = w->stats;
    s.pending = w->queue.size();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace kilter::pipeline
