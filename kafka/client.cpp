#include "kafka/client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace kilter::kafka::detail {
namespace {

// librdkafka logs from its own threads; spdlog's default logger is thread-safe.
void log_to_spdlog(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto lvl = level <= 3   ? spdlog::level::err
             : level == 4 ? spdlog::level::warn
             : level <= 6 ? spdlog::level::info
                          : spdlog::level::debug;
  spdlog::log(lvl, "kafka {}: {}: {}", rd_kafka_name(rk), fac, buf);
}

// librdkafka's error text echoes the value ("Invalid value \"x\" for
// configuration property ...", "... value 99 is outside allowed range"), and
// the value may be a secret from ${VAR}: every quoted piece but the key, the
// value and each of its comma-separated items are replaced.
std::string without_value(std::string text, const std::string& key, const std::string& value) {
  const std::string hidden = "(value not shown)";
  const std::string quoted_key = "\"" + key + "\"";
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto close = text[i] == '"' ? text.find('"', i + 1) : std::string::npos;
    if (close == std::string::npos) {
      out.push_back(text[i++]);
      continue;
    }
    auto piece = text.substr(i, close + 1 - i);
    out += piece == quoted_key ? piece : hidden;
    i = close + 1;
  }
  auto erase_all = [&](const std::string& needle) {
    if (needle.empty()) return;
    for (auto pos = out.find(needle); pos != std::string::npos;
         pos = out.find(needle, pos + hidden.size())) {
      out.replace(pos, needle.size(), hidden);
    }
  };
  erase_all(value);
  for (std::size_t pos = 0; pos <= value.size();) {
    auto end = std::min(value.find(',', pos), value.size());
    auto item = value.substr(pos, end - pos);
    item.erase(0, item.find_first_not_of(' '));
    if (auto last = item.find_last_not_of(' '); last != std::string::npos) item.erase(last + 1);
    if (item.size() > 1) erase_all(item);
    pos = end + 1;
  }
  // "value 99 is outside": librdkafka parsed a number out of the value.
  if (auto pos = out.find(" value "); pos != std::string::npos) {
    auto end = out.find(' ', pos + 7);
    if (end != std::string::npos && out.compare(end, 12, " is outside ") == 0)
      out.replace(pos, end - pos, " value");
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

Result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    return Error{fmt::format("kafka property {}: {}", key, without_value(err, key, value))};
  return ok();
}

Result<ConfPtr> make_conf(const std::map<std::string, std::string>& props,
                          const std::map<std::string, std::string>& ours) {
  ConfPtr conf(rd_kafka_conf_new());
  for (const auto& [k, v] : props)
    if (auto r = set(conf.get(), k, v); !r) return r.error();
  for (const auto& [k, v] : ours)
    if (auto r = set(conf.get(), k, v); !r) return r.error();
  rd_kafka_conf_set_log_cb(conf.get(), log_to_spdlog);
  return conf;
}

Errc errc_of(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return Errc::unavailable;
    case RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__IN_PROGRESS:
      return Errc::busy;
    default:
      return Errc::failed;
  }
}

std::string error_text(rd_kafka_resp_err_t err) {
  return fmt::format("{} ({})", rd_kafka_err2str(err), rd_kafka_err2name(err));
}

}  // namespace kilter::kafka::detail
