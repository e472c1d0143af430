#include "pipeline/ingest/decoder_json.h"

namespace kilter::pipeline::json_check {

namespace od = simdjson::ondemand;
using simdjson::error_code;

bool json_number_syntax(std::string_view s) {
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

error_code validate(od::value& v, int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  switch (t) {
    case od::json_type::object: {
      od::object o;
      SIMDJSON_TRY(v.get_object().get(o));
      for (auto r : o) {
        SIMDJSON_TRY(r.error());
        od::field&& f = std::move(r).value_unsafe();
        std::string_view k;
        SIMDJSON_TRY(f.unescaped_key().get(k));
        SIMDJSON_TRY(validate(f.value(), depth + 1));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      SIMDJSON_TRY(v.get_array().get(a));
      for (auto r : a) {
        SIMDJSON_TRY(r.error());
        od::value&& e = std::move(r).value_unsafe();
        SIMDJSON_TRY(validate(e, depth + 1));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number: {
      od::number n;
      if (v.get_number().get(n) == simdjson::SUCCESS) return simdjson::SUCCESS;
      return json_number_syntax(v.raw_json_token()) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    }
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null: {
      bool n;
      SIMDJSON_TRY(v.is_null().get(n));
      return n ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

}  // namespace kilter::pipeline::json_check
