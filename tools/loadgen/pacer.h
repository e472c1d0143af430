// Paces a stream at a fixed rate of events per second. Event n is due at
// start + n / rate; a sender that is ahead sleeps until then. Sleeping once per
// event could not exceed ~20k/s (a sleep overshoots by tens of microseconds),
// so only the event that finds itself early sleeps and the ones whose time has
// passed during that sleep go out at once: the rate holds on average, in
// bursts of a few events.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

namespace kilter::loadgen {

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0: no pacing (every wait returns at once).
  explicit Pacer(double rate) : rate_(rate), start_(Clock::now()) {}

  bool paced() const { return rate_ > 0; }

  Clock::time_point due(std::uint64_t n) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(n) / rate_));
  }

  // Waits until event n (0-based) is due; returns how late it is then.
  std::chrono::duration<double> wait(std::uint64_t n) {
    if (!paced()) return {};
    const auto due = this->due(n);
    const auto now = Clock::now();
    if (now < due) {
      std::this_thread::sleep_until(due);
      return {};
    }
    return now - due;
  }

  Clock::time_point started() const { return start_; }

 private:
  double rate_;
  Clock::time_point start_;
};

}  // namespace kilter::loadgen
