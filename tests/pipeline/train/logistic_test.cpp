// The logistic-regression solver: its optimum against closed forms, example weights as
// repeats, the L2 term, determinism; through train(): the exported model computes the
// very objective the solver minimised (so the solver saw the features inference sees).
#include "pipeline/train/logistic.h"

#include <cmath>

#include <gtest/gtest.h>

#include "pipeline/classify/features.h"
#include "pipeline/train/labelled.h"
#include "pipeline/train/train.h"

namespace kilter::pipeline {
namespace {

// One example per (feature, label) pair given, each with one feature of value 1.
SparseSet one_feature_set(std::initializer_list<std::pair<std::uint32_t, std::uint8_t>> ex) {
  SparseSet s;
  for (auto [id, label] : ex) {
    s.ids.push_back(id);
    s.values.push_back(1.0f);
    s.offsets.push_back(static_cast<std::uint32_t>(s.ids.size()));
    s.labels.push_back(label);
    s.weights.push_back(1.0f);
  }
  return s;
}

double softmax_of(const std::vector<double>& w, std::size_t row, std::size_t c) {
  double z = 0;
  for (std::size_t k = 0; k < 3; ++k) z += std::exp(w[row * 3 + k]);
  return std::exp(w[row * 3 + c]) / z;
}

std::vector<LabelledPost> dev_posts() {
  LabelledReadOptions ro;
  ro.label = "expected";
  auto r = read_labelled(std::string(KILTER_SOURCE_DIR) + "/tests/data/classifier_dev.ndjson", ro);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->posts : std::vector<LabelledPost>{};
}

// Unregularised, a row seen alone predicts its examples' label frequencies.
TEST(FitLogistic, AnUnpenalisedRowPredictsItsLabelFrequencies) {
  auto s = one_feature_set({{0, 0}, {0, 0}, {0, 1}, {0, 2}, {2, 1}, {2, 1}, {2, 1}, {2, 2}});
  LogisticOptions o;
  o.l2 = 0;
  o.max_iterations = 1000;
  o.tolerance = 1e-10;
  auto f = fit_logistic(s, 4, o);
  ASSERT_EQ(f.weights.size(), 12u);
  EXPECT_NEAR(softmax_of(f.weights, 0, 0), 0.50, 1e-5);
  EXPECT_NEAR(softmax_of(f.weights, 0, 1), 0.25, 1e-5);
  EXPECT_NEAR(softmax_of(f.weights, 2, 1), 0.75, 1e-5);
  EXPECT_NEAR(softmax_of(f.weights, 2, 0), 0.0, 1e-4);  // never seen: pushed towards 0
  // Rows no example uses stay exactly 0.
  for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(f.weights[1 * 3 + c], 0.0);
  for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(f.weights[3 * 3 + c], 0.0);
}

// With the L2 term a row's optimum is shrunk towards uniform, and the classes' weights
// sum to 0 (the loss's gradient sums to 0 over classes; the penalty keeps the sum at 0).
TEST(FitLogistic, ThePenaltyShrinksTowardsUniform) {
  auto s = one_feature_set({{0, 0}, {0, 0}, {0, 0}, {0, 1}});
  LogisticOptions free, penalised;
  free.l2 = 0;
  penalised.l2 = 0.5;
  auto a = fit_logistic(s, 1, free);
  auto b = fit_logistic(s, 1, penalised);
  EXPECT_NEAR(softmax_of(a.weights, 0, 0), 0.75, 1e-4);
  EXPECT_GT(softmax_of(b.weights, 0, 0), 1.0 / 3);
  EXPECT_LT(softmax_of(b.weights, 0, 0), 0.70);
  EXPECT_NEAR(b.weights[0] + b.weights[1] + b.weights[2], 0.0, 1e-9);
  EXPECT_TRUE(b.converged);
}

// An example of weight 2 is the example twice.
TEST(FitLogistic, AWeightIsARepeat) {
  auto twice = one_feature_set({{0, 0}, {0, 0}, {0, 1}, {1, 2}, {1, 0}});
  auto weighted = one_feature_set({{0, 0}, {0, 1}, {1, 2}, {1, 0}});
  weighted.weights[0] = 2.0f;
  LogisticOptions o;
  o.l2 = 0.01;
  auto a = fit_logistic(twice, 2, o);
  auto b = fit_logistic(weighted, 2, o);
  for (std::size_t k = 0; k < 6; ++k) EXPECT_NEAR(a.weights[k], b.weights[k], 1e-6) << k;
}

// Shared features and fractional values: the gradient at the end is ~0, and two fits
// give identical weights.
TEST(FitLogistic, ConvergesAndIsDeterministic) {
  SparseSet s;
  const std::uint32_t ids[][3] = {{0, 1, 5}, {1, 2, 5}, {2, 3, 5}, {3, 4, 5}, {0, 4, 5}, {1, 3, 5}};
  const std::uint8_t labels[] = {0, 1, 2, 0, 1, 2};
  for (std::size_t i = 0; i < 6; ++i) {
    for (auto id : ids[i]) s.ids.push_back(id), s.values.push_back(1.0f / 3);
    s.offsets.push_back(static_cast<std::uint32_t>(s.ids.size()));
    s.labels.push_back(labels[i]);
    s.weights.push_back(1.0f);
  }
  LogisticOptions o;
  o.l2 = 1e-3;
  o.tolerance = 1e-9;
  o.max_iterations = 2000;
  auto a = fit_logistic(s, 6, o);
  auto b = fit_logistic(s, 6, o);
  EXPECT_TRUE(a.converged);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.iterations, b.iterations);
}

TEST(FitLogistic, NoExampleGivesZeroWeights) {
  SparseSet s;
  auto f = fit_logistic(s, 3, {});
  EXPECT_EQ(f.weights, std::vector<double>(9, 0.0));
}

// Through train(): the exported model's mean NLL on its own training posts (T = 1, no
// penalty) is the objective the solver reports. Were the solver's features not the rows
// inference reads (subwords, word n-gram buckets, </s>, the 1/len weights), they differ.
TEST(TrainLogistic, TheExportedModelComputesTheSolversObjective) {
  const auto posts = dev_posts();
  ASSERT_GT(posts.size(), 300u);
  TrainOptions o;
  o.solver = Solver::logistic;
  o.l2 = 0;
  o.iterations = 5;  // the objective need not be the optimum to be comparable
  o.bucket = 20'000;
  std::vector<LabelledPost> cal(posts.begin(), posts.begin() + 50);
  o.calibration = cal;  // one fit, on all posts
  auto trained = train(posts, o);
  ASSERT_TRUE(trained.ok()) << trained.error().message;
  EXPECT_EQ(trained->report.iterations, 5);
  EXPECT_FALSE(trained->report.converged);
  auto model = Model::load(trained->bytes);
  ASSERT_TRUE(model.ok());
  Featurizer f;
  LabelledPost::View v;
  std::vector<std::string_view> toks;
  double nll = 0;
  for (const auto& p : posts) {
    p.view(v);
    toks.clear();
    for (auto t : f.run(v.event, p.brand_terms))
      if (model_token(t)) toks.push_back(t);
    auto prob = Model::softmax(model->logits(toks), 1.0f);
    nll -= std::log(double{prob[static_cast<std::size_t>(p.label)]});
  }
  nll /= static_cast<double>(posts.size());
  EXPECT_NEAR(nll, trained->report.objective, 1e-4 * trained->report.objective);
}

TEST(TrainLogistic, TwoTrainingsGiveIdenticalBytes) {
  const auto posts = dev_posts();
  TrainOptions o;
  o.bucket = 20'000;
  o.iterations = 100;
  auto a = train(posts, o);
  auto b = train(posts, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
}

}  // namespace
}  // namespace kilter::pipeline
