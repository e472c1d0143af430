// The pipeline's Dispatcher over the daemon's io_context: wall and steady time
// from the system, tasks and timers on the event loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

#include "common/dispatcher.h"

namespace kilter::daemon {

class AsioDispatcher final : public Dispatcher {
 public:
  explicit AsioDispatcher(boost::asio::io_context& io) : io_(io) {}
  ~AsioDispatcher() override;

  TimePoint now() const override { return clock_.now(); }
  std::chrono::steady_clock::time_point steady_now() const override { return clock_.steady_now(); }
  void post(Task t) override;
  TimerId schedule(Millis delay, Task t) override;
  void cancel(TimerId id) override;

 private:
  boost::asio::io_context& io_;
  SystemClock clock_;
  std::map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
  TimerId next_ = 0;
};

}  // namespace kilter::daemon
