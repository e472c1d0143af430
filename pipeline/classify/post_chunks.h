// How the classifiers recognise the chunks of a post's text that are not words: links
// ("http://", "https://", "www.", any case) and the bytes of a #hashtag or @handle.
// Shared by the lexicon classifier and the Featurizer, so that both cut a post alike.
#pragma once

#include <cstddef>
#include <string_view>

namespace kilter::pipeline::chunks {

// The bytes of a hashtag or handle after '#' or '@'.
inline bool is_tag_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

// `prefix` is lower case ASCII.
inline bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

inline bool is_url(std::string_view chunk) {
  return starts_with_ci(chunk, "http://") || starts_with_ci(chunk, "https://") ||
         starts_with_ci(chunk, "www.");
}

// A link chunk without the punctuation that ends the sentence around it
// ("(see https://x.example/a)." -> "https://x.example/a").
inline std::string_view trim_url_tail(std::string_view chunk) {
  while (!chunk.empty() &&
         std::string_view(".,;:!?)]}>\"'").find(chunk.back()) != std::string_view::npos)
    chunk.remove_suffix(1);
  return chunk;
}

}  // namespace kilter::pipeline::chunks
