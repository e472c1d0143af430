// Minimal JSON writing for the records we emit (alerts, classify output, API,
// channel payloads): the escaping and number rules, and a writer that places the
// commas.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace kilter::json {

// Length (2 to 4) of the valid multi-byte UTF-8 sequence at s[i], 0 when the bytes
// there are not one (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF).
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
    if (i + k >= s.size()) return false;
    const auto b = static_cast<unsigned char>(s[i + k]);
    return b >= lo && b <= hi;
  };
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF)
    return in(1, c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c >= 0xF0 && c <= 0xF4)
    return in(1, c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF) && in(2, 0x80, 0xBF) &&
                   in(3, 0x80, 0xBF)
               ? 4
               : 0;
  return 0;
}

// Appends s as a quoted JSON string, escaping what RFC 8259 requires. JSON text is
// UTF-8, so a byte that is not part of valid UTF-8 (a corrupted stored record, a
// string cut mid-character) is written as U+FFFD: the output always parses, and
// reading it back and writing it again gives the same bytes.
inline void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
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
        } else if (c < 0x80) {
          out.push_back(static_cast<char>(c));
        } else if (const auto n = utf8_sequence(s, i); n > 0) {
          out.append(s.substr(i, n));
          i += n - 1;
        } else {
          out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
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
// Negative zero is written as 0: simdjson's DOM reads "-0" as the integer 0, so
// "-0" would not read back to the bytes written.
inline void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v == 0) v = 0;  // -0.0 == 0
  fmt::format_to(std::back_inserter(out), "{}", v);
}

// Writes JSON with the commas handled; every string goes through append_string and
// every number through append_number.
class Writer {
 public:
  Writer& begin_object() {
    separate();
    out_.push_back('{');
    has_items_.push_back(false);
    return *this;
  }
  Writer& end_object() {
    out_.push_back('}');
    has_items_.pop_back();
    return *this;
  }
  Writer& begin_array() {
    separate();
    out_.push_back('[');
    has_items_.push_back(false);
    return *this;
  }
  Writer& end_array() {
    out_.push_back(']');
    has_items_.pop_back();
    return *this;
  }
  Writer& key(std::string_view k) {
    separate();
    append_string(out_, k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  Writer& string(std::string_view v) {
    separate();
    append_string(out_, v);
    return *this;
  }
  Writer& number(double v) {
    separate();
    append_number(out_, v);
    return *this;
  }
  Writer& boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  Writer& null() {
    separate();
    out_ += "null";
    return *this;
  }
  Writer& raw(std::string_view json) {  // an already written value
    separate();
    out_ += json;
    return *this;
  }
  Writer& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  std::size_t size() const { return out_.size(); }
  std::string take() { return std::move(out_); }

 private:
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (has_items_.empty()) return;
    if (has_items_.back()) out_.push_back(',');
    has_items_.back() = true;
  }
  std::string out_;
  std::vector<bool> has_items_;  // one per open container
  bool after_key_ = false;
};

}  // namespace kilter::json
