// SIGTERM while a sink keeps failing: the daemon does not wait out the
// outbox's drain timeout for a sink that has already failed (systemd would
// SIGKILL it after TimeoutStopSec); what the sink is owed stays in the outbox,
// durable, and is owed again after the next start.
#include <signal.h>

#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

TEST_F(KafkaTest, SigtermDoesNotWaitForAFailingSink) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto w = make_workload(3000, 50, 0, 10, now);
  produce(w);
  // Nothing listens on port 9: every delivery is refused. A drain timeout of
  // ten minutes is what a stop used to wait with such a sink.
  auto dir = daemon_dir("d", "outbox: {drain_timeout: 10m, retry_initial: 1s}\n");
  auto yaml = read_file(dir / "kilter.yaml");
  const std::string file_sink = "sinks: [{type: file, path: alerts.ndjson}]";
  yaml.replace(yaml.find(file_sink), file_sink.size(),
               "sinks: [{type: webhook, url: \"http://127.0.0.1:9/hook\"}]");
  write_file(dir / "kilter.yaml", yaml);
  Daemon d(dir);
  d.start();
  const std::string pending = "kilter_outbox_pending{sink=\"webhook\"}";
  double owed = 0;
  ASSERT_TRUE(eventually([&] {
                if (!d.alive() || !caught_up(d)) return !d.alive();
                auto m = d.metrics();
                owed = metric(m, pending).value_or(0);
                return owed > 0 &&
                       metric(m,
                              "kilter_alert_deliveries_total{sink=\"webhook\",result=\"failed\"}")
                               .value_or(0) > 0;
              }) &&
              d.alive())
      << d.log();
  d.kill_keep(SIGTERM);
  ASSERT_TRUE(eventually([&] { return !d.alive(); }, std::chrono::seconds(60)))
      << "SIGTERM waited for a sink that fails\n"
      << d.log();
  EXPECT_EQ(d.stop().code, 0) << d.log();
  EXPECT_NE(d.log().find("not delivered to every sink"), std::string::npos) << d.log();

  // What was owed is still owed after a restart.
  d.start();
  ASSERT_TRUE(eventually([&] { return metric(d.metrics(), pending).value_or(0) >= owed; }))
      << d.log();
  d.kill_keep(SIGTERM);
  ASSERT_TRUE(eventually([&] { return !d.alive(); }, std::chrono::seconds(60))) << d.log();
}

}  // namespace
}  // namespace kilter::testing
