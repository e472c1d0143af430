// Shared by the consumer, the producer and the mock cluster: librdkafka
// configuration from Kilter's config, and logging. Internal to kafka/.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kilter::kafka::detail {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

// A configuration holding `props` (verbatim, as the user wrote them) then
// `ours` (what Kilter needs), with librdkafka's logs routed to spdlog. An
// unknown property or a bad value is an error naming the property.
Result<ConfPtr> make_conf(const std::map<std::string, std::string>& props,
                          const std::map<std::string, std::string>& ours);

// Sets one property; the error names it (the value is not repeated: it may be a secret).
Result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);

std::string error_text(rd_kafka_resp_err_t err);

// What a caller can do about a librdkafka error: the one place an
// rd_kafka_resp_err_t becomes an Errc. Broker, transport and coordinator
// errors (a broker away, a rebalance in progress, a timeout) are
// `unavailable`; a request still in progress is `busy`; a lost generation, a
// fatal error, a bad argument or configuration are `failed`.
Errc errc_of(rd_kafka_resp_err_t err);
// `message`, with the code of `err`.
inline Error error_of(std::string message, rd_kafka_resp_err_t err) {
  return Error{std::move(message), errc_of(err)};
}

}  // namespace kilter::kafka::detail
