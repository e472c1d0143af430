// Minimal JSON writing for the records we emit (alerts, classify output, API).
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace kilter::json {

// Appends s as a quoted JSON string, escaping what RFC 8259 requires.
inline void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

inline std::string quote(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

// Shortest round-trippable form; non-finite numbers become null (JSON has none).
inline void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", v);
}

}  // namespace kilter::json
