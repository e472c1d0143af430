// The featurizer's tokenizer: the same tokens as text::Tokenizer in Mode::text (NFKC,
// marks stripped, case folded, symbols as their own tokens), several times faster.
// ASCII and the Latin-1 and Latin Extended-A letters (U+0000..U+017F: é, è, ê, à, ç,
// œ, É...) come from a table built once from text::fold_char, the tokenizer's own
// per-code-point rule; every other code point goes through fold_char (utf8proc).
// Text mode is byte-identical to normalize() (tests/pipeline/classify/features_test.cpp
// checks it on the shipped corpora and on random and adversarial strings).
//
// Internal to pipeline/classify.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kilter::pipeline::text {

enum class FastMode : std::uint8_t {
  text,   // exactly normalize()'s tokens
  split,  // hashtags and handles: also split at camelCase and letter/digit boundaries
          // ("SoldesDHiver" -> soldes d hiver, "BlackFriday2024" -> black friday 2024)
  url,    // no symbol tokens (a '%' in a URL is percent-encoding, not a percentage)
};

// Shape bits of a word token, from the raw text it was read from.
enum Shape : std::uint8_t {
  kAllDigits = 1,  // only digits
  kNonAscii = 2,   // some raw character outside ASCII
  kHasUpper = 4,   // an ASCII capital
  kHasLower = 8,   // an ASCII small letter
  kHasDigit = 16,  // an ASCII digit
  kCurrency = 32,  // a symbol token that is a currency sign
};

struct FastToken {
  std::uint32_t off = 0;  // bytes in the output buffer
  std::uint32_t len = 0;
  std::uint32_t raw_begin = 0;  // bytes of the input it was read from
  std::uint32_t raw_end = 0;
  bool word = true;  // false: a symbol token (emoji, currency sign, '%')
  std::uint8_t shape = 0;
  std::uint8_t letters = 0;  // ASCII capitals and small letters: 0, 1, or 2 for two or more
};

// Appends the tokens' bytes to `out` (no separator between them) and one FastToken per
// token to `toks`. Allocation-free once `out` and `toks` have grown to the input's size.
void tokenize_fast(std::string_view in, FastMode mode, std::string& out,
                   std::vector<FastToken>& toks);

// The text-mode tokens joined by single spaces: what normalize() returns (for tests).
std::string fast_normalize(std::string_view in);

}  // namespace kilter::pipeline::text
