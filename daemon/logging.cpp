#include "daemon/logging.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace kilter::daemon {
namespace {

// systemd connects stderr to the journal and says so in JOURNAL_STREAM
// ("device:inode"): then log records go to the journal natively, with their
// priority, instead of as lines of text.
bool stderr_is_the_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

spdlog::level::level_enum parse_level(const std::string& level) {
  auto lvl = spdlog::level::from_str(level.empty() ? "info" : level);
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  return lvl;
}

}  // namespace

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_the_journal()) {
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("kilterd");
    logger = std::make_shared<spdlog::logger>("kilterd", sink);
    logger->set_pattern("%v");
  } else {
    logger = spdlog::stderr_color_mt("kilterd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(parse_level(level));
  spdlog::set_default_logger(logger);
}

void set_log_level(const std::string& level) {
  spdlog::set_level(parse_level(level));
}

}  // namespace kilter::daemon
