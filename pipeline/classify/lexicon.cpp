#include "pipeline/classify/lexicon.h"

#include <algorithm>
#include <charconv>
#include <functional>

#include <fmt/format.h>

namespace kilter::pipeline::lex {
namespace {

std::uint64_t hash_of(std::string_view s) {
  return std::hash<std::string_view>{}(s);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool only_chars(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != extra.npos;
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view next_field(std::string_view& s) {
  s = trim(s);
  auto end = s.find_first_of(" \t");
  auto field = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : trim(s.substr(end));
  return field;
}

}  // namespace

std::uint32_t StringIndex::find(std::string_view key) const {
  if (slots_.empty()) return kNone;
  const auto h = hash_of(key);
  const auto mask = slots_.size() - 1;
  for (auto i = h & mask;; i = (i + 1) & mask) {
    const auto& s = slots_[i];
    if (s.key == kNone) return kNone;
    if (s.hash == h && keys_[s.key] == key) return s.value;
  }
}

std::uint32_t StringIndex::insert(std::string_view key, std::uint32_t value) {
  if ((keys_.size() + 1) * 2 > slots_.size()) grow();
  const auto h = hash_of(key);
  const auto mask = slots_.size() - 1;
  for (auto i = h & mask;; i = (i + 1) & mask) {
    auto& s = slots_[i];
    if (s.key == kNone) {
      s = {h, static_cast<std::uint32_t>(keys_.size()), value};
      keys_.emplace_back(key);
      return value;
    }
    if (s.hash == h && keys_[s.key] == key) return s.value;
  }
}

void StringIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<std::size_t>(16, old.size() * 2), Slot{});
  const auto mask = slots_.size() - 1;
  for (const auto& s : old) {
    if (s.key == kNone) continue;
    auto i = s.hash & mask;
    while (slots_[i].key != kNone) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

Result<void> for_each_entry(std::string_view text, std::string_view origin,
                            const std::function<Result<void>(const Entry&)>& f) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return fmt::format("{}:{}", origin, line_no); };
    auto cat_text = next_field(line);
    auto cat = parse_category(cat_text);
    if (!cat) {
      return Error{
          fmt::format("{}: unknown category '{}' (expected personal, professional or "
                      "promotional)",
                      where(), cat_text)};
    }
    auto weight_text = next_field(line);
    float w = 0;
    auto [ptr, ec] =
        std::from_chars(weight_text.data(), weight_text.data() + weight_text.size(), w);
    if (weight_text.empty() || ec != std::errc{} ||
        ptr != weight_text.data() + weight_text.size() || !(w >= 0 && w <= 100)) {
      return Error{
          fmt::format("{}: bad weight '{}' (a number from 0 to 100)", where(), weight_text)};
    }
    if (line.empty()) return Error{fmt::format("{}: missing term", where())};
    if (auto r = f(Entry{line_no, *cat, w, line}); !r) {
      return Error{fmt::format("{}: {}", where(), r.error().message)};
    }
  }
  return ok();
}

Result<void> Index::add(std::string_view text, std::string_view origin, unsigned source) {
  return for_each_entry(
      text, origin, [&](const Entry& e) { return add_term(e.term, e.category, e.weight, source); });
}

Result<void> Index::add_term(std::string_view term, Category c, float w, unsigned source) {
  Term t;
  std::string key;  // the lower-cased domain or path segment
  if (term.starts_with("domain:")) {
    key = ascii_lower(trim(term.substr(7)));
    if (key.starts_with("www.")) key.erase(0, 4);
    if (key.ends_with(".*")) {
      key.resize(key.size() - 2);
      t.kind = TermKind::domain_label;
      if (key.empty() || !only_chars(key, "-")) return Error{"bad domain label '" + key + "'"};
      t.stem = key;
      t.display = "domain:" + key + ".*";
    } else {
      t.kind = TermKind::domain;
      if (key.empty() || key.front() == '.' || key.back() == '.' || !only_chars(key, "-.")) {
        return Error{"bad domain '" + key + "'"};
      }
      t.stem = key;
      t.display = "domain:" + key;
    }
  } else if (term.starts_with("path:")) {
    key = ascii_lower(trim(term.substr(5)));
    if (!key.starts_with("/")) return Error{"a path term starts with '/'"};
    key.erase(0, 1);
    t.kind = TermKind::path;
    if (key.ends_with("*")) {
      key.pop_back();
      t.kind = TermKind::path_prefix;
    }
    if (key.empty() || !only_chars(key, "-_")) {
      return Error{"bad path term '" + std::string(term) + "' (one segment: letters, digits, - _)"};
    }
    t.stem = key;
    t.display = "path:/" + key + (t.kind == TermKind::path_prefix ? "*" : "");
  } else {
    t.prefix = term.ends_with("*");
    auto body = t.prefix ? term.substr(0, term.size() - 1) : term;
    if (t.prefix && (body.empty() || body.back() == ' ' || body.back() == '\t')) {
      return Error{"'*' must end a word"};
    }
    scratch_.clear();
    spans_.clear();
    tokenizer_.run(body, text::Mode::text, scratch_, spans_);
    if (spans_.empty()) return Error{"term '" + std::string(term) + "' has no words"};
    if (spans_.size() > kMaxPhraseWords) return Error{"phrase longer than 8 words"};
    if (t.prefix) {
      const auto& last = spans_.back();
      const std::size_t min_len = spans_.size() == 1 ? 3 : 2;
      if (!last.word || last.end - last.begin < min_len) {
        return Error{"stem too short in '" + std::string(term) + "' (at least 3 characters)"};
      }
    }
    t.display = scratch_.substr(0, scratch_.size() - 1);
    if (t.prefix) t.display += '*';
  }

  auto id = by_display_.insert(t.display, static_cast<std::uint32_t>(terms_.size()));
  if (id == terms_.size()) {
    if (t.kind == TermKind::words) {
      t.words = static_cast<std::uint8_t>(spans_.size() - (t.prefix ? 1 : 0));
      t.words_begin = static_cast<std::uint32_t>(word_ids_.size());
      for (std::size_t i = 0; i < t.words; ++i) {
        auto word =
            std::string_view(scratch_).substr(spans_[i].begin, spans_[i].end - spans_[i].begin);
        word_ids_.push_back(vocab_.insert(word, static_cast<std::uint32_t>(vocab_.size())));
      }
      if (t.prefix) {
        const auto& last = spans_.back();
        t.stem = scratch_.substr(last.begin, last.end - last.begin);
      }
    }
    terms_.push_back(std::move(t));
  }
  auto& stored = terms_[id];
  const auto ci = static_cast<std::size_t>(c);
  stored.weight[ci] = w;
  if (source < 32) stored.sources[ci] |= 1u << source;
  return ok();
}

std::size_t Index::gate_hash(std::string_view w) {
  auto b = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<unsigned char>(w[i]));
  };
  return (b(0) * 961 + b(1) * 31 + b(2)) & 4095;
}

void Index::finish() {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> firsts;  // (first word, term)
  for (std::uint32_t id = 0; id < terms_.size(); ++id) {
    const auto& t = terms_[id];
    if (std::all_of(t.weight.begin(), t.weight.end(), [](float w) { return w == 0; })) continue;
    switch (t.kind) {
      case TermKind::words:
        if (t.words > 0) {
          firsts.emplace_back(word_ids_[t.words_begin], id);
        } else {
          stems_.insert(t.stem, id);
          stem_lens_.push_back(static_cast<std::uint32_t>(t.stem.size()));
          stem_gate_.set(gate_hash(t.stem));
        }
        break;
      case TermKind::domain:
        domains_.insert(t.stem, id);
        break;
      case TermKind::domain_label:
        labels_.insert(t.stem, id);
        break;
      case TermKind::path:
        paths_.insert(t.stem, id);
        break;
      case TermKind::path_prefix:
        path_prefixes_.push_back(id);
        break;
    }
  }
  // Longest phrase first, then exact words before a stem, then the longer stem.
  std::sort(firsts.begin(), firsts.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const auto& ta = terms_[a.second];
    const auto& tb = terms_[b.second];
    auto la = ta.words + (ta.prefix ? 1 : 0);
    auto lb = tb.words + (tb.prefix ? 1 : 0);
    if (la != lb) return la > lb;
    if (ta.prefix != tb.prefix) return !ta.prefix;
    return ta.stem.size() > tb.stem.size();
  });
  first_begin_.assign(vocab_.size() + 1, 0);
  for (const auto& [w, id] : firsts) ++first_begin_[w + 1];
  for (std::size_t i = 1; i < first_begin_.size(); ++i) first_begin_[i] += first_begin_[i - 1];
  first_terms_.resize(firsts.size());
  for (std::size_t i = 0; i < firsts.size(); ++i) first_terms_[i] = firsts[i].second;
  std::sort(stem_lens_.begin(), stem_lens_.end(), std::greater<>());
  stem_lens_.erase(std::unique(stem_lens_.begin(), stem_lens_.end()), stem_lens_.end());
}

std::span<const std::uint32_t> Index::starting_with(std::uint32_t word_id) const {
  if (word_id + 1 >= first_begin_.size()) return {};
  return {first_terms_.data() + first_begin_[word_id],
          first_terms_.data() + first_begin_[word_id + 1]};
}

std::uint32_t Index::stem_of(std::string_view word) const {
  if (word.size() < 3 || !stem_gate_.test(gate_hash(word))) return kNone;
  for (auto len : stem_lens_) {
    if (len > word.size()) continue;
    if (auto id = stems_.find(word.substr(0, len)); id != kNone) return id;
  }
  return kNone;
}

}  // namespace kilter::pipeline::lex
