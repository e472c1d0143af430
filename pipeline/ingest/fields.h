// Top-level string fields of one JSON object line that are not part of the event
// contract (an evaluation label, a --by field). For tools such as
// `kilterd classify --eval`; the event path (Decoder) never calls it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kilter::pipeline {

// values[i] gets the value of the top-level field names[i] when it is present and
// a string (the last one if repeated), nullopt otherwise. False when the line is
// not a JSON object (values are then all nullopt).
bool read_string_fields(std::string_view line, std::span<const std::string_view> names,
                        std::span<std::optional<std::string>> values);

}  // namespace kilter::pipeline
