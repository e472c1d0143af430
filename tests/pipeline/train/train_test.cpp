// The trainer against libfasttext itself: Kilter's exported model predicts what
// fastText predicts on the same token lines; training is reproducible; calibration
// lowers the held-out NLL; bad input is an Error.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fasttext/fasttext.h>
#include <gtest/gtest.h>

#include "common/hash.h"
#include "pipeline/classify/features.h"
#include "pipeline/train/fasttext_args.h"
#include "pipeline/train/labelled.h"
#include "pipeline/train/train.h"

namespace kilter::pipeline {
namespace {

const std::string kDev = std::string(KILTER_SOURCE_DIR) + "/tests/data/classifier_dev.ndjson";

std::vector<LabelledPost> dev_posts() {
  LabelledReadOptions o;
  o.label = "expected";
  auto r = read_labelled(kDev, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->posts : std::vector<LabelledPost>{};
}

// Small, quick fastText options (the equivalence holds for any).
TrainOptions quick() {
  TrainOptions o;
  o.solver = Solver::fasttext;
  o.epoch = 30;
  o.lr = 1.0;
  o.dim = 20;
  o.bucket = 20'000;
  return o;
}

// The featurized token line of each post, as the trainer writes it.
std::vector<std::string> lines_of(std::span<const LabelledPost> posts) {
  Featurizer f;
  LabelledPost::View v;
  std::vector<std::string> out;
  for (const auto& p : posts) {
    p.view(v);
    std::string line;
    for (auto t : f.run(v.event, p.brand_terms)) {
      if (!model_token(t)) continue;
      if (!line.empty()) line.push_back(' ');
      line.append(t);
    }
    out.push_back(line);
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto j = std::min(s.find(' ', i), s.size());
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "kilter-train-test-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path operator/(const std::string& s) const { return path_ / s; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Trains with `opts`, then compares Kilter's probabilities (T = 1) with libfasttext's
// predictLine on every post and on extra lines.
void expect_equivalent(const TrainOptions& opts) {
  auto posts = dev_posts();
  ASSERT_GT(posts.size(), 300u);
  auto trained = train(posts, opts);
  ASSERT_TRUE(trained.ok()) << trained.error().message;
  auto model = Model::load(trained->bytes);
  ASSERT_TRUE(model.ok()) << model.error().message;

  // fastText trained on the same file with the same arguments (one thread, fixed
  // seed) is the very model the trainer exported.
  TempDir dir;
  auto lines = lines_of(posts);
  {
    std::ofstream f(dir / "train.txt");
    for (const auto& l : fasttext_lines(posts)) f << l << '\n';
  }
  const auto a = fasttext_args(opts, (dir / "train.txt").string());
  fasttext::FastText ft;
  ft.train(a);

  // Every post, plus lines of unknown and accented words, emoji, one token, none.
  std::vector<std::string> probes = lines;
  for (std::string extra :
       {"zzqxunknownword", "crème brûlée à volonté", "🎉🎉 🚀 ❤️", "merci", "__price", "",
        "soldes d'hiver -20% code promo", "l'équipe été naïve Ça", "qwerty asdf zxcv uiop", "🤖",
        "a b c d e f g h i j k l m n o p", "ü", "long-unknown-token-with-many-characters"}) {
    probes.push_back(extra);
  }
  std::size_t compared = 0;
  double worst = 0;
  for (const auto& line : probes) {
    auto toks = split(line);
    auto p = Model::softmax(model->logits(toks), 1.0f);
    std::istringstream in(line + "\n");
    std::vector<std::pair<fasttext::real, std::string>> pred;
    ft.predictLine(in, pred, -1, 0.0);
    if (pred.empty()) {  // fastText predicts nothing for a line without any row
      EXPECT_FLOAT_EQ(p[0], 1.0f / 3) << line;
      continue;
    }
    ASSERT_EQ(pred.size(), 3u) << line;
    for (const auto& [prob, label] : pred) {
      auto c = parse_category(std::string_view(label).substr(9));
      ASSERT_TRUE(c) << label;
      // predictLine gives exp(log(p + 1e-5)).
      double ours = p[static_cast<std::size_t>(*c) - 0];
      double diff = std::abs(ours - (double{prob} - 1e-5));
      worst = std::max(worst, diff);
      EXPECT_LT(diff, 1e-4) << "\"" << line << "\" " << label;
    }
    ++compared;
  }
  EXPECT_EQ(compared, probes.size()) << "every probe has rows (</s> is in the vocabulary)";
  EXPECT_LT(worst, 1e-4);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", worst);
  ::testing::Test::RecordProperty("worst_abs_difference", buf);
}

TEST(TrainEquivalence, KilterPredictsWhatLibfasttextPredicts) {
  expect_equivalent(quick());
}

// 1-grams (and their boundary rule), word trigrams.
TEST(TrainEquivalence, WithCharacterUnigramsAndWordTrigrams) {
  auto o = quick();
  o.minn = 1;
  o.maxn = 3;
  o.word_ngrams = 3;
  o.bucket = 7'919;
  expect_equivalent(o);
}

// No character n-grams, no word n-grams: words only.
TEST(TrainEquivalence, WithWordsOnly) {
  auto o = quick();
  o.minn = 0;
  o.maxn = 0;
  o.word_ngrams = 1;
  o.min_count = 2;  // some words of the posts are then unknown, and bring no row
  expect_equivalent(o);
}

TEST(TrainReproducibility, TwoTrainingsGiveIdenticalBytes) {
  auto posts = dev_posts();
  auto a = train(posts, quick());
  auto b = train(posts, quick());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_GT(a->bytes.size(), 20'000u * 12);
}

TEST(TrainCalibration, TheTemperatureLowersTheNllOfAHeldOutPart) {
  // Three parts: to train on, to fit the temperature on, and one neither saw.
  auto posts = dev_posts();
  std::vector<LabelledPost> fit, cal, held;
  for (auto& p : posts) {
    auto k = hash64(p.id, 7) % 4;
    (k < 2 ? fit : k == 2 ? cal : held).push_back(p);
  }
  auto opts = quick();
  opts.calibration = cal;
  auto r = train(fit, opts);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& rep = r->report;
  EXPECT_EQ(rep.calibration_posts, cal.size());
  EXPECT_FALSE(rep.calibration_held_out);
  EXPECT_LT(rep.nll_after, rep.nll_before);
  EXPECT_NE(rep.temperature, 1.0f);
  auto m = Model::load(r->bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_FLOAT_EQ(m->data().temperature, rep.temperature);
  double before = 0, after = 0;
  auto lines = lines_of(held);
  for (std::size_t i = 0; i < held.size(); ++i) {
    auto l = m->logits(split(lines[i]));
    auto c = static_cast<std::size_t>(held[i].label);
    before -= std::log(Model::softmax(l, 1.0f)[c]);
    after -= std::log(m->probabilities(l)[c]);
  }
  EXPECT_LT(after, before) << "held-out NLL " << before / static_cast<double>(held.size()) << " -> "
                           << after / static_cast<double>(held.size());
}

TEST(TrainCalibration, WithoutACalibrationSetAFifthIsHeldOut) {
  auto posts = dev_posts();
  auto r = train(posts, quick());
  ASSERT_TRUE(r.ok());
  const auto& rep = r->report;
  EXPECT_TRUE(rep.calibration_held_out);
  EXPECT_GT(rep.calibration_posts, posts.size() / 10);
  EXPECT_LT(rep.calibration_posts, posts.size() / 3);
  EXPECT_LE(rep.nll_after, rep.nll_before);
  EXPECT_EQ(rep.examples[0] + rep.examples[1] + rep.examples[2], posts.size());
  EXPECT_GT(rep.train_accuracy, 0.9);
  EXPECT_EQ(rep.model_bytes, r->bytes.size());
}

TEST(FitTemperature, SharpensUnderConfidentAndSoftensOverConfidentScores) {
  // Right 90% of the time with logits that say 99.99%: T > 1.
  std::vector<Scores> logits;
  std::vector<Category> labels;
  for (int i = 0; i < 100; ++i) {
    logits.push_back({10, 0, 0});
    labels.push_back(i < 90 ? Category::personal : Category::professional);
  }
  auto c = fit_temperature(logits, labels);
  EXPECT_GT(c.temperature, 1.5f);
  EXPECT_LT(c.nll_after, c.nll_before);
  // Always right with timid logits: T < 1.
  for (auto& l : labels) l = Category::personal;
  for (auto& l : logits) l = {0.5f, 0, 0};
  c = fit_temperature(logits, labels);
  EXPECT_LT(c.temperature, 0.5f);
  EXPECT_GE(c.temperature, 0.05f);
}

TEST(TrainErrors, NoPostsIsAnError) {
  auto r = train({}, quick());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no labelled post"), std::string::npos);
}

TEST(TrainErrors, AClassWithoutExamplesIsAnError) {
  auto posts = dev_posts();
  std::erase_if(posts, [](const LabelledPost& p) { return p.label == Category::promotional; });
  auto r = train(posts, quick());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no promotional example"), std::string::npos)
      << r.error().message;
}

TEST(TrainErrors, LexiconTermsDoNotStandInForPosts) {
  auto posts = dev_posts();
  std::erase_if(posts, [](const LabelledPost& p) { return p.label == Category::promotional; });
  LabelledPost term;
  term.id = "lexicon-en-1";
  term.text = "shop now";
  term.label = Category::promotional;
  term.prior = true;
  posts.push_back(term);
  auto r = train(posts, quick());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no promotional example"), std::string::npos)
      << r.error().message;
  auto only_terms = train(std::vector<LabelledPost>{term}, quick());
  ASSERT_FALSE(only_terms.ok());
  EXPECT_NE(only_terms.error().message.find("no labelled post"), std::string::npos);
}

TEST(TrainErrors, AnUnwritableTempDirIsAnError) {
  auto posts = dev_posts();
  auto opts = quick();
  opts.temp_dir = "/nonexistent/kilter";
  auto r = train(posts, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("temporary directory"), std::string::npos) << r.error().message;
}

TEST(TrainErrors, BadOptionsAreErrors) {
  auto posts = dev_posts();
  for (auto bad :
       {+[](TrainOptions& o) { o.epoch = 0; }, +[](TrainOptions& o) { o.minn = o.maxn + 1; },
        +[](TrainOptions& o) { o.bucket = 0; }, +[](TrainOptions& o) { o.dim = 0; },
        +[](TrainOptions& o) { o.word_ngrams = 9; }, +[](TrainOptions& o) { o.l2 = -1; },
        +[](TrainOptions& o) { o.iterations = 0; }, +[](TrainOptions& o) { o.prior_weight = 2; }}) {
    auto o = quick();
    bad(o);
    EXPECT_FALSE(train(posts, o).ok());
  }
}

TEST(ReadLabelled, AnEmptyFileGivesNoPostAndTrainingRefusesIt) {
  TempDir dir;
  std::ofstream(dir / "empty.ndjson").flush();
  auto r = read_labelled((dir / "empty.ndjson").string(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->posts.empty());
  EXPECT_FALSE(train(r->posts, quick()).ok());
}

TEST(ReadLabelled, SkippedLinesAreReportedWithTheirNumbers) {
  TempDir dir;
  std::ofstream(dir / "d.ndjson")
      << R"({"type":"post","id":"a","account":"x","ts":"2026-01-01T00:00:00Z","post_id":"p","text":"hi","category":"personal"})"
      << "\nnot json\n"
      << R"({"type":"post","id":"b","account":"x","ts":"2026-01-01T00:00:00Z","post_id":"q","text":"hi"})"
      << "\n"
      << R"({"type":"post","id":"c","account":"x","ts":"2026-01-01T00:00:00Z","post_id":"r","text":"yo","expected":"promotional"})"
      << "\n";
  LabelledReadOptions o;
  o.brand_terms = [](std::string_view) { return std::vector<std::string>{"acme"}; };
  auto r = read_labelled((dir / "d.ndjson").string(), o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->posts.size(), 2u);
  EXPECT_EQ(r->posts[1].label, Category::promotional);
  EXPECT_EQ(r->posts[0].brand_terms, std::vector<std::string>{"acme"});
  ASSERT_EQ(r->skipped.size(), 2u);
  EXPECT_EQ(r->skipped[0].rfind("line 2: skipped: bad input", 0), 0u) << r->skipped[0];
  EXPECT_EQ(r->skipped[1].rfind("line 3: skipped: no label", 0), 0u) << r->skipped[1];
  EXPECT_FALSE(read_labelled((dir / "missing.ndjson").string(), {}).ok());
  EXPECT_FALSE(read_labelled(dir.path().string(), {}).ok());
}

}  // namespace
}  // namespace kilter::pipeline
