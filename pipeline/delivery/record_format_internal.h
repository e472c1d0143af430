// What the alert and digest lines' writers and readers share (record_format.cpp,
// record_format_digest.cpp): one way to write a number that may be unknown, a
// list of strings and a top post, and to read a name back into an enum. Not an
// interface for other modules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/model/alert.h"

namespace kilter::pipeline::record_json {

void optional_number(std::string& out, const std::optional<double>& v);  // null when unset
void string_array(std::string& out, const std::vector<std::string>& v);
// {"post_id":..,"category":..,"engagement":..,"confidence":..,"matched":[..],"link":..|null}
void top_post(std::string& out, const TopPost& p);

// The index of the value of Enum (0..N-1) whose to_string is `name`: how the
// readers map the names the writers used (categories, actions, classes) back.
template <class Enum, std::size_t N>
std::optional<std::size_t> index_named(std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (to_string(static_cast<Enum>(i)) == name) return i;
  return std::nullopt;
}

}  // namespace kilter::pipeline::record_json
