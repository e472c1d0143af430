// The comparison form shared by lexicon terms, post text and brand terms: Unicode
// compatibility decomposition, marks stripped, case folded, split into word tokens
// (letters and digits) and standalone symbol tokens (emoji, currency signs, '%').
// Lexicon terms and posts go through the same code, so they always agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kilter::pipeline::text {

struct TokenSpan {
  std::uint32_t begin = 0;  // byte range in the output buffer
  std::uint32_t end = 0;
  bool word = true;  // false for a symbol token (emoji, currency sign, '%')
};

enum class Mode : std::uint8_t {
  text,     // plain text
  hashtag,  // also split camelCase and letter/digit runs ("BlackFriday2024")
  url,      // no symbol tokens (percent-encoding is not a '%' sign)
};

// Reused across calls so that a warmed-up tokenizer does not allocate.
class Tokenizer {
 public:
  Tokenizer();
  // Appends each token of `input` to `out` followed by one space, and its range to
  // `spans`.
  void run(std::string_view input, Mode mode, std::string& out, std::vector<TokenSpan>& spans);

 private:
  struct Char {
    char32_t cp;
    std::uint8_t cls;
  };
  std::vector<Char> chars_;
};

}  // namespace kilter::pipeline::text
