// Kilter's learned model: a fastText supervised (softmax) model exported to Kilter's
// own file format and run by Kilter's own code (no fastText at run time).
//
// fastText predicts softmax(B · mean(rows)), where `rows` are the input-matrix rows of a
// post's words, their character n-grams and its word n-grams. The map is linear before
// the softmax, so the file stores, per row, its class contributions B·row (3 floats)
// instead of the dim-vector: the logits are the sum of a post's contributions divided
// by its number of rows. File format: pipeline/classify/README.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pipeline/classify/classifier.h"

namespace kilter::pipeline {

using Scores = std::array<float, 3>;  // personal, professional, promotional

// What a model file holds, before it is indexed for prediction (the trainer builds
// one; Model::load parses one). Contributions are in Category order.
struct ModelData {
  std::int32_t minn = 0;  // character n-gram lengths (UTF-8 chars); maxn 0: none
  std::int32_t maxn = 0;
  std::int32_t word_ngrams = 1;          // longest word n-gram
  std::uint32_t bucket = 1;              // hashed rows shared by character and word n-grams
  float temperature = 1.0f;              // calibration: probabilities = softmax(logits / T)
  std::string info;                      // free text: what the model was trained on
  std::vector<std::string> words;        // the vocabulary (fastText's, "</s>" included)
  std::vector<Scores> word_contrib;      // per word: its row + its n-gram rows, summed
  std::vector<std::uint32_t> word_rows;  // per word: how many rows that sum holds
  std::vector<Scores> bucket_contrib;    // per bucket row
};

// Limits a file must respect (a hostile file cannot make load() allocate more).
inline constexpr std::uint32_t kModelMaxWords = 20'000'000;
inline constexpr std::uint32_t kModelMaxBucket = 50'000'000;
inline constexpr std::uint32_t kModelMaxWordBytes = 65'536;
inline constexpr std::uint32_t kModelMaxInfoBytes = 65'536;
inline constexpr std::int32_t kModelMaxCharNgram = 16;
inline constexpr float kModelMaxContribution = 1e6f;  // |B·row| (real models: < 100)
inline constexpr std::int32_t kModelMaxWordNgrams = 8;
inline constexpr std::uint32_t kModelVersion = 1;

// The serialised file of `data` (magic, version, little-endian sizes, checksum).
std::vector<std::byte> encode_model(const ModelData& data);

// True when fastText would read `token` as one word of a post: not empty, no blank or
// NUL, not its end-of-line word "</s>", not a "__label__" prefix. Other tokens are
// skipped by prediction and by the trainer alike.
bool model_token(std::string_view token);

class Model;

// The character n-gram sums of recently seen unknown words, owned by one caller (not
// shared between threads): a repeated unknown word then costs one lookup instead of
// its n-grams. Results are bit-identical with or without it. Fixed size, allocated once.
class NgramCache {
 public:
  explicit NgramCache(std::size_t slots = 4096);  // rounded up to a power of two

 private:
  friend class Model;
  static constexpr std::size_t kMaxWord = 23;  // longer words are not cached
  struct Entry {
    std::uint32_t hash = 0;
    std::uint32_t rows = 0;
    Scores sum{};
    std::uint8_t len = 0;  // 0: empty
    char word[kMaxWord]{};
  };
  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  std::uint64_t owner_ = 0;  // the uid of the model the entries were computed with
};

// What Model::logits read, word by word, so that a token's share of the logits can be
// computed afterwards, for the tokens that need it (the classifier's explanation), and
// not accumulated for every token during the prediction. share() gives exactly the
// floats logits(tokens, contrib) writes. Buffers grow to the longest post, then stay.
class LogitsTrace {
 public:
  std::size_t words() const { return count_; }  // "</s>" included
  // The token word `w` came from; kNoToken for the end-of-line word.
  std::uint32_t token(std::size_t w) const { return words_[w].tok; }
  static constexpr std::uint32_t kNoToken = 0xFFFFFFFF;
  // Word `w`'s share of the logits: its own rows and 1/k of each word n-gram of k words
  // it is part of, added in the order logits() adds them, divided by the row count.
  Scores share(std::size_t w) const {
    if (n_ != 2) return share_general(w);
    // Bigrams (the usual model): the one ending at w, then the one ending at w+1.
    Scores s{};
    for (int c = 0; c < 3; ++c) s[c] += words_[w].own[c];
    for (std::size_t u = w; u < count_ && u < w + 2; ++u) {
      if (const Scores* row = grams_[u]) {
        for (int c = 0; c < 3; ++c) s[c] += (*row)[c] * 0.5f;
      }
    }
    for (auto& v : s) v *= inv_;
    return s;
  }
  // Each word's weight for class `cls` in an explanation, its share for `cls` minus the
  // mean of its shares for the other two: for word w, out[w] is exactly
  // 1.5f * s[cls] - 0.5f * (s[0] + s[1] + s[2]) with s = share(w). `out` holds words().
  void weights(std::size_t cls, float* out) const;

 private:
  friend class Model;
  Scores share_general(std::size_t w) const;
  struct Word {
    Scores own;
    std::uint32_t tok;
  };
  std::vector<Word> words_;
  // Per word, n-1 entries: the bucket rows of its word n-grams of k = 2..n words ending
  // at it (null when fewer than k words came before).
  std::vector<const Scores*> grams_;
  std::size_t count_ = 0;  // words of the last post (the buffers may hold more)
  std::size_t n_ = 1;      // the model's word_ngrams
  float inv_ = 0;          // 1 / rows, or 0 when the post has no rows
};

class Model {
 public:
  static Result<Model> load(std::span<const std::byte> bytes);
  static Result<Model> load_file(const std::string& path);
  static Result<Model> from_data(ModelData data);  // validated like a file

  // Class scores (before temperature) of the token sequence, fastText's exactly (the
  // end-of-line word "</s>" is added as fastText does). When `contrib` is not empty
  // (size == tokens.size()), each token's share of the logits (its own rows and 1/n of
  // each word n-gram of n words it is part of). Allocates nothing.
  // `cache` (optional) remembers unknown words' n-gram sums between calls.
  Scores logits(std::span<const std::string_view> tokens, std::span<Scores> contrib = {},
                NgramCache* cache = nullptr) const;
  // The same logits, recording in `trace` what each token's share is made of (cheaper
  // than `contrib` when only a few tokens' shares are read). Allocates nothing once the
  // trace has grown to the post's size.
  Scores logits(std::span<const std::string_view> tokens, LogitsTrace& trace,
                NgramCache* cache = nullptr) const;
  Scores probabilities(Scores logits) const;  // softmax(logits / temperature)
  static Scores softmax(Scores logits, float temperature);

  const ModelData& data() const { return data_; }         // words and contributions included
  const std::string& info() const { return data_.info; }  // what it was trained on
  std::size_t file_bytes() const { return file_bytes_; }

 private:
  // A vocabulary table slot: the word's index above 7 bits of its quick_hash (model.cpp,
  // not fastText's), or kEmpty; 4 bytes, so that the table stays small in the cache.
  static constexpr unsigned kTagBits = 7;
  static constexpr std::uint32_t tag_of(std::uint32_t h) { return h >> (32 - kTagBits); }
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  void index();
  template <bool kTrace>
  Scores logits_impl(std::span<const std::string_view> tokens, LogitsTrace* trace,
                     NgramCache* cache) const;
  std::uint32_t find(std::string_view w, std::uint32_t h) const;
  // Adds the character n-gram rows of an unknown word; returns how many.
  std::uint32_t add_char_ngrams(std::string_view w, Scores& acc) const;
  // The same for any word, `at(k)` giving the k-th byte of "<word>" (len bytes):
  // fastText's computeSubwords.
  template <class At>
  std::uint32_t char_ngrams_general(At at, std::size_t len, Scores& acc) const {
    std::uint32_t rows = 0;
    auto cont = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
    for (std::size_t i = 0; i < len; ++i) {
      if (cont(at(i))) continue;
      std::uint32_t h = 2166136261u;
      std::size_t j = i;
      for (std::int32_t n = 1; j < len && n <= data_.maxn; ++n) {
        do {
          h = (h ^ static_cast<std::uint32_t>(static_cast<std::int8_t>(at(j++)))) * 16777619u;
        } while (j < len && cont(at(j)));
        if (n >= data_.minn && !(n == 1 && (i == 0 || j == len))) {
          const auto& r = data_.bucket_contrib[fastmod(h)];
          acc[0] += r[0];
          acc[1] += r[1];
          acc[2] += r[2];
          ++rows;
        }
      }
    }
    return rows;
  }
  // h % bucket without a division (Lemire's fastmod, exact for 32-bit operands).
  std::uint32_t fastmod(std::uint32_t h) const {
    return static_cast<std::uint32_t>(
        (static_cast<unsigned __int128>(fastmod_m_ * h) * data_.bucket) >> 64);
  }

  // A vocabulary word for prediction: one aligned 32-byte record (half a cache line),
  // the word's bytes in it when it is short, so that a lookup costs one line.
  static constexpr std::size_t kInlineBytes = 8;
  struct alignas(32) Word {
    Scores contrib;
    std::uint32_t rows;
    std::uint32_t fthash;  // fastText's hash, for the word n-grams
    std::uint32_t len;
    // The word, zero-padded, when len <= kInlineBytes; else its offset in blob_ (u32).
    char bytes[kInlineBytes];
    const char* data(const std::string& blob) const {
      if (len <= kInlineBytes) return bytes;
      std::uint32_t off;
      std::memcpy(&off, bytes, sizeof off);
      return blob.data() + off;
    }
  };
  static_assert(sizeof(Word) == 32);

  ModelData data_;
  std::vector<Word> words_;
  std::string blob_;
  std::vector<std::uint32_t> table_;  // slots, kEmpty or id << kTagBits | tag_of(hash)
  std::uint32_t mask_ = 0;
  // g % bucket for 64-bit g (the same method with a 128-bit constant).
  std::uint64_t fastmod64(std::uint64_t g) const {
    using u128 = unsigned __int128;
    const u128 low = fastmod_m128_ * g;
    const u128 d = data_.bucket;
    u128 bottom = (static_cast<u128>(static_cast<std::uint64_t>(low)) * d) >> 64;
    u128 top = (low >> 64) * d;
    return static_cast<std::uint64_t>((bottom + top) >> 64);
  }
  std::uint64_t fastmod_m_ = 0;         // ~0 / bucket + 1 (64 bits)
  unsigned __int128 fastmod_m128_ = 0;  // ~0 / bucket + 1 (128 bits)
  std::uint32_t eos_hash_ = 0;
  std::uint32_t eos_id_ = kEmpty;
  std::size_t file_bytes_ = 0;
  std::uint64_t uid_ = 0;  // unique per indexed model (NgramCache ownership)
};

// fastText's word hash (FNV-1a over bytes read as int8_t).
std::uint32_t fasttext_hash(std::string_view s);

// How a feature token reads in an explanation: "__x" -> "[x]", "h:x" -> "[host:x]",
// "p:x" -> "[path:x]", a word as it is. A rewritten token reads as readable_open(t),
// t without its two-byte prefix, then "]"; readable_open() is empty for a word.
inline std::string_view readable_open(std::string_view t) {
  if (t.size() < 2) return {};
  if (t[0] == '_' && t[1] == '_') return "[";
  if (t[1] != ':') return {};
  return t[0] == 'h' ? "[host:" : t[0] == 'p' ? "[path:" : std::string_view{};
}
// The most bytes a readable form adds to its token: "[host:" and "]" for "h:".
inline constexpr std::size_t kMostReadableAdds = 5;
// The readable form of `token` appended to `out`.
void append_readable(std::string_view token, std::string& out);

// The Classifier port over a Model: a trusted category wins; otherwise the post is
// featurized (Featurizer) and predicted; below min_confidence it is unclassified.
// `matched` holds up to 5 tokens that weighed most for the winner, readable
// ("[kind_reply]", "[host:shop.example]").
Result<std::unique_ptr<Classifier>> make_model_classifier(std::shared_ptr<const Model> model,
                                                          const ClassifierOptions& opts);

}  // namespace kilter::pipeline
