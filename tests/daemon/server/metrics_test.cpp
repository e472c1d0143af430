#include "daemon/server/metrics.h"

#include <gtest/gtest.h>

namespace kilter::daemon {
namespace {

TEST(Metrics, EveryEventResultHasASampleAndLagIsPerPartition) {
  pipeline::EngineStats e;
  e.events = {7, 2, 1, 3};
  pipeline::OutboxStats o;
  o.entries = 1;
  pipeline::SinkStats slack;
  slack.name = "slack";
  slack.pending = 1;
  slack.delivered = 4;
  MetricsSnapshot s{e, 5, o, {slack}, {}, {{Partition{65536}, 0, "social.events", 12}}};
  s.ready = true;
  s.http_evicted = 3;
  auto text = render_metrics(s);
  for (const char* sample :
       {"kilter_events_total{result=\"ok\"} 7", "kilter_events_total{result=\"bad\"} 2",
        "kilter_events_total{result=\"late\"} 1", "kilter_events_total{result=\"duplicate\"} 3",
        "kilter_uncommitted_messages 5", "kilter_outbox_entries 1",
        "kilter_outbox_pending{sink=\"slack\"} 1",
        "kilter_alert_deliveries_total{sink=\"slack\",result=\"ok\"} 4", "kilter_ready 1",
        "kilter_consumer_lag_messages{topic=\"social.events\",partition=\"0\"} 12",
        "kilter_source_partitions 1", "kilter_http_connections_closed_total{reason=\"evicted\"} 3",
        "kilter_http_connections_closed_total{reason=\"rejected\"} 0"})
    EXPECT_NE(text.find(std::string("\n") + sample + "\n"), std::string::npos) << sample << "\n"
                                                                               << text;
  EXPECT_NE(text.find("# TYPE kilter_events_total counter"), std::string::npos);
  EXPECT_EQ(text.find("account=\""), std::string::npos) << "no per-account labels";
}

}  // namespace
}  // namespace kilter::daemon
