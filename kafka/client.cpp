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

}  // namespace

Result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    return Error{fmt::format("kafka property {}: {}", key, err)};
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

std::string error_text(rd_kafka_resp_err_t err) {
  return fmt::format("{} ({})", rd_kafka_err2str(err), rd_kafka_err2name(err));
}

}  // namespace kilter::kafka::detail
