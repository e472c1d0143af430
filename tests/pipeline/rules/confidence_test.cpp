// The inverse normal against known quantiles, and the Wilson score interval
// against worked examples and its edge cases.
#include "pipeline/rules/confidence.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kilter::pipeline {
namespace {

TEST(InverseNormal, KnownQuantiles) {
  // Reference values: Python's statistics.NormalDist().inv_cdf (Wichura AS241).
  const std::pair<double, double> known[] = {
      {0.5, 0.0},
      {0.6, 0.2533471031357998},
      {0.9, 1.2815515655446008},
      {0.95, 1.6448536269514715},
      {0.975, 1.9599639845400536},
      {0.995, 2.5758293035489},
      {0.999, 3.090232306167813},
      {0.01, -2.3263478740408408},
      {0.02425, -1.9729610513118845},  // where the tail form takes over
      {1e-10, -6.361340902404056},
  };
  for (const auto& [p, x] : known) EXPECT_NEAR(inverse_normal(p), x, 1e-12) << p;
}

TEST(InverseNormal, IsOddAroundOneHalfAndUndefinedOutsideTheOpenInterval) {
  for (double p : {1e-6, 0.01, 0.2, 0.4999})
    EXPECT_NEAR(inverse_normal(p), -inverse_normal(1 - p), 1e-9) << p;
  EXPECT_TRUE(std::isnan(inverse_normal(0)));
  EXPECT_TRUE(std::isnan(inverse_normal(1)));
  EXPECT_TRUE(std::isnan(inverse_normal(-0.5)));
  EXPECT_TRUE(std::isnan(inverse_normal(std::nan(""))));
}

TEST(Wilson, WorkedExamples) {
  // 2 of 10 at 90%: [0.0686, 0.4592]; 40 of 100: [0.3231, 0.4822].
  auto i = wilson_interval(2, 10, 0.9);
  EXPECT_NEAR(i.lower, 0.06855798773753208, 1e-12);
  EXPECT_NEAR(i.upper, 0.459207194312512, 1e-12);
  i = wilson_interval(40, 100, 0.9);
  EXPECT_NEAR(i.lower, 0.32307805059096656, 1e-12);
  EXPECT_NEAR(i.upper, 0.4821904935656684, 1e-12);
  // The textbook one: 1 of 10 at 95%, [0.0179, 0.4042].
  i = wilson_interval(1, 10, 0.95);
  EXPECT_NEAR(i.lower, 0.017876213095072896, 1e-12);
  EXPECT_NEAR(i.upper, 0.40415002679523837, 1e-12);
}

TEST(Wilson, EdgeCases) {
  // Nothing counted: nothing known.
  auto i = wilson_interval(0, 0, 0.9);
  EXPECT_EQ(i.lower, 0.0);
  EXPECT_EQ(i.upper, 1.0);
  // None of n: the lower bound is exactly 0; all of n: the upper exactly 1.
  i = wilson_interval(0, 10, 0.9);
  EXPECT_EQ(i.lower, 0.0);
  EXPECT_NEAR(i.upper, 0.21294197008340685, 1e-12);
  i = wilson_interval(10, 10, 0.9);
  EXPECT_NEAR(i.lower, 0.787058029916593, 1e-12);
  EXPECT_EQ(i.upper, 1.0);
  // A higher confidence widens the interval; more posts narrow it.
  EXPECT_LT(wilson_interval(5, 20, 0.99).lower, wilson_interval(5, 20, 0.8).lower);
  EXPECT_GT(wilson_interval(50, 200, 0.9).lower, wilson_interval(5, 20, 0.9).lower);
}

}  // namespace
}  // namespace kilter::pipeline
