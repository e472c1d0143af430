// The lexicon classifier. Every post is flattened into one buffer of normalised
// tokens ("segments": the text, each hashtag, each mention, each link's words),
// phrases are matched leftmost-longest over those tokens, and the weights of the
// matched terms are summed per category. See docs/classifier.md.
#include "pipeline/classify/classifier.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "pipeline/classify/lexicon.h"
#include "pipeline/classify/normalize.h"
#include "pipeline/classify/post_chunks.h"

namespace kilter::pipeline {

extern const std::pair<std::string_view, std::string_view> kEmbeddedLexicons[];
extern const std::size_t kEmbeddedLexiconCount;

namespace {

enum class Source : std::uint8_t { text, hashtag, mention, link };
// Mentions and the words of a link's address say less about the post than what
// the author wrote.
constexpr std::array<float, 4> kSourceFactor = {1.0f, 1.0f, 0.5f, 0.5f};
constexpr std::uint32_t kSentinel = 0xFFFFFFFE;  // ends a segment; matches no word
constexpr std::uint32_t kBrandKey = 0x80000000;  // hit keys above: brand term index
constexpr float kLangBoost = 1.25f;
constexpr float kBrandWeight = 1.5f;
constexpr float kReplyPrior = 0.4f;
constexpr float kNoEvidenceConfidence = 0.1f;
constexpr std::size_t kMaxMatched = 8;
constexpr std::size_t kPersonal = 0, kProfessional = 1, kPromotional = 2;
// On an exact tie, the category whose lexicon is the most specific wins.
constexpr std::array<std::size_t, 3> kTieOrder = {kPromotional, kProfessional, kPersonal};

struct Tok {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t word = lex::kNone;  // vocabulary id, kNone, or kSentinel
  Source source = Source::text;
  bool is_word = true;
};

struct Hit {
  std::uint32_t key = 0;  // term id, or kBrandKey | brand term index
  std::string_view text;
  std::array<float, 3> contrib{};
};

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

using chunks::is_tag_char;
using chunks::is_url;
using chunks::starts_with_ci;
using chunks::trim_url_tail;

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
}

// "fr-CA", "fr_CA", "FR" and a lexicon file "fr-acme" all have the language "fr".
bool same_language(std::string_view a, std::string_view b) {
  a = a.substr(0, a.find_first_of("-_."));
  b = b.substr(0, b.find_first_of("-_."));
  if (a.empty() || a.size() != b.size()) return false;
  return starts_with_ci(a, b) || starts_with_ci(b, a);
}

class LexiconClassifier final : public Classifier {
 public:
  LexiconClassifier(lex::Index index, std::vector<std::string> names, double min_confidence)
      : index_(std::move(index)), names_(std::move(names)), min_confidence_(min_confidence) {
    norm_.reserve(4096);
    toks_.reserve(512);
    spans_.reserve(256);
    hits_.reserve(64);
    views_.reserve(kMaxMatched);
    tags_.reserve(32);
    mentions_.reserve(32);
    links_.reserve(16);
    host_.reserve(256);
    path_.reserve(1024);
  }

  Classification classify(const Event& post, std::span<const std::string> brand_terms) override {
    if (post.category) return {*post.category, 1.0f, {}, true};
    reset(post.lang);
    add_text(post.text);
    for (auto tag : tags_) add_tag(tag, Source::hashtag, /*split_done=*/true);
    for (auto tag : post.hashtags) add_tag(tag, Source::hashtag, false);
    for (auto m : post.mentions) mentions_.push_back(m);
    for (auto m : mentions_) add_tag(m, Source::mention, false);
    for (auto l : post.links) links_.push_back(l);
    for (std::size_t i = 0; i < links_.size(); ++i) {
      if (std::find(links_.begin(), links_.begin() + static_cast<std::ptrdiff_t>(i), links_[i]) ==
          links_.begin() + static_cast<std::ptrdiff_t>(i)) {
        add_link(links_[i]);
      }
    }
    match_tokens();
    match_brand_terms(brand_terms);
    return decide(post.kind);
  }

 private:
  void reset(std::string_view lang) {
    norm_.assign(1, ' ');  // every token is preceded and followed by a blank
    toks_.clear();
    hits_.clear();
    views_.clear();
    tags_.clear();
    mentions_.clear();
    links_.clear();
    lang_bits_ = 0;
    if (!lang.empty()) {
      for (std::size_t i = 0; i < names_.size() && i < 32; ++i) {
        if (same_language(lang, names_[i])) lang_bits_ |= 1u << i;
      }
    }
  }

  std::size_t add_piece(std::string_view s, text::Mode mode, Source src) {
    spans_.clear();
    tokenizer_.run(s, mode, norm_, spans_);
    for (const auto& sp : spans_) {
      auto word = std::string_view(norm_).substr(sp.begin, sp.end - sp.begin);
      toks_.push_back({sp.begin, sp.end, word_id(word, sp.word), src, sp.word});
    }
    return spans_.size();
  }

  // A plural with no entry of its own matches its singular ("kittens", "gâteaux").
  std::uint32_t word_id(std::string_view word, bool is_word) const {
    auto id = index_.word_id(word);
    if (id == lex::kNone && is_word && word.size() > 3 &&
        (word.back() == 's' || word.back() == 'x')) {
      id = index_.word_id(word.substr(0, word.size() - 1));
    }
    return id;
  }

  void end_segment() {
    if (toks_.empty() || toks_.back().word == kSentinel) return;
    auto at = static_cast<std::uint32_t>(norm_.size());
    norm_.append("\x1f ");  // brand terms never contain it, so never span segments
    toks_.push_back({at, at + 1, kSentinel, Source::text, false});
  }

  // Inline hashtags are split into words in place, so a phrase can run through
  // them; mentions and links go to their own segments.
  void add_text(std::string_view t) {
    std::size_t piece = 0;
    auto flush = [&](std::size_t upto) {
      if (upto > piece) add_piece(t.substr(piece, upto - piece), text::Mode::text, Source::text);
    };
    for (std::size_t i = 0; i < t.size();) {
      if (is_space(t[i])) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < t.size() && !is_space(t[end])) ++end;
      auto chunk = t.substr(i, end - i);
      if (is_url(chunk)) {
        flush(i);
        chunk = trim_url_tail(chunk);
        if (links_.size() < links_.capacity()) links_.push_back(chunk);
        piece = end;
      } else if ((chunk[0] == '#' || chunk[0] == '@') && chunk.size() > 1 &&
                 is_tag_char(chunk[1])) {
        std::size_t body_end = 1;
        while (body_end < chunk.size() && is_tag_char(chunk[body_end])) ++body_end;
        auto body = chunk.substr(1, body_end - 1);
        flush(i);
        if (chunk[0] == '#') {
          auto n = add_piece(body, text::Mode::hashtag, Source::text);
          if (n > 1 && tags_.size() < tags_.capacity()) tags_.push_back(body);
        } else if (mentions_.size() < mentions_.capacity()) {
          mentions_.push_back(body);
        }
        piece = i + body_end;
      }
      i = end;
    }
    flush(t.size());
    end_segment();
  }

  // A hashtag or a mention is matched as its words ("link in bio") and as the
  // single word it is written as ("linkinbio").
  void add_tag(std::string_view tag, Source src, bool split_done) {
    while (!tag.empty() && (tag.front() == '#' || tag.front() == '@')) tag.remove_prefix(1);
    std::size_t n = 2;
    if (!split_done) {
      n = add_piece(tag, text::Mode::hashtag, src);
      end_segment();
    }
    if (n < 2) return;
    const auto start = norm_.size();
    spans_.clear();
    tokenizer_.run(tag, text::Mode::text, norm_, spans_);
    auto w = start;
    for (auto r = start; r < norm_.size(); ++r) {
      if (norm_[r] != ' ') norm_[w++] = norm_[r];
    }
    norm_.resize(w);
    if (w == start) return;
    auto word = std::string_view(norm_).substr(start, w - start);
    toks_.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(w),
                     word_id(word, true), src, true});
    norm_.push_back(' ');
    end_segment();
  }

  void add_link(std::string_view url) {
    if (auto scheme = url.find("://"); scheme != std::string_view::npos && scheme < 12) {
      url.remove_prefix(scheme + 3);
    }
    auto host_end = url.find_first_of("/?#");
    auto host = url.substr(0, host_end);
    auto rest = host_end == std::string_view::npos ? std::string_view{} : url.substr(host_end);
    if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    host = host.substr(0, host.find(':'));
    host_.clear();
    append_lower(host_, host);
    std::string_view h = host_;
    if (h.starts_with("www.")) h.remove_prefix(4);
    if (h.starts_with("m.")) h.remove_prefix(2);
    path_.clear();
    append_lower(path_, rest.substr(0, rest.find_first_of("?#")));
    index_.match_host(h, [&](std::uint32_t id) { hit_term(id, index_.term(id).display, 1.0f); });
    index_.match_path(path_,
                      [&](std::uint32_t id) { hit_term(id, index_.term(id).display, 1.0f); });
    if (auto dot = h.rfind('.'); dot != std::string_view::npos) {
      add_piece(h.substr(0, dot), text::Mode::url, Source::link);  // no top-level domain
    }
    add_piece(path_, text::Mode::url, Source::link);
    end_segment();
  }

  void hit_term(std::uint32_t id, std::string_view text, float factor) {
    const auto& t = index_.term(id);
    std::array<float, 3> c{};
    for (std::size_t k = 0; k < 3; ++k) {
      c[k] = t.weight[k] * factor * ((t.sources[k] & lang_bits_) ? kLangBoost : 1.0f);
    }
    add_hit(id, text, c);
  }

  void add_hit(std::uint32_t key, std::string_view text, const std::array<float, 3>& c) {
    for (auto& h : hits_) {
      if (h.key != key) continue;  // the same term twice counts once, at its best
      for (std::size_t k = 0; k < 3; ++k) h.contrib[k] = std::max(h.contrib[k], c[k]);
      return;
    }
    hits_.push_back({key, text, c});
  }

  std::string_view span_text(std::size_t first, std::size_t last) const {
    return std::string_view(norm_).substr(toks_[first].begin, toks_[last].end - toks_[first].begin);
  }

  // Leftmost-longest: a token covered by a matched phrase starts no other match,
  // so "happy birthday" does not also count "birthday".
  void match_tokens() {
    const std::size_t n = toks_.size();
    std::size_t covered = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& tok = toks_[i];
      if (i < covered || tok.word == kSentinel) continue;
      std::uint32_t found = lex::kNone;
      std::size_t len = 0;
      if (tok.word != lex::kNone) {
        for (auto id : index_.starting_with(tok.word)) {
          const auto& t = index_.term(id);
          len = t.words + (t.prefix ? 1u : 0u);
          if (i + len > n || !phrase_at(t, i)) continue;
          found = id;
          break;
        }
      }
      if (found == lex::kNone && tok.is_word) {
        found = index_.stem_of(std::string_view(norm_).substr(tok.begin, tok.end - tok.begin));
        len = 1;
      }
      if (found == lex::kNone) continue;
      hit_term(found, span_text(i, i + len - 1), kSourceFactor[static_cast<int>(tok.source)]);
      covered = i + len;
    }
  }

  bool phrase_at(const lex::Term& t, std::size_t i) const {
    auto ids = index_.word_ids(t);
    for (std::size_t k = 1; k < ids.size(); ++k) {
      if (toks_[i + k].word != ids[k]) return false;
    }
    if (!t.prefix) return true;
    const auto& last = toks_[i + ids.size()];
    if (last.word == kSentinel || !last.is_word) return false;
    return std::string_view(norm_).substr(last.begin, last.end - last.begin).starts_with(t.stem);
  }

  void match_brand_terms(std::span<const std::string> brand_terms) {
    std::string_view hay = norm_;
    for (std::size_t b = 0; b < brand_terms.size(); ++b) {
      std::string_view term = brand_terms[b];
      if (term.empty()) continue;
      for (auto pos = hay.find(term); pos != std::string_view::npos;
           pos = hay.find(term, pos + 1)) {
        if (hay[pos - 1] != ' ' || pos + term.size() >= hay.size() ||
            hay[pos + term.size()] != ' ') {
          continue;  // not on word boundaries
        }
        std::array<float, 3> c{};
        c[kProfessional] = kBrandWeight;
        add_hit(kBrandKey | static_cast<std::uint32_t>(b), hay.substr(pos, term.size()), c);
        break;
      }
    }
  }

  Classification decide(PostKind kind) {
    std::array<float, 3> score{};
    for (const auto& h : hits_) {
      for (std::size_t k = 0; k < 3; ++k) score[k] += h.contrib[k];
    }
    const float evidence = score[0] + score[1] + score[2];
    if (kind == PostKind::reply) score[kPersonal] += kReplyPrior;
    std::size_t best = kTieOrder[0];
    for (auto k : kTieOrder) {
      if (score[k] > score[best]) best = k;
    }
    float second = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      if (k != best) second = std::max(second, score[k]);
    }
    Classification out;
    if (evidence <= 0) {
      // Nothing from the lexicons: business and selling talk is what they cover
      // best, so a post that uses none of it is most often personal chatter.
      out.category = Category::personal;
      out.confidence = kNoEvidenceConfidence;
    } else {
      out.category = static_cast<Category>(best);
      const float top = score[best];
      out.confidence = ((top - second) / top) * (top / (top + 1.0f));
    }
    std::sort(hits_.begin(), hits_.end(), [&](const Hit& a, const Hit& b) {
      if (a.contrib[best] != b.contrib[best]) return a.contrib[best] > b.contrib[best];
      return a.contrib[0] + a.contrib[1] + a.contrib[2] >
             b.contrib[0] + b.contrib[1] + b.contrib[2];
    });
    for (std::size_t i = 0; i < hits_.size() && i < kMaxMatched; ++i)
      views_.push_back(hits_[i].text);
    out.matched = views_;
    if (out.confidence < min_confidence_) out.category = Category::unclassified;
    return out;
  }

  lex::Index index_;
  std::vector<std::string> names_;  // lexicon names, indexed by source bit
  double min_confidence_;
  std::uint32_t lang_bits_ = 0;
  text::Tokenizer tokenizer_;
  std::string norm_;
  std::vector<text::TokenSpan> spans_;
  std::vector<Tok> toks_;
  std::vector<Hit> hits_;
  std::vector<std::string_view> views_;
  std::vector<std::string_view> tags_;
  std::vector<std::string_view> mentions_;
  std::vector<std::string_view> links_;
  std::string host_;
  std::string path_;
};

std::string_view embedded(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedLexiconCount; ++i) {
    if (kEmbeddedLexicons[i].first == name) return kEmbeddedLexicons[i].second;
  }
  return {};
}

std::string shipped_names() {
  std::string out;
  for (std::size_t i = 0; i < kEmbeddedLexiconCount; ++i) {
    if (kEmbeddedLexicons[i].first == "common") continue;
    if (!out.empty()) out += ", ";
    out += kEmbeddedLexicons[i].first;
  }
  return out;
}

}  // namespace

std::span<const std::pair<std::string_view, std::string_view>> shipped_lexicons() {
  return {kEmbeddedLexicons, kEmbeddedLexiconCount};
}

Result<std::unique_ptr<Classifier>> make_lexicon_classifier(const ClassifierOptions& opts) {
  lex::Index index;
  std::vector<std::string> names;
  auto load = [&](std::string_view text, const std::string& origin, std::string name) {
    auto r = index.add(text, origin, static_cast<unsigned>(names.size()));
    names.push_back(std::move(name));
    return r;
  };
  if (auto common = embedded("common"); !common.empty()) {
    if (auto r = load(common, "<shipped common.txt>", "common"); !r) return r.error();
  }
  for (const auto& lang_raw : opts.languages) {
    std::string lang;
    append_lower(lang, lang_raw);
    if (lang == "common" || std::find(names.begin(), names.end(), lang) != names.end()) continue;
    auto text = embedded(lang);
    if (text.empty()) {
      return Error{fmt::format("classifier: no shipped lexicon for language '{}' (shipped: {})",
                               lang_raw, shipped_names())};
    }
    if (auto r = load(text, fmt::format("<shipped {}.txt>", lang), lang); !r) return r.error();
  }
  for (const auto& path : opts.extra_lexicon_files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    if (in) buf << in.rdbuf();
    if (!in || in.bad()) {
      return Error{fmt::format("classifier: cannot read lexicon file '{}'", path)};
    }
    auto stem = path.substr(path.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    if (auto r = load(buf.str(), path, stem); !r) return r.error();
  }
  index.finish();
  return std::unique_ptr<Classifier>(
      std::make_unique<LexiconClassifier>(std::move(index), std::move(names), opts.min_confidence));
}

}  // namespace kilter::pipeline
