// Whether text is standard base64 (RFC 4648 alphabet, padded to a multiple of
// four): what a Standard Webhooks `whsec_` secret carries. The configuration
// checks it and the webhook sink decodes it, so both use this one rule.
#pragma once

#include <string_view>

namespace kilter {

inline bool is_padded_base64(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  bool padding = false;  // '=' only at the end, at most two
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/';
    if (c == '=' && i + 2 >= text.size())
      padding = true;
    else if (!alpha || padding)
      return false;
  }
  return true;
}

}  // namespace kilter
