// What librdkafka's statistics (statistics.interval.ms) say about the client's
// connections: the source's readiness comes from them. Internal to kafka/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kilter::kafka::detail {

struct ClientHealth {
  int brokers = 0;          // brokers the client knows (bootstrap and learned)
  int brokers_up = 0;       // ... with a connection up
  std::string group_state;  // the consumer group's ("up", "query-coord", ...); empty: no group
};

// nullopt when the text is not librdkafka's statistics JSON.
std::optional<ClientHealth> parse_statistics(std::string_view json);

}  // namespace kilter::kafka::detail
