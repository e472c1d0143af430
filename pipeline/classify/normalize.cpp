#include "pipeline/classify/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>

#include "pipeline/classify/classifier.h"

namespace kilter::pipeline::text {
namespace {

enum Cls : std::uint8_t { kSep, kUpper, kLower, kDigit, kSymbol, kIgnore };

constexpr std::array<std::uint8_t, 128> make_ascii_table() {
  std::array<std::uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if (c >= 'A' && c <= 'Z') {
      t[c] = kUpper;
    } else if (c >= 'a' && c <= 'z') {
      t[c] = kLower;
    } else if (c >= '0' && c <= '9') {
      t[c] = kDigit;
    } else if (c == '$' || c == '%') {
      t[c] = kSymbol;  // prices and discounts
    } else {
      t[c] = kSep;
    }
  }
  return t;
}
constexpr auto kAscii = make_ascii_table();

std::uint8_t classify(char32_t cp) {
  if (cp < 128) return kAscii[cp];
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
      return kUpper;
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return kLower;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return kDigit;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:  // zero-width joiner, soft hyphen: keep words whole
      return kIgnore;
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SO:
      return kSymbol;
    case UTF8PROC_CATEGORY_SK:
      // Emoji skin-tone modifiers must not change which emoji matched.
      return (cp >= 0x1F3FB && cp <= 0x1F3FF) ? kIgnore : kSep;
    default:
      return kSep;
  }
}

// Letters that Unicode does not decompose but that French and other Latin-script
// writers expect to match their plain spelling ("cœur" == "coeur").
std::string_view special_fold(char32_t cp) {
  switch (cp) {
    case U'œ':
    case U'Œ':
      return "oe";
    case U'æ':
    case U'Æ':
      return "ae";
    case U'ø':
    case U'Ø':
      return "o";
    case U'ł':
    case U'Ł':
      return "l";
    case U'đ':
    case U'Đ':
      return "d";
    case U'ı':
      return "i";
    default:
      return {};
  }
}

constexpr int kFoldOptions =
    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE;

void encode(char32_t cp, std::string& out) {
  utf8proc_uint8_t buf[4];
  auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

bool is_word_char(char32_t cp) {
  auto c = classify(cp);
  return c == kUpper || c == kLower || c == kDigit;
}

bool is_letter(std::uint8_t c) {
  return c == kUpper || c == kLower;
}

// Where a hashtag written as one word starts a new word: "linkInBio", "HTMLParser",
// "Q3Results", "2024goals".
bool case_boundary(const std::uint8_t prev, const std::uint8_t cur, const std::uint8_t next) {
  if (prev == kLower && cur == kUpper) return true;
  if (prev == kDigit && is_letter(cur)) return true;
  if (prev == kUpper && cur == kUpper && next == kLower) return true;
  return false;
}

}  // namespace

CharClass fold_char(char32_t cp, std::string& out, bool& currency) {
  const auto cls = classify(cp);
  currency = cp == '$' || (cp >= 128 && utf8proc_category(static_cast<utf8proc_int32_t>(cp)) ==
                                            UTF8PROC_CATEGORY_SC);
  if (cls == kSep || cls == kIgnore) return static_cast<CharClass>(cls);
  if (cp < 128) {
    out.push_back(static_cast<char>(cls == kUpper ? cp + ('a' - 'A') : cp));
    return static_cast<CharClass>(cls);
  }
  if (cls != kSymbol) {
    if (auto s = special_fold(cp); !s.empty()) {
      out.append(s);
      return static_cast<CharClass>(cls);
    }
  }
  utf8proc_int32_t folded[32];
  int bc = 0;
  auto k = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), folded, 32,
                                   static_cast<utf8proc_option_t>(kFoldOptions), &bc);
  for (utf8proc_ssize_t j = 0; j < k && j < 32; ++j) {
    auto f = static_cast<char32_t>(folded[j]);
    if (cls == kSymbol || is_word_char(f)) {
      encode(f, out);
    } else if (classify(f) != kIgnore) {
      out.push_back(' ');
    }
  }
  return static_cast<CharClass>(cls);
}

Tokenizer::Tokenizer() {
  chars_.reserve(512);
}

void Tokenizer::run(std::string_view input, Mode mode, std::string& out,
                    std::vector<TokenSpan>& spans) {
  chars_.clear();
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(input.data());
  std::size_t n = input.size();
  for (std::size_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      chars_.push_back({p[i], kAscii[p[i]]});
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    auto len = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
    if (len <= 0) {  // invalid UTF-8 (the decoder rejects it; be safe anyway)
      chars_.push_back({0xFFFD, kSep});
      ++i;
      continue;
    }
    chars_.push_back({static_cast<char32_t>(cp), classify(static_cast<char32_t>(cp))});
    i += static_cast<std::size_t>(len);
  }

  std::size_t start = std::string::npos;
  auto end_token = [&](bool word) {
    if (start == std::string::npos) return;
    if (out.size() > start) {
      spans.push_back(
          {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(out.size()), word});
      out.push_back(' ');
    }
    start = std::string::npos;
  };
  auto begin_token = [&] {
    if (start == std::string::npos) start = out.size();
  };

  utf8proc_int32_t folded[32];
  const bool split_case = mode == Mode::hashtag;
  for (std::size_t i = 0; i < chars_.size(); ++i) {
    const auto [cp, cls] = chars_[i];
    switch (cls) {
      case kSep:
        end_token(true);
        break;
      case kIgnore:
        break;
      case kSymbol: {
        end_token(true);
        if (mode == Mode::url) break;
        start = out.size();
        if (cp < 128) {
          out.push_back(static_cast<char>(cp));
        } else {
          int bc = 0;
          auto k = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), folded, 32,
                                           static_cast<utf8proc_option_t>(kFoldOptions), &bc);
          for (utf8proc_ssize_t j = 0; j < k && j < 32; ++j) encode(folded[j], out);
        }
        end_token(false);
        break;
      }
      default: {
        if (split_case && start != std::string::npos && i > 0) {
          std::uint8_t next = i + 1 < chars_.size() ? chars_[i + 1].cls : std::uint8_t{kSep};
          if (case_boundary(chars_[i - 1].cls, cls, next)) end_token(true);
        }
        if (cp < 128) {
          begin_token();
          out.push_back(static_cast<char>(cls == kUpper ? cp + ('a' - 'A') : cp));
          break;
        }
        if (auto s = special_fold(cp); !s.empty()) {
          begin_token();
          out.append(s);
          break;
        }
        int bc = 0;
        auto k = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), folded, 32,
                                         static_cast<utf8proc_option_t>(kFoldOptions), &bc);
        for (utf8proc_ssize_t j = 0; j < k && j < 32; ++j) {
          auto f = static_cast<char32_t>(folded[j]);
          if (is_word_char(f)) {
            begin_token();
            encode(f, out);
          } else if (classify(f) != kIgnore) {
            end_token(true);  // e.g. the fraction slash inside a decomposed "½"
          }
        }
        break;
      }
    }
  }
  end_token(true);
}

}  // namespace kilter::pipeline::text

namespace kilter::pipeline {

std::string normalize(std::string_view input) {
  std::string out;
  out.reserve(input.size() + 8);
  std::vector<text::TokenSpan> spans;
  text::Tokenizer tok;
  tok.run(input, text::Mode::text, out, spans);
  if (!out.empty()) out.pop_back();  // the space after the last token
  return out;
}

std::vector<std::string> normalize_terms(std::span<const std::string> terms) {
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (const auto& t : terms) {
    auto n = normalize(t);
    if (n.empty() || std::find(out.begin(), out.end(), n) != out.end()) continue;
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace kilter::pipeline
