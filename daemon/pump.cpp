#include "daemon/pump.h"

#include <csignal>
#include <utility>

#include <spdlog/spdlog.h>

#include "daemon/commands.h"

namespace kilter::daemon {

Pump::Pump(Dispatcher& loop, pipeline::Source& source, pipeline::Engine& engine,
           pipeline::Outbox& outbox, PumpOptions opts)
    : loop_(loop),
      source_(source),
      engine_(engine),
      outbox_(outbox),
      opts_(opts),
      crash_after_(opts.crash_after) {}

Pump::~Pump() {
  for (auto id : {wait_, progress_, evaluation_, follow_})
    if (id != 0) loop_.cancel(id);
}

void Pump::start() {
  started_ = loop_.steady_now();
  loop_.post([this] { pump(); });
  schedule_progress();
  if (source_.live()) schedule_evaluation();
  if (source_.live() && engine_.standby()) schedule_follow();
}

void Pump::stop() {
  if (stopping_ || done_) return;
  stopping_ = true;
  // A pending idle wait resumes the pump at once, which then finishes.
  if (wait_ != 0) {
    loop_.cancel(std::exchange(wait_, 0));
    loop_.post([this] { pump(); });
  }
}

void Pump::pump_after(Millis delay) {
  wait_ = loop_.schedule(delay, [this] {
    wait_ = 0;
    pump();
  });
}

void Pump::fail(int code) {
  exit_code_ = code;
  finish(false);
}

void Pump::pump() {
  if (done_) return;
  if (stopping_) return finish(false);
  // Commits keep being refused, or the sinks are far behind: take nothing more
  // until that changes (nothing is lost: the source just waits).
  if (engine_.backlogged() || outbox_.full()) {
    if (!paused_) {
      spdlog::warn("not taking messages until {}",
                   engine_.backlogged() ? "a commit goes through" : "the outbox drains");
      // A source that can hold keeps being polled for its events (a Kafka
      // rebalance, a lost session) while it fetches nothing new.
      held_ = source_.hold(true);
    }
    paused_ = true;
    pipeline::PollStatus ignored{};
    if (held_ && !take(ignored)) return;
    poll_engine();
    if (engine_.commit_due())
      if (auto r = engine_.commit_async(); !r) return fail(kExitRuntime);
    return pump_after(opts_.idle_wait * 10);
  }
  if (paused_) {
    spdlog::info("taking messages again");
    if (held_) source_.hold(false);
    held_ = false;
  }
  paused_ = false;
  pipeline::PollStatus status{};
  if (!take(status)) return;
  // A batch written meanwhile: its alerts go to the sinks now.
  poll_engine();
  if (engine_.commit_due()) {
    if (auto r = engine_.commit_async(); !r) return fail(kExitRuntime);
  }
  if (status == pipeline::PollStatus::end) return finish(true);
  if (status == pipeline::PollStatus::idle) return pump_after(opts_.idle_wait);
  loop_.post([this] { pump(); });
}

void Pump::poll_engine() {
  engine_.poll();
  // Partitions whose state was restored meanwhile are fetched again.
  for (const auto& w : engine_.take_warmed()) source_.warmed(w.partition, w.next);
}

bool Pump::take(pipeline::PollStatus& status) {
  messages_.clear();
  auto polled = source_.poll(messages_, opts_.slice);
  if (!polled) {
    spdlog::error("source: {}", polled.error().message);
    fail(kExitRuntime);
    return false;
  }
  status = *polled;
  std::optional<Partition> last;
  for (const auto& m : messages_) {
    engine_.process(m);
    if (m.partition != last) {  // messages come in runs per partition
      seen_since_tick_.insert(m.partition);
      last = m.partition;
    }
    if (crash_after_ > 0 && --crash_after_ == 0) ::raise(SIGKILL);
  }
  if (engine_.failure()) {
    fail(kExitRuntime);
    return false;
  }
  return true;
}

void Pump::finish(bool end_of_input) {
  if (done_) return;
  done_ = true;
  auto r = end_of_input ? engine_.finish() : engine_.commit();
  if (!r) {
    spdlog::error("final commit failed: {}", r.error().message);
    exit_code_ = kExitRuntime;
  }
  // A consumer leaves its group here; the revocation commits what is left.
  source_.close();
  if (engine_.uncommitted() > 0)
    spdlog::warn("{} message(s) were not committed; they are read again on the next start",
                 engine_.uncommitted());
  report(true);
  for (auto* id : {&wait_, &evaluation_})
    if (*id != 0) loop_.cancel(std::exchange(*id, 0));
  // Only a SIGTERM cuts the wait short for sinks that fail (see drain).
  drain(loop_.steady_now() + opts_.drain_timeout, stopping_ && !end_of_input);
}

void Pump::drain(std::chrono::steady_clock::time_point deadline, bool signalled) {
  // The alerts of the last evaluations are still being delivered. On SIGTERM
  // a sink that has failed is not waited for: its retries would outlast the
  // stop (systemd's TimeoutStopSec), and the outbox keeps what it is owed.
  if (outbox_.idle()) return stopped();
  if (loop_.steady_now() >= deadline || (signalled && outbox_.settled())) {
    auto s = outbox_.stats();
    spdlog::warn(
        "stopping with {} alert record(s) not delivered to every sink; they stay in the "
        "outbox and are delivered after the next start",
        s.entries);
    for (const auto& sink : outbox_.sink_stats())
      if (sink.pending > 0) spdlog::warn("  sink {}: {} owed", sink.name, sink.pending);
    return stopped();
  }
  wait_ = loop_.schedule(Millis{20}, [this, deadline, signalled] {
    wait_ = 0;
    drain(deadline, signalled);
  });
}

void Pump::stopped() {
  if (progress_ != 0) loop_.cancel(std::exchange(progress_, 0));
  if (stopped_) stopped_(exit_code_);
}

void Pump::schedule_progress() {
  progress_ = loop_.schedule(opts_.progress_interval, [this] {
    progress_ = 0;
    if (done_) return;
    report(false);
    schedule_progress();
  });
}

void Pump::schedule_evaluation() {
  evaluation_ = loop_.schedule(opts_.evaluation_interval, [this] {
    evaluation_ = 0;
    if (done_) return;
    evaluate_quiet_partitions();
    if (!done_) schedule_evaluation();
  });
}

void Pump::schedule_follow() {
  follow_ = loop_.schedule(opts_.standby_interval, [this] {
    follow_ = 0;
    if (done_ || stopping_) return;
    engine_.follow(source_.group_offsets());
    schedule_follow();
  });
}

void Pump::evaluate_quiet_partitions() {
  // Quiet and caught up: nothing more is coming for now, so the partition's
  // clock can follow the wall clock and its accounts get their verdicts.
  const auto now = loop_.now();
  for (const auto& l : source_.lag()) {
    if (l.lag != 0 || seen_since_tick_.contains(l.partition)) continue;
    engine_.advance_idle(l.partition, now);
  }
  seen_since_tick_.clear();
  if (engine_.failure()) fail(kExitRuntime);
}

void Pump::report(bool final) {
  const auto& s = engine_.stats();
  std::uint64_t total = 0;
  for (auto n : s.events) total += n;
  double secs = std::chrono::duration<double>(loop_.steady_now() - started_).count();
  spdlog::info(
      "{} {} events in {:.1f}s ({:.0f}/s): ok {}, bad {}, late {}, duplicate {}; "
      "alerts firing {}, resolved {}; {} account evaluations, {} commits",
      final ? (source_.live() ? "consumed" : "replayed") : "progress:", total, secs,
      secs > 0 ? static_cast<double>(total) / secs : 0.0, s.events[0], s.events[1], s.events[2],
      s.events[3], s.alerts_firing, s.alerts_resolved, s.account_evaluations, s.commits);
}

}  // namespace kilter::daemon
