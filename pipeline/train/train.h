// Training Kilter's learned model: labelled posts -> the Featurizer's tokens ->
// fastText supervised (softmax loss) -> Kilter's model file (pipeline/classify/model.h),
// with a temperature fitted for calibrated confidences. fastText stays behind this
// seam: its exceptions become Errors here and none of its headers leave the module.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "pipeline/classify/model.h"

namespace kilter::pipeline {

// A labelled post that owns its strings (an Event's views die with the next decode).
struct LabelledPost {
  std::string id;  // the event id; picks the calibration hold-out (stable hash)
  std::string text, lang;
  PostKind kind = PostKind::unknown;
  std::vector<std::string> hashtags, mentions, links;
  std::vector<std::string> brand_terms;  // the account's, normalised (normalize_terms)
  Category label = Category::personal;   // personal, professional or promotional
  // A lexicon term, not a post: trained on, never held out to calibrate, and not counted
  // when train() requires posts of every class.
  bool prior = false;

  // The post as an Event whose views point into this object.
  struct View {
    Event event;
    std::vector<std::string_view> hashtags, mentions, links;
  };
  void view(View& out) const;
  static LabelledPost from(const Event& post, Category label, std::vector<std::string> terms);
};

// How the model's weights are fitted. Both read the same features (fastText's dictionary:
// words, character n-grams, word n-gram buckets) and write the same model file.
enum class Solver {
  logistic,  // multinomial logistic regression, L2, fitted by L-BFGS (convex: one optimum)
  fasttext,  // fastText supervised: SGD over a low-rank factorisation (dim)
};
std::string_view to_string(Solver s);
std::optional<Solver> parse_solver(std::string_view s);

struct TrainOptions {
  Solver solver = Solver::logistic;
  // logistic: λ of the L2 term (mean NLL + λ/2 ||W||²) and the L-BFGS iteration cap.
  double l2 = 1e-8;
  int iterations = 2000;
  // logistic: the weight of a lexicon term (`prior`) in the loss, relative to a post's 1.
  double prior_weight = 0.3;
  // fastText's hyperparameters (supervised, softmax loss, one thread, fixed seed); the
  // dictionary's (word_ngrams, minn, maxn, bucket, min_count) apply to both solvers.
  int epoch = 25;
  double lr = 0.5;
  int dim = 50;
  int word_ngrams = 2;
  int minn = 6;  // character n-grams, in UTF-8 characters; maxn 0: none
  int maxn = 6;
  int bucket = 100'000;  // hashed n-gram rows: the model's size and cache footprint
  int min_count = 1;     // words seen fewer times are left out of the vocabulary
  int seed = 1;
  // Posts to fit the temperature on; empty: a stable fifth of the data is held out.
  std::span<const LabelledPost> calibration;
  std::string temp_dir;          // where fastText's input file goes; empty: the system's
  std::string info;              // free text stored in the model (what it was trained on)
  const Clock* clock = nullptr;  // for the report's timings; none: no timings
};

struct TrainCallbacks {
  std::function<void(std::string_view)> progress;  // one line per step
};

struct TrainReport {
  std::array<std::size_t, 3> examples{};  // per class, Category order
  std::size_t vocabulary = 0;
  double seconds = 0;         // 0 without a clock
  double train_accuracy = 0;  // of the final model on its training data
  std::size_t calibration_posts = 0;
  bool calibration_held_out = false;     // fitted on a held-out fifth, not a given set
  double nll_before = 0, nll_after = 0;  // calibration NLL at T = 1 and at T
  float temperature = 1;
  std::size_t model_bytes = 0;
  // logistic: the final fit's L-BFGS iterations, objective (weighted mean NLL + L2 term
  // at T = 1), and whether it converged before the iteration cap.
  int iterations = 0;
  double objective = 0;
  bool converged = false;
};

struct TrainedModel {
  TrainReport report;
  std::vector<std::byte> bytes;  // the model file
};

Result<TrainedModel> train(std::span<const LabelledPost> posts, const TrainOptions& opts,
                           const TrainCallbacks& callbacks = {});

// The lines of fastText's input file train() writes for `posts` (without their "\n"):
// "__label__CLASS tok tok ...", the Featurizer's tokens that model_token() accepts, in
// the training order (a stable hash of the post ids: fastText does not shuffle).
std::vector<std::string> fasttext_lines(std::span<const LabelledPost> posts);

// The temperature in [0.05, 20] that minimises the mean negative log-likelihood of
// `labels` under softmax(logits / T), and that NLL (golden-section search over 1/T,
// where the NLL is convex).
struct Calibration {
  float temperature = 1;
  double nll_before = 0, nll_after = 0;
};
Calibration fit_temperature(std::span<const Scores> logits, std::span<const Category> labels);

}  // namespace kilter::pipeline
