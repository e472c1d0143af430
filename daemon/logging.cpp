#include "daemon/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace kilter::daemon {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("kilterd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  auto lvl = spdlog::level::from_str(level.empty() ? "info" : level);
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

}  // namespace kilter::daemon
