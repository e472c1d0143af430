// Time is injected: pipeline code never reads the system clock itself.
#pragma once

#include <atomic>

#include "common/types.h"

namespace kilter {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, in milliseconds since the epoch.
  virtual TimePoint now() const = 0;
  // Monotonic time for intervals (commit interval, backoff).
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

// The CPU time (user + system) this process has used so far, in seconds: for
// the figures of the benchmarks and the loadgen, not a clock the pipeline reads.
double process_cpu_seconds();

// A clock that moves only when a test (or a replay) says so. Readable from
// any thread (the store's writer thread times its writes with it) while the
// test's thread moves it.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(TimePoint start = TimePoint{}) : now_(start) {}
  TimePoint now() const override { return now_.load(std::memory_order_relaxed); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{} + (now() - TimePoint{});
  }
  void advance(Millis d) { set(now() + d); }
  void set(TimePoint t) { now_.store(t, std::memory_order_relaxed); }

 private:
  std::atomic<TimePoint> now_;
};

}  // namespace kilter
