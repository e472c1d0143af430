#include "daemon/asio_dispatcher.h"

#include <boost/asio/post.hpp>

namespace kilter::daemon {

AsioDispatcher::~AsioDispatcher() {
  for (auto& [id, t] : timers_) t->cancel();
}

void AsioDispatcher::post(Task t) {
  boost::asio::post(io_, std::move(t));
}

Dispatcher::TimerId AsioDispatcher::schedule(Millis delay, Task t) {
  auto id = ++next_;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(delay);
  timer->async_wait([this, id, t = std::move(t)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled (cancel() or the dispatcher went away)
    timers_.erase(id);
    t();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioDispatcher::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

}  // namespace kilter::daemon
