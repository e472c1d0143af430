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

// What Tokenizer::run does, in Mode::text, with one code point, for callers that cache
// it per code point (the featurizer's fast path, pipeline/classify/fast_text.h). The
// order matches the tokenizer's own classes.
enum class CharClass : std::uint8_t { sep, upper, lower, digit, symbol, ignore };

// Appends to `out` what Mode::text writes for `cp` and returns its class: nothing for
// sep and ignore; the folded symbol for symbol; for a letter or a digit its folded
// pieces, with a ' ' where a piece ends the word (the fraction slash of a decomposed
// "½"). `currency` is set for a currency sign (Unicode Sc: "$", "€", "£").
CharClass fold_char(char32_t cp, std::string& out, bool& currency);

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
