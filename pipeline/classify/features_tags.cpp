// Hashtags, mentions and links as feature tokens (see features.cpp for the whole list):
//
// - hashtags, from "#tags" in the text and from the event's `hashtags`, each once:
//   "__hashtag", the tag's words split at camelCase and letter/digit boundaries (numbers
//   as "__num", symbols as themselves), then, when it has more than one word, the tag
//   as one word: "#SoldesDHiver" -> __hashtag soldes d hiver soldesdhiver,
//   "#BlackFriday2024" -> __hashtag black friday __num blackfriday2024.
// - mentions, from "@handles" in the text and from `mentions`, each once: "__mention"
//   and the handle's words split at '_', '-', '.', camelCase and letter/digit
//   boundaries ("@acme_Bakery" -> __mention acme bakery).
// - links, from the text (taken out of its words) and from `links`, each once (same
//   address without scheme, query, fragment and final '/', case aside): "__link", the host's labels
//   without "www" and the top-level domain, prefixed "h:", then the path's words
//   (percent-decoded, query and fragment dropped) prefixed "p:", numbers dropped:
//   "https://shop.bakery.example/promo/winter-box?id=3" -> __link h:shop h:bakery
//   p:promo p:winter p:box. At most 8 host words and 16 path words.
#include <algorithm>

#include "pipeline/classify/features_impl.h"

namespace kilter::pipeline {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// A link without its scheme, query, fragment and final '/' (what its tokens are made
// of), for deduplication.
std::string_view link_key(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos && scheme < 12) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, find_any(url, "?#"));
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

bool equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

// A hashtag (hashtag) or a handle, from the text or from the event's lists.
void Featurizer::Impl::add_tag(std::string_view tag, bool hashtag, bool from_list) {
  const char sigil = hashtag ? '#' : '@';
  while (!tag.empty() && tag.front() == sigil) tag.remove_prefix(1);
  if (tag.empty()) return;
  auto& raws = hashtag ? raw_tags : raw_handles;
  if (from_list && std::find(raws.begin(), raws.end(), tag) != raws.end()) return;
  if (raws.size() < kMaxSeen) raws.push_back(tag);
  const std::size_t mark = buf.size();
  raw2.clear();
  text::tokenize_fast(tag, text::FastMode::split, buf, raw2);
  // The folded tag as one word: the key for deduplication.
  std::size_t key_len = 0, words = 0;
  for (const auto& t : raw2) {
    if (t.word) {
      key_len += t.len;
      ++words;
    }
  }
  if (from_list && raw2.empty()) {
    buf.resize(mark);
    return;
  }
  buf.reserve(buf.size() + key_len);
  const std::size_t key_off = buf.size();
  for (const auto& t : raw2) {
    if (t.word) buf.append(buf.data() + t.off, t.len);
  }
  auto& seen = hashtag ? seen_tags : seen_handles;
  const std::string_view key(buf.data() + key_off, key_len);
  if (key_len > 0) {
    for (const auto& s : seen) {
      if (std::string_view(buf.data() + s.off, s.len) == key) {
        buf.resize(mark);
        return;
      }
    }
    if (seen.size() < kMaxSeen) {
      seen.push_back({static_cast<std::uint32_t>(key_off), static_cast<std::uint32_t>(key_len)});
    }
  }
  emit(hashtag ? "__hashtag" : "__mention");
  if (!hashtag) match_segment();
  for (const auto& t : raw2) {
    if (!t.word) {
      if (hashtag && opt.symbols) emit_buf(t.off, t.len);
      continue;
    }
    match_add(bytes(t));
    if (t.shape & text::kAllDigits) {
      emit_number(t);
    } else {
      emit_buf(t.off, t.len);
    }
  }
  if (hashtag && words > 1) {
    emit_buf(key_off, key_len);
    match_segment();
    match_add(key);
  }
  match_segment();
}

bool Featurizer::Impl::seen_link(std::string_view url) {
  auto key = link_key(url);
  for (auto s : seen_links) {
    if (equal_ci(s, key)) return true;
  }
  if (seen_links.size() < kMaxSeen) seen_links.push_back(key);
  return false;
}

// The url-mode tokens of tmp/raw2 whose raw range lies in [from, to) of the tokenized
// text, each as prefix + word, numbers dropped, at most max_words.
void Featurizer::Impl::emit_prefixed(std::size_t from, std::size_t to, std::string_view prefix,
                                     std::size_t max_words) {
  std::size_t n = 0;
  for (const auto& t : raw2) {
    if (n == max_words || t.raw_begin >= to) break;
    if (t.raw_begin < from || !t.word || (t.shape & text::kAllDigits)) continue;
    const auto off = buf.size();
    buf.append(prefix);
    buf.append(tmp, t.off, t.len);
    emit_buf(off, buf.size() - off);
    match_add(std::string_view(tmp).substr(t.off, t.len));
    ++n;
  }
}

void Featurizer::Impl::add_prefixed(std::string_view s, std::string_view prefix,
                                    std::size_t max_words) {
  tmp.clear();
  raw2.clear();
  text::tokenize_fast(s, text::FastMode::url, tmp, raw2);
  emit_prefixed(0, s.size(), prefix, max_words);
}

void Featurizer::Impl::add_link(std::string_view url) {
  emit("__link");
  match_segment();
  if (auto scheme = url.find("://"); scheme != std::string_view::npos && scheme < 12) {
    url.remove_prefix(scheme + 3);
  }
  const auto host_end = find_any(url, "/?#");
  auto host = url.substr(0, host_end);
  auto rest = host_end == std::string_view::npos ? url.substr(url.size()) : url.substr(host_end);
  rest = rest.substr(0, find_any(rest, "?#"));
  if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  host = host.substr(0, host.find(':'));
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  // Labels: without a leading "www" and without the top-level domain.
  if (host.size() >= 4 && equal_ci(host.substr(0, 4), "www.")) host.remove_prefix(4);
  const auto dot = host.rfind('.');
  const auto labels = dot == std::string_view::npos ? host.substr(0, 0) : host.substr(0, dot);
  if (rest.find('%') == std::string_view::npos) {
    // One pass over labels, top-level domain, port and path ('.', ':' and '/' separate
    // words); the words of the labels and of the path are kept.
    const auto* begin = dot == std::string_view::npos ? rest.data() : labels.data();
    const std::size_t span = static_cast<std::size_t>(rest.data() + rest.size() - begin);
    const std::size_t path_at = static_cast<std::size_t>(rest.data() - begin);
    tmp.clear();
    raw2.clear();
    text::tokenize_fast(std::string_view(begin, span), text::FastMode::url, tmp, raw2);
    emit_prefixed(0, labels.size(), "h:", kMaxHostWords);
    match_segment();
    emit_prefixed(path_at, span, "p:", kMaxPathWords);
    match_segment();
    return;
  }
  add_prefixed(labels, "h:", kMaxHostWords);
  match_segment();
  path.clear();  // percent-decoded
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hex(rest[i + 1]) >= 0 && hex(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(hex(rest[i + 1]) * 16 + hex(rest[i + 2])));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  add_prefixed(path, "p:", kMaxPathWords);
  match_segment();
}

}  // namespace kilter::pipeline
