#include "daemon/daemon_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

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
  MetricsSnapshot s{e, {5, {}}, o, {slack}, {}, {{{Partition{65536}, 0, "social.events", 12}}}};
  s.daemon.ready = true;
  s.http.evicted_connections = 3;
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

// Every figure of every component reaches its sample: each stats field set to a
// distinct value, the exposition compared family by family (order of families
// aside) with tests/data/metrics/every_field.prom. A metric added on purpose
// goes into that file too, with the value these figures give it.
TEST(Metrics, EveryFieldReachesItsFamily) {
  pipeline::EngineStats e;
  double v = 1;
  auto next = [&v] { return static_cast<std::uint64_t>(v++); };
  for (auto& x : e.events) x = next();
  for (auto& x : e.bad) x = next();
  for (auto& x : e.posts) x = next();
  e.unattributed_engagement = next();
  e.alerts_firing = next();
  e.alerts_resolved = next();
  e.alerts_muted = next();
  e.alerts_inhibited = next();
  e.alerts_unrouted = next();
  e.idle_evaluations = next();
  e.evaluations = e.idle_evaluations + next();
  e.account_evaluations = next();
  e.seen_ids_evicted = next();
  e.post_cache_misses = next();
  e.commits = next();
  e.commits_deferred = next();
  e.batches_discarded = next();
  e.messages_discarded = next();
  for (double x : {0.5, 5.0, 50.0, 5e6}) e.batch_messages.observe(x);
  for (double x : {0.0001, 0.003, 3.0}) e.commit_seconds.observe(x);
  for (double x : {0.004, 0.12, 0.25, 20.0}) e.alert_latency_seconds.observe(x);
  pipeline::OutboxStats o{next(), next(), true, next(), next(), 0};
  // skipped: values of their own, so that the other figures keep theirs.
  pipeline::SinkStats a{"slack", next(), next(), next(), next(), next(), 1000};
  pipeline::SinkStats b{"webhook", next(), next(), next(), next(), next(), 1001};
  storage::StoreStats st{next(), next(), next(), next(), next(), next(),
                         true,   next(), next(), next(), true};
  auto uncommitted = next();
  MetricsSnapshot s{e,
                    {uncommitted, {}},
                    o,
                    {a, b},
                    st,
                    {{{Partition{65536}, 0, "social.events", 12},
                      {Partition{65537}, 1, "social.events", -1},
                      {Partition{65538}, 2, "social.events", 0}}}};
  s.producer = {next(), next()};
  s.http.requests = next();
  s.http.evicted_connections = next();
  s.http.rejected_connections = next();
  s.daemon.ready = true;
  s.source.connected = false;
  s.source.dead_letters = {next(), next(), next(), next()};
  s.engine_now.alert_states = {next(), next()};
  s.daemon.reloads = next();
  s.daemon.reload_failures = next();
  s.daemon.last_reload_ok = false;
  s.daemon.last_reload_success = TimePoint{} + Millis{1'764'000'000'123};
  s.outbox.unreadable = next();
  e.changelog_records = next();
  e.changelog_bytes = next();
  e.changelog_snapshots = next();
  e.changelog_snapshots_refused = next();
  e.changelog_send_failures = next();
  e.restores_partial = next();
  e.restores_full = next();
  e.restores_failed = next();
  e.standby_updates = next();
  e.standby_failures = next();
  s.engine_now.warming = next();
  s.engine_now.restore_records = next();
  s.engine_now.restore_bytes = next();
  s.engine_now.restore_retries = next();
  e.digests = next();
  auto families = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
      auto end = text.find("\n# HELP ", at);
      end = end == std::string::npos ? text.size() : end + 1;
      out.push_back(text.substr(at, end - at));
      at = end;
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto text = render_metrics(s);
  std::ifstream in(std::string(KILTER_TEST_DATA) + "/metrics/every_field.prom");
  ASSERT_TRUE(in) << "tests/data/metrics/every_field.prom";
  std::string golden((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(families(text), families(golden)) << text;
}

}  // namespace
}  // namespace kilter::daemon
