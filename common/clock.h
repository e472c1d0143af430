// Time is injected: pipeline code never reads the system clock itself.
#pragma once

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

// A clock that moves only when a test (or a replay) says so.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(TimePoint start = TimePoint{}) : now_(start) {}
  TimePoint now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{} + (now_ - TimePoint{});
  }
  void advance(Millis d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
};

}  // namespace kilter
