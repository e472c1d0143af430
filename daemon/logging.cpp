#include "daemon/logging.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <spdlog/sinks/sink.h>
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

// Longest first, so a value containing another is replaced whole.
struct Redactions {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> pairs;
};

Redactions& redactions() {
  static Redactions r;
  return r;
}

bool replace_all(std::string& text, const std::vector<std::pair<std::string, std::string>>& pairs) {
  bool changed = false;
  for (const auto& [from, to] : pairs) {
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size())) {
      text.replace(pos, from.size(), to);
      changed = true;
    }
  }
  return changed;
}

// Rewrites each record's message before the real sink formats it. Records come
// from any thread (librdkafka's included).
class RedactingSink final : public spdlog::sinks::sink {
 public:
  explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}
  void log(const spdlog::details::log_msg& msg) override {
    std::string text(msg.payload.data(), msg.payload.size());
    bool changed = false;
    {
      auto& r = redactions();
      std::lock_guard lock(r.mu);
      changed = replace_all(text, r.pairs);
    }
    if (!changed) return inner_->log(msg);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(text.data(), text.size());
    inner_->log(copy);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override {
    inner_->set_formatter(std::move(f));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

void set_redactions(const std::map<std::string, std::string>& from_to) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [from, to] : from_to)
    if (from.size() >= 4) pairs.emplace_back(from, to);
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  auto& r = redactions();
  std::lock_guard lock(r.mu);
  r.pairs = std::move(pairs);
}

std::string redact(std::string text) {
  auto& r = redactions();
  std::lock_guard lock(r.mu);
  replace_all(text, r.pairs);
  return text;
}

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_the_journal()) {
    auto sink = std::make_shared<RedactingSink>(
        std::make_shared<spdlog::sinks::systemd_sink_mt>("kilterd"));
    logger = std::make_shared<spdlog::logger>("kilterd", sink);
    logger->set_pattern("%v");
  } else {
    auto sink =
        std::make_shared<RedactingSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger = std::make_shared<spdlog::logger>("kilterd", sink);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(parse_level(level));
  spdlog::set_default_logger(logger);
}

void set_log_level(const std::string& level) {
  spdlog::set_level(parse_level(level));
}

}  // namespace kilter::daemon
