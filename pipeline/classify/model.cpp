// Prediction with a Model: fastText 0.9.2's Dictionary::getLine + Model::predict
// (softmax loss) on precomputed class contributions. What is reproduced, exactly:
// - a known word brings its own row and its character n-gram rows (stored summed);
//   an unknown word brings the character n-grams of "<word>" (minn..maxn UTF-8
//   characters, no 1-gram at either boundary), each row `nwords + hash % bucket`;
//   the end-of-line word "</s>" never has character n-grams;
// - every word (known or not, "</s>" included) takes part in the word n-grams:
//   h = int64(hash(w_i)); h = h * 116049371 + int64(hash(w_j)) ...; row h % bucket;
// - logits = sum of rows / number of rows; probabilities = softmax.
#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pipeline/classify/model.h"

namespace kilter::pipeline {
namespace {

constexpr std::string_view kEos = "</s>";
constexpr std::uint64_t kWordNgramMul = 116049371;

inline std::uint32_t fnv_step(std::uint32_t h, char c) {
  return (h ^ static_cast<std::uint32_t>(static_cast<std::int8_t>(c))) * 16777619u;
}

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) {
  const auto r = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

// The vocabulary table's own hash: a few loads and one 128-bit multiply for a short
// word (fastText's byte-at-a-time FNV is computed only for words that need it).
inline std::uint32_t quick_hash(std::string_view s) {
  constexpr std::uint64_t k1 = 0xa0761d6478bd642full, k2 = 0xe7037ed1a0b428dbull;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = load64(p);
      b = load64(p + n - 8);
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
          (std::uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    std::uint64_t h = k2;
    std::size_t i = 0;
    for (; i + 16 < n; i += 16) h = mum(load64(p + i) ^ k1, load64(p + i + 8) ^ h);
    a = load64(p + n - 16) ^ h;
    b = load64(p + n - 8);
  }
  return static_cast<std::uint32_t>(mum(a ^ k1, b ^ k2 ^ n));
}

// memcmp(a, b, n) == 0 for the short strings of a vocabulary, without a call: 8 bytes
// at a time and the last 8 overlapping, or two overlapping 4-byte loads, or the first,
// middle and last bytes (which are all of them below 4).
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (load64(a + i) != load64(b + i)) return false;
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return ((load32(a) ^ load32(b)) | (load32(a + n - 4) ^ load32(b + n - 4))) == 0;
  if (n == 0) return true;
  return a[0] == b[0] && a[n >> 1] == b[n >> 1] && a[n - 1] == b[n - 1];
}

inline void add(Scores& acc, const Scores& s) {
  acc[0] += s[0];
  acc[1] += s[1];
  acc[2] += s[2];
}

inline std::uint32_t slot_of(std::uint32_t h, std::uint32_t mask) {
  return static_cast<std::uint32_t>((std::uint64_t{h} * 0x9E3779B1u) >> 7) & mask;
}

}  // namespace

std::uint32_t fasttext_hash(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) h = fnv_step(h, c);
  return h;
}

bool model_token(std::string_view t) {
  if (t.empty() || t == kEos || t.starts_with("__label__")) return false;
  for (char c : t) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0')
      return false;
  }
  return true;
}

void Model::index() {
  static std::atomic<std::uint64_t> next_uid{1};
  uid_ = next_uid.fetch_add(1, std::memory_order_relaxed);
  const auto n = static_cast<std::uint32_t>(data_.words.size());
  // The vocabulary flattened for prediction: contributions, row count and the word's
  // bytes side by side (one cache line per probe), the strings in one block.
  words_.clear();
  words_.reserve(n);
  blob_.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& w = data_.words[i];
    Word wd{};
    wd.contrib = data_.word_contrib[i];
    wd.rows = data_.word_rows[i];
    wd.fthash = fasttext_hash(w);
    wd.len = static_cast<std::uint32_t>(w.size());
    if (w.size() <= kInlineBytes) {
      std::memcpy(wd.bytes, w.data(), w.size());
    } else {
      const auto off = static_cast<std::uint32_t>(blob_.size());
      std::memcpy(wd.bytes, &off, sizeof off);
      blob_ += w;
    }
    words_.push_back(wd);
  }
  std::uint32_t size = 16;
  while (size < 2 * std::uint64_t{n}) size <<= 1;
  table_.assign(size, kEmpty);
  mask_ = size - 1;
  static_assert(kModelMaxWords < (std::uint64_t{1} << (32 - kTagBits)) - 1);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& w = data_.words[i];
    auto h = quick_hash(w);
    auto s = slot_of(h, mask_);
    while (table_[s] != kEmpty) {
      if (data_.words[table_[s] >> kTagBits] == w) {
        table_.clear();  // a duplicate word: the caller reports it
        return;
      }
      s = (s + 1) & mask_;
    }
    table_[s] = (i << kTagBits) | tag_of(h);
  }
  fastmod_m_ = ~std::uint64_t{0} / data_.bucket + 1;
  fastmod_m128_ = ~static_cast<unsigned __int128>(0) / data_.bucket + 1;
  eos_hash_ = fasttext_hash(kEos);
  eos_id_ = find(kEos, quick_hash(kEos));
}

std::uint32_t Model::find(std::string_view w, std::uint32_t h) const {
  const std::uint32_t tag = tag_of(h);
  auto s = slot_of(h, mask_);
  while (true) {
    const std::uint32_t slot = table_[s];
    if (slot == kEmpty) return kEmpty;
    if ((slot & ((1u << kTagBits) - 1)) == tag) {
      const std::uint32_t id = slot >> kTagBits;
      const auto& wd = words_[id];
      if (wd.len == w.size() && same_bytes(wd.data(blob_), w.data(), w.size())) return id;
    }
    s = (s + 1) & mask_;
  }
}

std::uint32_t Model::add_char_ngrams(std::string_view w, Scores& acc) const {
  const std::int32_t maxn = data_.maxn, minn = data_.minn;
  if (maxn <= 0) return 0;
  // The bytes of "<" + w + ">": in a stack buffer for the usual word, else read in place.
  char buf[256];
  const std::size_t len = w.size() + 2;
  std::uint32_t rows = 0;
  if (len <= sizeof buf) {
    buf[0] = '<';
    std::memcpy(buf + 1, w.data(), w.size());
    buf[len - 1] = '>';
    bool ascii = true;
    for (char c : w) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii && minn >= 2) {  // one byte per character, no 1-gram: the tight loop
      for (std::size_t i = 0; i + static_cast<std::size_t>(minn) <= len; ++i) {
        std::uint32_t h = 2166136261u;
        const std::size_t end = std::min(len, i + static_cast<std::size_t>(maxn));
        std::size_t j = i;
        for (; j < i + static_cast<std::size_t>(minn) - 1; ++j) h = fnv_step(h, buf[j]);
        for (; j < end; ++j) {
          h = fnv_step(h, buf[j]);
          add(acc, data_.bucket_contrib[fastmod(h)]);
          ++rows;
        }
      }
      return rows;
    }
    return rows + char_ngrams_general([&](std::size_t k) { return buf[k]; }, len, acc);
  }
  return char_ngrams_general(
      [&](std::size_t k) { return k == 0          ? '<'
                                  : k <= w.size() ? w[k - 1]
                                                  : '>'; }, len, acc);
}

NgramCache::NgramCache(std::size_t slots) {
  std::size_t n = 16;
  while (n < slots) n <<= 1;
  entries_.resize(n);
  mask_ = n - 1;
}

Scores LogitsTrace::share_general(std::size_t w) const {
  Scores s{};
  add(s, words_[w].own);
  // The n-grams that hold word w end at words w .. w+n-1; of those ending at u, the
  // ones of k >= u-w+1 words reach back to w. fastText's order: u, then k, ascending.
  const std::size_t g = n_ - 1;
  for (std::size_t u = w; u < count_ && u < w + n_; ++u) {
    for (std::size_t k = std::max<std::size_t>(2, u - w + 1); k <= n_; ++k) {
      const Scores* row = grams_[u * g + (k - 2)];
      if (!row) continue;
      const float part = 1.0f / static_cast<float>(k);
      for (int c = 0; c < 3; ++c) s[c] += (*row)[c] * part;
    }
  }
  for (auto& v : s) v *= inv_;
  return s;
}

void LogitsTrace::weights(std::size_t cls, float* out) const {
  // From a word's shares (the three classes' floats in a row).
  const auto weight = [cls](const float* s) { return 1.5f * s[cls] - 0.5f * (s[0] + s[1] + s[2]); };
#if defined(__SSE2__)
  if (n_ == 2) {
    // share(w)'s floats, the three classes side by side in one register (the same
    // single-precision operations in the same order, lane by lane).
    const __m128 half = _mm_set1_ps(0.5f);
    const __m128 inv = _mm_set1_ps(inv_);
    // Rows are 4-byte aligned only: the first two floats by an unaligned 64-bit load
    // (_mm_load_sd would read a misaligned double, undefined behaviour).
    auto load = [](const Scores& r) {
      return _mm_movelh_ps(
          _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(r.data()))),
          _mm_load_ss(r.data() + 2));
    };
    for (std::size_t w = 0; w < count_; ++w) {
      __m128 s = _mm_add_ps(_mm_setzero_ps(), load(words_[w].own));
      for (std::size_t u = w; u < count_ && u < w + 2; ++u) {
        if (const Scores* row = grams_[u]) s = _mm_add_ps(s, _mm_mul_ps(load(*row), half));
      }
      s = _mm_mul_ps(s, inv);
      alignas(16) float v[4];
      _mm_store_ps(v, s);
      out[w] = weight(v);
    }
    return;
  }
#endif
  for (std::size_t w = 0; w < count_; ++w) {
    out[w] = weight(share(w).data());
  }
}

Scores Model::logits(std::span<const std::string_view> tokens, std::span<Scores> contrib,
                     NgramCache* cache) const {
  if (contrib.empty() || contrib.size() != tokens.size())
    return logits_impl<false>(tokens, nullptr, cache);
  // Each token's share, from a trace (the same floats; a token that is no word: none).
  thread_local LogitsTrace trace;
  const auto l = logits_impl<true>(tokens, &trace, cache);
  std::fill(contrib.begin(), contrib.end(), Scores{});
  for (std::size_t w = 0; w < trace.words(); ++w)
    if (trace.token(w) != LogitsTrace::kNoToken) contrib[trace.token(w)] = trace.share(w);
  return l;
}

Scores Model::logits(std::span<const std::string_view> tokens, LogitsTrace& trace,
                     NgramCache* cache) const {
  return logits_impl<true>(tokens, &trace, cache);
}

template <bool kTrace>
Scores Model::logits_impl(std::span<const std::string_view> tokens, LogitsTrace* trace,
                          NgramCache* cache) const {
  if (cache && cache->owner_ != uid_) {
    std::fill(cache->entries_.begin(), cache->entries_.end(), NgramCache::Entry{});
    cache->owner_ = uid_;
  }
  Scores acc{};
  std::uint64_t rows = 0;
  const auto n = static_cast<std::size_t>(data_.word_ngrams);
  // The trace's buffers hold a word per token and "</s>" (grown, never shrunk: a
  // warmed-up trace does not allocate); written by index.
  std::size_t traced = 0, traced_grams = 0;
  if constexpr (kTrace) {
    const std::size_t most = tokens.size() + 1;
    if (trace->words_.size() < most) trace->words_.resize(most);
    if (trace->grams_.size() < most * (n - 1)) trace->grams_.resize(most * (n - 1));
    trace->n_ = n;
  }
  // The last word hashes.
  std::array<std::uint32_t, kModelMaxWordNgrams> ring_hash{};
  std::size_t seen = 0;
  // One word: `id` its vocabulary index or kEmpty, `h` its fastText hash.
  auto word = [&](std::string_view w, std::uint32_t id, std::uint32_t h, std::uint32_t tok) {
    Scores own{};
    if (id != kEmpty) {
      own = words_[id].contrib;
      rows += words_[id].rows;
    } else if (tok != kEmpty) {  // an unknown word ("</s>" never has n-grams)
      if (cache && w.size() <= NgramCache::kMaxWord) {
        auto& e = cache->entries_[(h ^ (h >> 15)) & cache->mask_];
        if (e.len == w.size() && e.hash == h && same_bytes(e.word, w.data(), w.size())) {
          own = e.sum;
          rows += e.rows;
        } else {
          e.rows = add_char_ngrams(w, own);
          rows += e.rows;
          e.hash = h;
          e.sum = own;
          e.len = static_cast<std::uint8_t>(w.size());
          std::memcpy(e.word, w.data(), w.size());
        }
      } else {
        rows += add_char_ngrams(w, own);
      }
    }
    add(acc, own);
    if constexpr (kTrace) trace->words_[traced++] = {own, tok};
    ring_hash[seen % kModelMaxWordNgrams] = h;
    ++seen;
    // The word n-grams that end here: words seen-k .. seen-1, for k = 2..n.
    for (std::size_t k = 2; k <= n; ++k) {
      if (k > seen) {
        if constexpr (kTrace) trace->grams_[traced_grams++] = nullptr;
        continue;
      }
      std::size_t first = seen - k;
      auto g = static_cast<std::uint64_t>(static_cast<std::int64_t>(
          static_cast<std::int32_t>(ring_hash[first % kModelMaxWordNgrams])));
      for (std::size_t j = first + 1; j < seen; ++j) {
        g = g * kWordNgramMul + static_cast<std::uint64_t>(static_cast<std::int64_t>(
                                    static_cast<std::int32_t>(ring_hash[j % kModelMaxWordNgrams])));
      }
      const auto& row = data_.bucket_contrib[fastmod64(g)];
      add(acc, row);
      ++rows;
      if constexpr (kTrace) trace->grams_[traced_grams++] = &row;
    }
  };
  // The table slot of the next token is fetched while this one is read (its hash is
  // computed one token ahead): the slot's cache miss overlaps this token's work.
  std::uint32_t next_hash = tokens.empty() ? 0 : quick_hash(tokens[0]);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto t = tokens[i];
    const auto tok = static_cast<std::uint32_t>(i);
    const std::uint32_t qh = next_hash;
    if (i + 1 < tokens.size()) {
      next_hash = quick_hash(tokens[i + 1]);
      __builtin_prefetch(&table_[slot_of(next_hash, mask_)]);
    }
    // A vocabulary word is a word fastText reads (no blank, not a label), but "</s>".
    const auto id = find(t, qh);
    if (id != kEmpty) {
      if (id != eos_id_) word(t, id, words_[id].fthash, tok);
      continue;
    }
    // An unknown token: model_token() and fasttext_hash() in one pass.
    std::uint32_t h = 2166136261u;
    bool blank = t.empty();
    for (char c : t) {
      h = fnv_step(h, c);
      blank |=
          static_cast<unsigned char>(c) <= ' ' &&
          (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0');
    }
    if (blank || t == kEos || (t.size() >= 9 && t[0] == '_' && t.starts_with("__label__")))
      continue;
    word(t, kEmpty, h, tok);
  }
  word(kEos, eos_id_, eos_hash_, kEmpty);
  if constexpr (kTrace) {
    trace->count_ = traced;
    trace->inv_ = rows == 0 ? 0.0f : 1.0f / static_cast<float>(rows);
  }
  if (rows == 0) return Scores{};
  const float inv = 1.0f / static_cast<float>(rows);
  for (auto& v : acc) v *= inv;
  return acc;
}

Scores Model::softmax(Scores l, float temperature) {
  Scores p;
  float m = std::max({l[0], l[1], l[2]});
  float sum = 0;
  for (int c = 0; c < 3; ++c) {
    p[c] = std::exp((l[c] - m) / temperature);
    sum += p[c];
  }
  for (auto& v : p) v /= sum;
  return p;
}

Scores Model::probabilities(Scores l) const {
  return softmax(l, data_.temperature);
}

}  // namespace kilter::pipeline
