#include "pipeline/ingest/fields.h"

#include <simdjson.h>

namespace kilter::pipeline {

bool read_string_fields(std::string_view line, std::span<const std::string_view> names,
                        std::span<std::optional<std::string>> values) {
  for (auto& v : values) v.reset();
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(line);
  auto doc = parser.iterate(padded);
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      for (auto& v : values) v.reset();
      return false;
    }
    bool wanted = false;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) wanted |= key == names[i];
    if (!wanted) continue;
    std::string_view s;
    const bool is_string = field.value().get_string().get(s) == simdjson::SUCCESS;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
      if (key != names[i]) continue;
      if (is_string)
        values[i] = std::string(s);
      else
        values[i].reset();
    }
  }
  return true;
}

}  // namespace kilter::pipeline
