// The service manager's protocol (sd_notify): readiness, reloads, stopping, and
// the watchdog. Every call is a no-op when the daemon was not started by systemd
// (no NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace kilter::daemon {

class Notifier {
 public:
  void ready();
  // RELOADING=1 with MONOTONIC_USEC (systemd 253's reload protocol; older ones
  // ignore it), then ready() once the new configuration applies or is refused.
  void reloading();
  void stopping();
  void status(std::string_view text);
  void watchdog();
  // Half of WATCHDOG_USEC when systemd asks for a watchdog: how often to ping.
  static std::optional<std::chrono::milliseconds> watchdog_interval();
};

}  // namespace kilter::daemon
