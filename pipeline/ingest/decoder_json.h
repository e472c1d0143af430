// The decoder's generic JSON checks (decoder.cpp says why they are needed):
// simdjson's on-demand API skips what is not asked for, so the values the
// decoder does not use are walked here.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace kilter::pipeline::json_check {

// Values nested deeper are refused (invalid_json); bounds validate()'s recursion.
inline constexpr int kMaxDepth = 64;

inline bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// JSON number grammar, for the numbers simdjson refuses although they are valid
// JSON (integers beyond 64 bits, doubles beyond range): those are out-of-range
// values, not malformed documents.
bool json_number_syntax(std::string_view s);

// Walks a value that is not used, parsing every scalar in it.
simdjson::error_code validate(simdjson::ondemand::value& v, int depth);

}  // namespace kilter::pipeline::json_check
