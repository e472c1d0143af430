#include "daemon/server/metrics.h"

#include <gtest/gtest.h>

#include <array>

namespace kilter::daemon {
namespace {

TEST(TextExposition, WritesFamiliesInOrderWithLabelsAndCumulativeHistogramBuckets) {
  TextExposition out;
  out.counter("kilter_a_total", "A counter.", 3);
  out.family("kilter_b", "A gauge with labels.", metrics::Type::gauge);
  out.sample({{"sink", "slack"}, {"result", "ok"}}, 2);
  out.sample({{"sink", "teams"}, {"result", "ok"}}, 0.5);
  Histogram<2> h{{1, 10}};
  for (double v : {0.5, 5.0, 7.0, 50.0}) h.observe(v);
  out.histogram("kilter_c_seconds", "A histogram.", h);
  EXPECT_EQ(out.text(),
            "# HELP kilter_a_total A counter.\n"
            "# TYPE kilter_a_total counter\n"
            "kilter_a_total 3\n"
            "# HELP kilter_b A gauge with labels.\n"
            "# TYPE kilter_b gauge\n"
            "kilter_b{sink=\"slack\",result=\"ok\"} 2\n"
            "kilter_b{sink=\"teams\",result=\"ok\"} 0.5\n"
            "# HELP kilter_c_seconds A histogram.\n"
            "# TYPE kilter_c_seconds histogram\n"
            "kilter_c_seconds_count 4\n"
            "kilter_c_seconds_sum 62.5\n"
            "kilter_c_seconds_bucket{le=\"1\"} 1\n"
            "kilter_c_seconds_bucket{le=\"10\"} 3\n"
            "kilter_c_seconds_bucket{le=\"+Inf\"} 4\n");
}

TEST(TextExposition, AFamilyWithoutSamplesIsStillDeclared) {
  TextExposition out;
  out.family("kilter_consumer_lag_messages", "Lag.", metrics::Type::gauge);
  EXPECT_NE(out.text().find("# TYPE kilter_consumer_lag_messages gauge"), std::string::npos);
}

}  // namespace
}  // namespace kilter::daemon
