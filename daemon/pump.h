// The event loop's driver of the pipeline: polls the source in slices (so that
// signals, timers and HTTP are served between them), hands the messages to the
// engine, commits when the engine says so, and evaluates quiet partitions of a
// live source on wall-clock time. No pipeline logic lives here.
//
// Time is injected: the pump's turns, waits and timers run on a Dispatcher
// (the daemon's AsioDispatcher over its io_context; a SimulatedDispatcher in
// tests), whose clock is the only one it reads.
#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <vector>

#include "common/dispatcher.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/engine.h"
#include "pipeline/ingest/source.h"

namespace kilter::daemon {

struct PumpOptions {
  std::size_t slice = 4096;                 // messages per turn of the loop
  std::chrono::milliseconds idle_wait{10};  // a live source with nothing to read
  std::chrono::milliseconds evaluation_interval{
      60'000};  // wall-clock evaluation of quiet partitions
  std::chrono::seconds progress_interval{5};
  // How often a standby (kafka.standby_replicas) catches up on the partitions
  // other members hold (each time, two requests to the brokers from the event
  // loop, each waiting at most the source's commit_wait).
  std::chrono::milliseconds standby_interval{5'000};
  std::uint64_t crash_after = 0;  // test hook: SIGKILL after this many messages (0: never)
  // At the end of a file, wait this long for the outbox; on SIGTERM at most
  // this long, and no longer once every owed delivery has failed once.
  std::chrono::milliseconds drain_timeout{30'000};
};

class Pump {
 public:
  Pump(Dispatcher& loop, pipeline::Source& source, pipeline::Engine& engine,
       pipeline::Outbox& outbox, PumpOptions opts);
  ~Pump();  // cancels its timers
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;

  void start();
  // Commits what was processed and stops the loop (SIGTERM). Idempotent.
  void stop();
  int exit_code() const { return exit_code_; }
  // Called once the pump has stopped, with the exit code.
  void on_stopped(std::function<void(int)> fn) { stopped_ = std::move(fn); }

 private:
  void pump();
  // The next turn after `delay` (the idle waits), in wait_.
  void pump_after(Millis delay);
  // Polls the source and hands what it gives to the engine; false once failed.
  bool take(pipeline::PollStatus& status);
  // Collects finished writes and restores; a restored partition resumes.
  void poll_engine();
  void finish(bool end_of_input);
  // `signalled`: stopping on SIGTERM, which does not wait for sinks that fail.
  void drain(std::chrono::steady_clock::time_point deadline, bool signalled);
  void stopped();
  void schedule_progress();
  void schedule_evaluation();
  void evaluate_quiet_partitions();
  void schedule_follow();
  void report(bool final);
  void fail(int code);

  Dispatcher& loop_;
  pipeline::Source& source_;
  pipeline::Engine& engine_;
  pipeline::Outbox& outbox_;
  PumpOptions opts_;
  // Timers pending on the loop (0: none): an idle or drain wait, the progress
  // report, the evaluation of quiet partitions.
  Dispatcher::TimerId wait_ = 0, progress_ = 0, evaluation_ = 0, follow_ = 0;
  std::vector<pipeline::SourceMessage> messages_;
  std::set<Partition> seen_since_tick_;  // partitions with messages since the last tick
  std::chrono::steady_clock::time_point started_;
  std::uint64_t crash_after_ = 0;
  bool stopping_ = false, done_ = false, paused_ = false;
  bool held_ = false;  // paused with the source holding (still polled for its events)
  int exit_code_ = 0;
  std::function<void(int)> stopped_;
};

}  // namespace kilter::daemon
