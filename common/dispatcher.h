// The event loop as the pipeline sees it: the time, deferred work, and timers.
// The daemon implements it over Boost.Asio's io_context; tests use the simulated
// one below, whose time moves only when the test says so.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace kilter {

class Dispatcher : public Clock {
 public:
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;  // 0 is never a timer

  // Runs `t` soon, after the caller returns (never from inside post()).
  virtual void post(Task t) = 0;
  // Runs `t` once `delay` has passed (steady time). A cancelled timer never runs.
  virtual TimerId schedule(Millis delay, Task t) = 0;
  virtual void cancel(TimerId id) = 0;
};

class SimulatedDispatcher final : public Dispatcher {
 public:
  explicit SimulatedDispatcher(TimePoint start = from_epoch_ms(1'763'600'000'000))
      : clock_(start) {}

  TimePoint now() const override { return clock_.now(); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return clock_.steady_now();
  }
  void post(Task t) override { posted_.push_back(std::move(t)); }
  TimerId schedule(Millis delay, Task t) override {
    auto id = ++next_id_;
    timers_.emplace(std::make_pair(clock_.now() + std::max(delay, Millis{0}), id), std::move(t));
    return id;
  }
  void cancel(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  // Runs posted tasks (and what they post) until none is left.
  void run_posted() {
    while (!posted_.empty()) {
      auto batch = std::move(posted_);
      posted_.clear();
      for (auto& t : batch) t();
    }
  }
  // Moves time forward by `d`, running every timer that falls due, in order, and
  // the tasks they post.
  void advance(Millis d) {
    const auto until = clock_.now() + d;
    run_posted();
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto it = timers_.begin();
      clock_.set(it->first.first);
      auto task = std::move(it->second);
      timers_.erase(it);
      task();
      run_posted();
    }
    clock_.set(until);
  }
  std::size_t timers() const { return timers_.size(); }

 private:
  SimulatedClock clock_;
  std::vector<Task> posted_;
  std::map<std::pair<TimePoint, TimerId>, Task> timers_;
  TimerId next_id_ = 0;
};

}  // namespace kilter
