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
inline constexpr std::int32_t kModelMaxWordNgrams = 8;
inline constexpr std::uint32_t kModelVersion = 1;

// The serialised file of `data` (magic, version, little-endian sizes, checksum).
std::vector<std::byte> encode_model(const ModelData& data);

// True when fastText would read `token` as one word of a post: not empty, no blank or
// NUL, not its end-of-line word "</s>", not a "__label__" prefix. Other tokens are
// skipped by prediction and by the trainer alike.
bool model_token(std::string_view token);

class Model {
 public:
  static Result<Model> load(std::span<const std::byte> bytes);
  static Result<Model> load_file(const std::string& path);
  static Result<Model> from_data(ModelData data);  // validated like a file

  // Class scores (before temperature) of the token sequence, fastText's exactly (the
  // end-of-line word "</s>" is added as fastText does). When `contrib` is not empty
  // (size == tokens.size()), each token's share of the logits (its own rows and 1/n of
  // each word n-gram of n words it is part of). Allocates nothing.
  Scores logits(std::span<const std::string_view> tokens, std::span<Scores> contrib = {}) const;
  Scores probabilities(Scores logits) const;  // softmax(logits / temperature)
  static Scores softmax(Scores logits, float temperature);

  const ModelData& data() const { return data_; }  // words and contributions included
  std::size_t file_bytes() const { return file_bytes_; }

 private:
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t id = kEmpty;
  };
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  void index();
  std::uint32_t find(std::string_view w, std::uint32_t h) const;
  // Adds the character n-gram rows of an unknown word; returns how many.
  std::uint32_t add_char_ngrams(std::string_view w, Scores& acc) const;

  ModelData data_;
  std::vector<Slot> table_;
  std::uint32_t mask_ = 0;
  std::uint32_t eos_hash_ = 0;
  std::uint32_t eos_id_ = kEmpty;
  std::size_t file_bytes_ = 0;
};

// fastText's word hash (FNV-1a over bytes read as int8_t).
std::uint32_t fasttext_hash(std::string_view s);

// How a feature token reads in an explanation, appended to `out`: "__x" -> "[x]",
// "h:x" -> "[host:x]", "p:x" -> "[path:x]", a word as it is.
void append_readable(std::string_view token, std::string& out);

// The Classifier port over a Model: a trusted category wins; otherwise the post is
// featurized (Featurizer) and predicted; below min_confidence it is unclassified.
// `matched` holds up to 5 tokens that weighed most for the winner, readable
// ("[kind_reply]", "[host:shop.example]").
Result<std::unique_ptr<Classifier>> make_model_classifier(std::shared_ptr<const Model> model,
                                                          const ClassifierOptions& opts);

}  // namespace kilter::pipeline
