#include "daemon/systemd.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <fmt/format.h>

namespace kilter::daemon {

void Notifier::ready() {
  sd_notify(0, "READY=1");
}

void Notifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1'000'000ULL +
              static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  auto msg = fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec);
  sd_notify(0, msg.c_str());
}

void Notifier::stopping() {
  sd_notify(0, "STOPPING=1");
}

void Notifier::status(std::string_view text) {
  auto msg = fmt::format("STATUS={}", text);
  sd_notify(0, msg.c_str());
}

void Notifier::watchdog() {
  sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::milliseconds> Notifier::watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::milliseconds(std::max<uint64_t>(usec / 2000, 1));
}

}  // namespace kilter::daemon
