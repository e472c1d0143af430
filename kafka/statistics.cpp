#include "kafka/statistics.h"

#include <simdjson.h>

namespace kilter::kafka::detail {

std::optional<ClientHealth> parse_statistics(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) return std::nullopt;
  simdjson::dom::object brokers;
  if (doc["brokers"].get(brokers)) return std::nullopt;
  ClientHealth h;
  for (auto [name, b] : brokers) {
    std::string_view source, state;
    if (b["source"].get(source) || b["state"].get(state)) continue;
    // "internal" is librdkafka's own queue, "logical" an alias (GroupCoordinator).
    if (source != "configured" && source != "learned") continue;
    ++h.brokers;
    if (state == "UP" || state == "UPDATE") ++h.brokers_up;
  }
  std::string_view group;
  if (!doc["cgrp"]["state"].get(group)) h.group_state.assign(group);
  return h;
}

}  // namespace kilter::kafka::detail
