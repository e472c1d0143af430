// The figures of `kilterd classify --eval`, checked against hand-computed values.
#include "pipeline/classify/evaluation.h"

#include <gtest/gtest.h>

#include <string>

namespace kilter::pipeline {
namespace {

constexpr auto P = Category::personal;
constexpr auto R = Category::professional;
constexpr auto M = Category::promotional;
constexpr auto U = Category::unclassified;

TEST(Evaluation, ConfusionMatrixAndFiguresByHand) {
  Evaluation e;
  // label personal: 3 right, 1 professional, 1 unclassified
  for (int i = 0; i < 3; ++i) e.add(P, P, 0.9f, std::nullopt, "p", "t", false);
  e.add(P, R, 0.5f, std::nullopt, "p4", "t", false);
  e.add(P, U, 0.0f, std::nullopt, "p5", "t", false);
  // label professional: 2 right, 1 personal
  e.add(R, R, 0.8f, std::nullopt, "r1", "t", false);
  e.add(R, R, 0.8f, std::nullopt, "r2", "t", false);
  e.add(R, P, 0.6f, std::nullopt, "r3", "t", false);
  auto r = e.report();
  EXPECT_EQ(r.evaluated, 8u);
  EXPECT_EQ(r.correct, 5u);
  EXPECT_DOUBLE_EQ(r.accuracy, 5.0 / 8);
  EXPECT_EQ(r.confusion[0][0], 3u);
  EXPECT_EQ(r.confusion[0][1], 1u);
  EXPECT_EQ(r.confusion[0][2], 0u);
  EXPECT_EQ(r.confusion[0][3], 1u);
  EXPECT_EQ(r.confusion[1][0], 1u);
  EXPECT_EQ(r.confusion[1][1], 2u);
  // personal: predicted 4 (3 + r3), correct 3, support 5
  EXPECT_EQ(r.classes[0].support, 5u);
  EXPECT_EQ(r.classes[0].predicted, 4u);
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 3.0 / 4);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 3.0 / 5);
  EXPECT_DOUBLE_EQ(r.classes[0].f1, 2 * 0.75 * 0.6 / (0.75 + 0.6));
  // professional: predicted 3 (2 + p4), correct 2, support 3
  EXPECT_DOUBLE_EQ(r.classes[1].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.classes[1].recall, 2.0 / 3);
  EXPECT_TRUE(r.groups.empty());
}

TEST(Evaluation, ZeroSupportClassReportsZerosNotNaN) {
  Evaluation e;
  e.add(P, M, 0.7f, std::nullopt, "a", "t", false);  // promotional predicted, never a label
  e.add(P, P, 0.7f, std::nullopt, "b", "t", false);
  auto r = e.report();
  const auto& promo = r.classes[2];
  EXPECT_EQ(promo.support, 0u);
  EXPECT_EQ(promo.predicted, 1u);
  EXPECT_EQ(promo.precision, 0.0);
  EXPECT_EQ(promo.recall, 0.0);
  EXPECT_EQ(promo.f1, 0.0);
  const auto& pro = r.classes[1];  // neither labelled nor predicted
  EXPECT_EQ(pro.support, 0u);
  EXPECT_EQ(pro.precision, 0.0);
  EXPECT_EQ(pro.recall, 0.0);
  EXPECT_EQ(pro.f1, 0.0);
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 0.5);
}

TEST(Evaluation, EmptyEvaluationHasZeroAccuracy) {
  auto r = Evaluation{}.report();
  EXPECT_EQ(r.evaluated, 0u);
  EXPECT_EQ(r.accuracy, 0.0);
  EXPECT_TRUE(r.worst.empty());
}

TEST(Evaluation, GroupsByValueWithNone) {
  Evaluation e;
  e.add(P, P, 0.9f, "fr", "1", "t");
  e.add(P, R, 0.9f, "fr", "2", "t");
  e.add(M, M, 0.9f, "fr", "3", "t");
  e.add(R, R, 0.9f, "en", "4", "t");
  e.add(R, P, 0.9f, std::nullopt, "5", "t");
  auto r = e.report();
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.groups[0].value, "(none)");
  EXPECT_EQ(r.groups[0].count, 1u);
  EXPECT_EQ(r.groups[0].accuracy, 0.0);
  EXPECT_EQ(r.groups[0].support[1], 1u);
  EXPECT_EQ(r.groups[1].value, "en");
  EXPECT_EQ(r.groups[1].count, 1u);
  EXPECT_DOUBLE_EQ(r.groups[1].accuracy, 1.0);
  EXPECT_DOUBLE_EQ(r.groups[1].recall[1], 1.0);
  EXPECT_EQ(r.groups[1].support[0], 0u);
  const auto& fr = r.groups[2];
  EXPECT_EQ(fr.value, "fr");
  EXPECT_EQ(fr.count, 3u);
  EXPECT_EQ(fr.correct, 2u);
  EXPECT_DOUBLE_EQ(fr.accuracy, 2.0 / 3);
  EXPECT_DOUBLE_EQ(fr.recall[0], 0.5);
  EXPECT_DOUBLE_EQ(fr.recall[2], 1.0);
  EXPECT_EQ(fr.support[1], 0u);
  EXPECT_EQ(fr.recall[1], 0.0);
}

TEST(Evaluation, WorstMistakesByConfidenceThenOrderBounded) {
  Evaluation e(3);
  e.add(P, R, 0.2f, std::nullopt, "low", "t", false);
  e.add(P, P, 0.99f, std::nullopt, "right", "t", false);  // correct: never a mistake
  e.add(P, M, 0.8f, std::nullopt, "high-first", "t", false);
  e.add(R, P, 0.5f, std::nullopt, "mid", "t", false);
  e.add(M, P, 0.8f, std::nullopt, "high-second", "t", false);
  e.add(M, U, 0.0f, std::nullopt, "zero", "t", false);
  e.add(M, R, 0.9f, std::nullopt, "top", "t", false);
  auto r = e.report();
  ASSERT_EQ(r.worst.size(), 3u);
  EXPECT_EQ(r.worst[0].id, "top");
  EXPECT_EQ(r.worst[1].id, "high-first");
  EXPECT_EQ(r.worst[2].id, "high-second");
  EXPECT_EQ(r.worst[1].label, P);
  EXPECT_EQ(r.worst[1].predicted, M);
  EXPECT_FLOAT_EQ(r.worst[1].confidence, 0.8f);
}

TEST(Evaluation, MistakeTextIsTheFirst80CharactersUtf8Safe) {
  Evaluation e;
  std::string text;
  for (int i = 0; i < 100; ++i) text += "é";  // 2 bytes each
  e.add(P, R, 0.5f, std::nullopt, "x", text, false);
  auto r = e.report();
  ASSERT_EQ(r.worst.size(), 1u);
  EXPECT_EQ(r.worst[0].text.size(), 160u);
  EXPECT_EQ(utf8_prefix("abc", 80), "abc");
  EXPECT_EQ(utf8_prefix("a🍕b", 2), "a🍕");
}

TEST(Evaluation, CalibrationBinsAndExpectedCalibrationErrorByHand) {
  Evaluation e;
  // Bin 0.9-1.0: 0.95 right, 0.95 right (accuracy 1, mean 0.95); bin 0.5-0.6: 0.5 right,
  // 0.5 wrong (accuracy 0.5, mean 0.5); exactly 1.0 goes in the last bin; unclassified
  // posts are outside the calibration and lower the coverage.
  e.add(P, P, 0.95f, std::nullopt, "a", "");
  e.add(P, P, 1.0f, std::nullopt, "b", "");
  e.add(R, R, 0.5f, std::nullopt, "c", "");
  e.add(R, M, 0.5f, std::nullopt, "d", "");
  e.add(M, U, 0.2f, std::nullopt, "e", "");
  auto r = e.report();
  EXPECT_EQ(r.calibrated, 4u);
  EXPECT_EQ(r.unclassified, 1u);
  EXPECT_DOUBLE_EQ(r.coverage, 0.8);
  EXPECT_DOUBLE_EQ(r.classified_accuracy, 0.75);
  const auto& top = r.calibration[9];
  EXPECT_EQ(top.count, 2u);
  EXPECT_EQ(top.correct, 2u);
  EXPECT_NEAR(top.mean_confidence, 0.975, 1e-6);
  EXPECT_DOUBLE_EQ(top.accuracy, 1.0);
  const auto& mid = r.calibration[5];
  EXPECT_EQ(mid.count, 2u);
  EXPECT_DOUBLE_EQ(mid.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(mid.lo, 0.5);
  EXPECT_DOUBLE_EQ(mid.hi, 0.6);
  // ECE = 2/4 * |1 - 0.975| + 2/4 * |0.5 - 0.5|
  EXPECT_NEAR(r.ece, 0.0125, 1e-6);
  EXPECT_EQ(r.calibration[0].count, 0u);
}

}  // namespace
}  // namespace kilter::pipeline
