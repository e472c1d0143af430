// Post -> feature tokens. The tokens, in reading order (docs/classifier.md, "Features
// the model reads"):
//
// - words: the text normalised exactly as normalize() does it (NFKC, marks stripped,
//   case folded, apostrophes and hyphens split: "l'Été" -> l ete), through the fast
//   tokenizer of fast_text.h. Hashtags, mentions and links are taken out of the words
//   and featurized where they stand (features_tags.cpp).
// - numbers: a run of digits is "__num"; digit groups joined by one '.' or ',' are one
//   number ("12,90", "1.000.000"), and so are thousands after a space ("1 000"). A word mixing
//   letters and digits ("q3", "4k") stays a word. Option small_number_values also keeps the digits
//   of a 1-2 digit number.
// - symbols: each emoji or other symbol is its own token, the symbol itself.
// - prices: a number right before or after a currency sign or code ("12,90 €", "$49",
//   "49.99$", "20 EUR", "£5") is "__price" instead of "__num"; the sign or code stays.
//   Percentages: a number before '%' ("-30%", "30 %") is "__pct", which replaces both.
// - codes: "__code" before a word written in ASCII capitals and digits with at least
//   two letters and one digit, 4-15 characters ("WINTER20"), or before the word after
//   "code", "coupon", "code promo" when it has a capital or a digit ("code SAVE").
// - kind: __kind_original, __kind_reply, __kind_repost, __kind_quote (none if unknown);
//   language: "__lang_" + the first subtag of `lang`, lower case (2-8 letters).
// - brand terms: "__brand" once per brand term found on word boundaries in the text,
//   the hashtags, the mentions or the links.
// - emphasis: "__excl" when the text has a '!', "__short" when it has at most 5 words.
#include "pipeline/classify/features.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pipeline/classify/features_impl.h"
#include "pipeline/classify/post_chunks.h"

namespace kilter::pipeline {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

using chunks::is_tag_char;
using chunks::is_url;
using chunks::starts_with_ci;
using chunks::trim_url_tail;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether `sep`, between two groups of digits of `left` and `right` digits, makes them one
// number: one '.' or ',' ("12,90"), or a space, no-break space or narrow no-break space
// before a group of three ("1 000", "12 500 000").
bool joins_digit_groups(std::string_view sep, std::size_t left, std::size_t right) {
  if (sep == "." || sep == ",") return true;
  return right == 3 && left <= 3 && (sep == " " || sep == "\u00a0" || sep == "\u202f");
}

constexpr std::string_view kCurrencyWords[] = {"eur", "euro", "euros", "usd",    "gbp",    "chf",
                                               "cad", "aud",  "jpy",   "dollar", "dollars"};

constexpr std::string_view kKind[] = {"", "__kind_original", "__kind_reply", "__kind_repost",
                                      "__kind_quote"};

}  // namespace

Featurizer::Impl::Impl(const FeatureOptions& o) : opt(o) {
  buf.reserve(4096);
  raw.reserve(512);
  raw2.reserve(64);
  tmp.reserve(1024);
  path.reserve(1024);
  views.reserve(512);
  seen_tags.reserve(kMaxSeen);
  seen_handles.reserve(kMaxSeen);
  raw_tags.reserve(kMaxSeen);
  raw_handles.reserve(kMaxSeen);
  seen_links.reserve(kMaxSeen);
  match.reserve(4096);
  needle.reserve(256);
}

void Featurizer::Impl::reset(bool want) {
  buf.clear();
  views.clear();
  buf_capacity = buf.capacity();
  seen_tags.clear();
  seen_handles.clear();
  raw_tags.clear();
  raw_handles.clear();
  seen_links.clear();
  match.assign(1, ' ');
  want_match = want;
  text_words = 0;
}

// The first byte of a chunk that may start a link, a hashtag or a mention.
[[maybe_unused]] bool chunk_start(unsigned char c) {
  return c == '#' || c == '@' || (c | 0x20) == 'h' || (c | 0x20) == 'w';
}

// Whether `s` starts a hashtag, a mention or a link.
bool starts_chunk(std::string_view s) {
  return s[0] == '#' || s[0] == '@' || is_url(s.substr(0, 8));
}

// The first position at or after `i` where a chunk (after whitespace or at the start)
// begins like a hashtag, a mention or a link (starts_chunk()), or t.size().
std::size_t next_chunk_start(std::string_view t, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const std::size_t n = t.size();
#if defined(__SSE2__)
  while (i < n) {
    const std::size_t rem = n - i;
    __m128i v;
    if (rem >= 16) {
      v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    } else {
      alignas(16) unsigned char tail[16] = {};
      std::memcpy(tail, p + i, rem);
      v = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
    }
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i cand = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('h')),
                     _mm_cmpeq_epi8(lower, _mm_set1_epi8('w'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('#')), _mm_cmpeq_epi8(v, _mm_set1_epi8('@'))));
    const __m128i ctl = _mm_sub_epi8(v, _mm_set1_epi8(9));  // \t \n \v \f \r
    const __m128i space = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                       _mm_cmpeq_epi8(_mm_min_epu8(ctl, _mm_set1_epi8(4)), ctl));
    const unsigned after_space = (static_cast<unsigned>(_mm_movemask_epi8(space)) << 1) |
                                 ((i == 0 || is_space(t[i - 1])) ? 1u : 0u);
    const unsigned valid = rem >= 16 ? 0xFFFFu : (1u << rem) - 1;
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(cand)) & after_space & valid;
    for (; m != 0; m &= m - 1) {
      const std::size_t at = i + static_cast<unsigned>(__builtin_ctz(m));
      if (starts_chunk(t.substr(at))) return at;
    }
    i += 16;
  }
  return n;
#else
  for (; i < n; ++i) {
    if (chunk_start(p[i]) && (i == 0 || is_space(t[i - 1])) && starts_chunk(t.substr(i))) return i;
  }
  return n;
#endif
}

// Chunks between whitespace that start a link, a hashtag or a mention are featurized
// where they stand; the text between them goes to text_piece().
void Featurizer::Impl::scan_text(std::string_view t) {
  std::size_t piece = 0;
  auto flush = [&](std::size_t upto) {
    // A piece of whitespace alone (" " between two hashtags) has no tokens.
    std::size_t from = piece;
    while (from < upto && is_space(t[from])) ++from;
    if (upto > from) text_piece(t.substr(piece, upto - piece));
  };
  const std::size_t n = t.size();
  for (std::size_t i = next_chunk_start(t, 0); i < n; i = next_chunk_start(t, i)) {
    std::size_t end = i;
    while (end < n && !is_space(t[end])) ++end;
    auto chunk = t.substr(i, end - i);
    if (is_url(chunk)) {
      flush(i);
      chunk = trim_url_tail(chunk);
      if (opt.links && !seen_link(chunk)) add_link(chunk);
      piece = end;
    } else if ((chunk[0] == '#' || chunk[0] == '@') && chunk.size() > 1 && is_tag_char(chunk[1])) {
      std::size_t body_end = 1;
      while (body_end < chunk.size() && is_tag_char(chunk[body_end])) ++body_end;
      auto body = chunk.substr(1, body_end - 1);
      const bool hashtag = chunk[0] == '#';
      // "#1" is a number, not a hashtag.
      if ((hashtag ? opt.hashtags : opt.mentions) && !(hashtag && all_digits(body))) {
        flush(i);
        add_tag(body, hashtag, false);
        piece = i + body_end;
      }
    }
    i = end;
  }
  flush(n);
}

bool Featurizer::Impl::is_currency(const text::FastToken& t) const {
  if (!t.word) return (t.shape & text::kCurrency) != 0;
  auto w = bytes(t);
  return std::find(std::begin(kCurrencyWords), std::end(kCurrencyWords), w) !=
         std::end(kCurrencyWords);
}

bool Featurizer::Impl::is_code(std::size_t k) const {
  const auto& t = raw[k];
  const std::size_t len = t.raw_end - t.raw_begin;
  const auto s = t.shape;
  if ((s & (text::kNonAscii | text::kHasLower)) == 0 && (s & text::kHasUpper) &&
      (s & text::kHasDigit) && t.letters >= 2 && len >= 4 && len <= 15) {
    return true;  // WINTER20
  }
  if ((s & text::kNonAscii) || !(s & (text::kHasUpper | text::kHasDigit)) || len < 3 || len > 20)
    return false;
  auto word_at = [&](std::size_t j) { return raw[j].word ? bytes(raw[j]) : std::string_view{}; };
  if (k >= 1 && (word_at(k - 1) == "code" || word_at(k - 1) == "coupon")) return true;
  return k >= 2 && word_at(k - 1) == "promo" && word_at(k - 2) == "code";
}

// A number in a hashtag or a handle.
void Featurizer::Impl::emit_number(const text::FastToken& t) {
  if (!opt.numbers) {
    emit_buf(t.off, t.len);
    return;
  }
  emit("__num");
  if (opt.small_number_values && t.len <= 2) emit_buf(t.off, t.len);
}

void Featurizer::Impl::text_piece(std::string_view piece) {
  raw.clear();
  text::tokenize_fast(piece, text::FastMode::text, buf, raw);
  const std::size_t n = raw.size();
  for (std::size_t k = 0; k < n; ++k) {
    const auto& t = raw[k];
    match_add(bytes(t));
    if (!t.word) {
      if (opt.symbols) emit_buf(t.off, t.len);
      continue;
    }
    ++text_words;
    if (!(t.shape & text::kAllDigits)) {
      if (opt.codes && (t.shape & (text::kHasUpper | text::kHasDigit)) && is_code(k)) {
        emit("__code");
      }
      if (opt.words) emit_buf(t.off, t.len);
      continue;
    }
    // A number: digit groups joined by one '.' or ',' ("12,90", "1.000.000"), or
    // thousands after a space ("1 000 €").
    std::size_t j = k;
    while (j + 1 < n && raw[j + 1].word && (raw[j + 1].shape & text::kAllDigits) &&
           joins_digit_groups(piece.substr(raw[j].raw_end, raw[j + 1].raw_begin - raw[j].raw_end),
                              raw[j].len, raw[j + 1].len)) {
      ++j;
      match_add(bytes(raw[j]));
    }
    const std::size_t next = j + 1;
    if (opt.prices && next < n && !raw[next].word && bytes(raw[next]) == "%") {
      emit("__pct");
      match_add("%");
      k = next;
      continue;
    }
    if (opt.prices &&
        ((next < n && is_currency(raw[next])) || (k > 0 && is_currency(raw[k - 1])))) {
      emit("__price");
    } else if (opt.numbers) {
      emit("__num");
      if (opt.small_number_values && j == k && t.len <= 2) emit_buf(t.off, t.len);
    } else if (opt.words) {
      for (std::size_t g = k; g <= j; ++g) emit_buf(raw[g].off, raw[g].len);
    }
    k = j;
  }
}

void Featurizer::Impl::post_markers(const Event& post, std::span<const std::string> brand_terms) {
  if (opt.kind && post.kind != PostKind::unknown) {
    emit(kKind[static_cast<std::size_t>(post.kind)]);
  }
  if (opt.lang) {
    auto l = post.lang.substr(0, find_any(post.lang, "-_"));
    const bool ok = l.size() >= 2 && l.size() <= 8 && std::all_of(l.begin(), l.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                    });
    if (ok) {
      const auto off = buf.size();
      buf.append("__lang_");
      for (char c : l) buf.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
      emit_buf(off, buf.size() - off);
    }
  }
  if (want_match) {
    for (const auto& term : brand_terms) {
      if (term.empty()) continue;
      needle.assign(1, ' ');
      needle.append(term);
      needle.push_back(' ');
      if (match.find(needle) != std::string::npos) emit("__brand");
    }
  }
  if (opt.emphasis) {
    if (post.text.find('!') != std::string_view::npos) emit("__excl");
    if (text_words <= 5) emit("__short");
  }
}

Featurizer::Featurizer() : Featurizer(FeatureOptions{}) {}
Featurizer::Featurizer(const FeatureOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Featurizer::~Featurizer() = default;

std::span<const std::string_view> Featurizer::run(const Event& post,
                                                  std::span<const std::string> brand_terms) {
  auto& m = *impl_;
  // A read during which buf grew left views to its freed bytes: read again, until a read
  // leaves buf where it began (the second does: the same steps ask buf for the same
  // sizes, which it now holds).
  do {
    m.read(post, brand_terms);
  } while (m.buf.capacity() != m.buf_capacity);
  return m.views;
}

void Featurizer::Impl::read(const Event& post, std::span<const std::string> brand_terms) {
  reset(opt.brand && !brand_terms.empty());
  scan_text(post.text);
  match_segment();
  if (opt.hashtags) {
    for (auto tag : post.hashtags) add_tag(tag, true, true);
  }
  if (opt.mentions) {
    for (auto h : post.mentions) add_tag(h, false, true);
  }
  if (opt.links) {
    for (auto l : post.links) {
      if (!seen_link(l)) add_link(l);
    }
  }
  post_markers(post, brand_terms);
}

}  // namespace kilter::pipeline
