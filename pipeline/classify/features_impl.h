// The Featurizer's state, shared by features.cpp (the text, numbers, prices, codes,
// kind, language, brand terms, emphasis) and features_tags.cpp (hashtags, mentions,
// links). Internal to pipeline/classify.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/classify/fast_text.h"
#include "pipeline/classify/features.h"

namespace kilter::pipeline {

// The first of `chars` in `s` (a loop: std::string_view::find_first_of calls memchr
// once per byte of `s`).
inline std::size_t find_any(std::string_view s, std::string_view chars) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    for (char c : chars) {
      if (s[i] == c) return i;
    }
  }
  return std::string_view::npos;
}

struct Featurizer::Impl {
  struct Key {  // a hashtag's or handle's folded form in buf, for deduplication
    std::uint32_t off = 0;
    std::uint32_t len = 0;
  };
  // Deduplication compares with at most this many of each (a post is not expected to
  // hold more; beyond, tags are featurized without deduplication, in linear time).
  static constexpr std::size_t kMaxSeen = 64;
  static constexpr std::size_t kMaxHostWords = 8;
  static constexpr std::size_t kMaxPathWords = 16;

  explicit Impl(const FeatureOptions& o);

  void reset(bool want_match);
  void read(const Event& post, std::span<const std::string> brand_terms);  // into views
  // A token of the result: static text (a marker) or bytes of `buf`, viewed where they
  // are now (run() reads the post again in the rare case that buf then moved).
  void emit(std::string_view marker) { views.push_back(marker); }
  void emit_buf(std::size_t off, std::size_t len) { views.emplace_back(buf.data() + off, len); }
  std::string_view bytes(const text::FastToken& t) const {
    return std::string_view(buf).substr(t.off, t.len);
  }
  // The brand-term matching stream: " tok tok ... " with "\x1f " between segments.
  void match_add(std::string_view s) {
    if (!want_match) return;
    match.append(s);
    match.push_back(' ');
  }
  void match_segment() {
    if (want_match && match.size() > 1 && match[match.size() - 2] != '\x1f') match.append("\x1f ");
  }

  // features.cpp
  void scan_text(std::string_view text);
  void text_piece(std::string_view piece);
  bool is_code(std::size_t k) const;
  bool is_currency(const text::FastToken& t) const;
  void emit_number(const text::FastToken& t);
  void post_markers(const Event& post, std::span<const std::string> brand_terms);

  // features_tags.cpp
  void add_tag(std::string_view tag, bool hashtag, bool from_list);
  void add_link(std::string_view url);
  bool seen_link(std::string_view url);
  void add_prefixed(std::string_view s, std::string_view prefix, std::size_t max_words);
  void emit_prefixed(std::size_t from, std::size_t to, std::string_view prefix,
                     std::size_t max_words);

  FeatureOptions opt;
  std::string buf;                      // bytes of the tokens
  std::vector<text::FastToken> raw;     // tokens of the piece being read
  std::vector<text::FastToken> raw2;    // tokens of a link part
  std::string tmp;                      // a link part's bytes, a decoded path
  std::string path;                     // a link's percent-decoded path
  std::vector<std::string_view> views;  // what run() returns
  std::size_t buf_capacity = 0;         // buf.capacity() when the post began
  std::vector<Key> seen_tags, seen_handles;
  // The raw tags and handles read so far (views into the event), so that a list item
  // written exactly like one of them is skipped without folding it.
  std::vector<std::string_view> raw_tags, raw_handles;
  std::vector<std::string_view> seen_links;
  std::string match;  // brand-term matching stream
  std::string needle;
  bool want_match = false;
  std::size_t text_words = 0;
};

}  // namespace kilter::pipeline
