// Lexicons: parsing the `category weight term` files and compiling every loaded
// lexicon into one index that the classifier walks without allocating.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/types.h"
#include "pipeline/classify/normalize.h"

namespace kilter::pipeline::lex {

inline constexpr std::uint32_t kNone = 0xFFFFFFFF;

// One `category weight term` line of a lexicon.
struct Entry {
  std::size_t line = 0;  // 1-based
  Category category = Category::personal;
  float weight = 0;       // 0..100; 0 switches an earlier entry off
  std::string_view term;  // as written, blanks trimmed; a view into the lexicon's text
};

// Calls f for each entry of a lexicon's text, in order (blank and '#' lines skipped).
// The first malformed line, or the first error f returns, is the Error, prefixed with
// "ORIGIN:LINE: ". The one parser of the format: Index::add and the trainer's lexicon
// examples both read lexicons through it.
Result<void> for_each_entry(std::string_view text, std::string_view origin,
                            const std::function<Result<void>(const Entry&)>& f);
inline constexpr std::size_t kMaxPhraseWords = 8;

// Open-addressing map from a string to a 32-bit value; owns its keys.
class StringIndex {
 public:
  std::uint32_t find(std::string_view key) const;
  // Returns the value already stored under `key`, or stores `value` and returns it.
  std::uint32_t insert(std::string_view key, std::uint32_t value);
  std::size_t size() const { return keys_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t key = kNone;  // index into keys_, kNone when empty
    std::uint32_t value = 0;
  };
  void grow();
  std::vector<Slot> slots_;
  std::vector<std::string> keys_;
};

enum class TermKind : std::uint8_t {
  words,         // a word, a phrase or an emoji, the last word possibly a stem ("recrut*")
  domain,        // domain:example.com — the host or any subdomain of it
  domain_label,  // domain:shop.* — a host whose first label is "shop"
  path,          // path:/shop — a path segment "shop" (or "shop-…", "shop.html")
  path_prefix,   // path:/promo* — a path segment starting with "promo"
};

struct Term {
  std::array<float, kClassifiedCategories> weight{};           // 0: no vote for that category
  std::array<std::uint32_t, kClassifiedCategories> sources{};  // bit i: set by lexicon i
  TermKind kind = TermKind::words;
  bool prefix = false;            // words: the last word is a stem
  std::uint8_t words = 0;         // words: exact words, stem excluded
  std::uint32_t words_begin = 0;  // into Index::word_ids_
  std::string stem;               // the stem, the domain, the host label or the path segment
  std::string display;            // canonical form, also the key that merges duplicates
};

class Index {
 public:
  // Adds one lexicon. `origin` names it in errors ("<shipped en>", a file path);
  // `source` (< 32) is the bit the language boost tests. A term defined again for
  // the same category takes the later weight (0 switches a shipped entry off).
  Result<void> add(std::string_view text, std::string_view origin, unsigned source);
  void finish();  // builds the lookup tables; call once after the last add()

  const Term& term(std::uint32_t id) const { return terms_[id]; }
  std::size_t term_count() const { return terms_.size(); }
  std::uint32_t word_id(std::string_view word) const { return vocab_.find(word); }
  std::span<const std::uint32_t> word_ids(const Term& t) const {
    return {word_ids_.data() + t.words_begin, t.words};
  }
  // Phrase terms whose first word is `word_id`, longest first, exact before stems.
  std::span<const std::uint32_t> starting_with(std::uint32_t word_id) const;
  // The longest single-word stem term that `word` starts with, or kNone.
  std::uint32_t stem_of(std::string_view word) const;
  // Calls f(term id) for each domain term matching `host` (lower case, no "www.").
  template <class F>
  void match_host(std::string_view host, F&& f) const;
  // Calls f(term id) for each path term matching a segment of `path` (lower case).
  template <class F>
  void match_path(std::string_view path, F&& f) const;

 private:
  Result<void> add_term(std::string_view term, Category c, float w, unsigned source);
  static std::size_t gate_hash(std::string_view w);

  std::vector<Term> terms_;
  std::vector<std::uint32_t> word_ids_;
  StringIndex by_display_;  // display -> term id
  StringIndex vocab_;       // exact word -> word id
  // CSR: first word id -> term ids
  std::vector<std::uint32_t> first_begin_;
  std::vector<std::uint32_t> first_terms_;
  StringIndex stems_;                     // single-word stem -> term id
  std::vector<std::uint32_t> stem_lens_;  // distinct stem lengths, longest first
  std::bitset<4096> stem_gate_;           // hash of a stem's first 3 bytes
  StringIndex domains_;                   // host suffix -> term id
  StringIndex labels_;                    // first host label -> term id
  StringIndex paths_;                     // path segment -> term id
  std::vector<std::uint32_t> path_prefixes_;
  text::Tokenizer tokenizer_;
  std::string scratch_;
  std::vector<text::TokenSpan> spans_;
};

template <class F>
void Index::match_host(std::string_view host, F&& f) const {
  if (auto dot = host.find('.'); dot != std::string_view::npos) {
    if (auto id = labels_.find(host.substr(0, dot)); id != kNone) f(id);
  }
  for (std::string_view s = host; !s.empty();) {
    if (auto id = domains_.find(s); id != kNone) f(id);
    auto dot = s.find('.');
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
}

template <class F>
void Index::match_path(std::string_view path, F&& f) const {
  int segments = 0;
  while (!path.empty() && segments < 8) {
    auto slash = path.find('/');
    auto seg = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (seg.empty()) continue;
    ++segments;
    auto whole = seg.substr(0, seg.find('.'));  // "sale.html"
    if (auto id = paths_.find(whole); id != kNone) f(id);
    if (auto piece = whole.substr(0, whole.find_first_of("-_")); piece.size() != whole.size()) {
      if (auto id = paths_.find(piece); id != kNone) f(id);  // "sale-2024"
    }
    for (auto id : path_prefixes_) {
      if (whole.starts_with(terms_[id].stem)) f(id);
    }
  }
}

}  // namespace kilter::pipeline::lex
