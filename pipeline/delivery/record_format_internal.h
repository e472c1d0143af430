// What the alert and digest lines' writers share (record_format.cpp,
// record_format_digest.cpp): one way to write a number that may be unknown, a
// list of strings and a top post. Not an interface for other modules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/model/alert.h"

namespace kilter::pipeline::record_json {

void optional_number(std::string& out, const std::optional<double>& v);  // null when unset
void string_array(std::string& out, const std::vector<std::string>& v);
// {"post_id":..,"category":..,"engagement":..,"confidence":..,"matched":[..],"link":..|null}
void top_post(std::string& out, const TopPost& p);

}  // namespace kilter::pipeline::record_json
