// Escaping of text put into markup: Slack's mrkdwn and HTML.
#pragma once

#include <string>
#include <string_view>

namespace kilter {

// &, < and > become entities (what mrkdwn and HTML text need); with `quotes`,
// " and ' too (HTML attribute values).
inline void append_escaped(std::string& out, std::string_view s, bool quotes) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (quotes) {
          out += "&quot;";
          break;
        }
        out += c;
        break;
      case '\'':
        if (quotes) {
          out += "&#39;";
          break;
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
}

}  // namespace kilter
