#include "daemon/server/metrics.h"

#include <limits>
#include <sstream>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace kilter::daemon {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

class Families {
 public:
  MetricFamily& family(std::string name, std::string help, MetricType type) {
    out_.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    return out_.back();
  }
  void counter(std::string name, std::string help, double v) {
    add(family(std::move(name), std::move(help), MetricType::Counter), {}, v);
  }
  void gauge(std::string name, std::string help, double v) {
    add(family(std::move(name), std::move(help), MetricType::Gauge), {}, v);
  }
  static void add(MetricFamily& f, std::vector<ClientMetric::Label> labels, double v) {
    ClientMetric m;
    m.label = std::move(labels);
    if (f.type == MetricType::Counter) {
      m.counter.value = v;
    } else {
      m.gauge.value = v;
    }
    f.metric.push_back(std::move(m));
  }
  template <std::size_t N>
  void histogram(std::string name, std::string help, const Histogram<N>& h) {
    auto& f = family(std::move(name), std::move(help), MetricType::Histogram);
    ClientMetric m;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < N; ++i) {
      cumulative += h.counts()[i];
      m.histogram.bucket.push_back({cumulative, h.bounds()[i]});
    }
    cumulative += h.counts()[N];
    m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = h.sum();
    f.metric.push_back(std::move(m));
  }
  const std::vector<MetricFamily>& all() const { return out_; }

 private:
  std::vector<MetricFamily> out_;
};

}  // namespace

std::string render_metrics(const MetricsSnapshot& s) {
  Families f;
  const auto& e = s.engine;
  auto& events =
      f.family("kilter_events_total",
               "Messages taken from the source, each counted once by result.", MetricType::Counter);
  for (std::size_t r = 0; r < pipeline::kEventResults; ++r)
    Families::add(events,
                  {{"result", std::string(to_string(static_cast<pipeline::EventResult>(r)))}},
                  static_cast<double>(e.events[r]));
  auto& bad =
      f.family("kilter_bad_events_total", "Bad input messages by reason.", MetricType::Counter);
  for (std::size_t r = 0; r < pipeline::kBadInputReasons; ++r)
    Families::add(bad, {{"reason", std::string(to_string(static_cast<pipeline::BadInput>(r)))}},
                  static_cast<double>(e.bad[r]));
  auto& posts = f.family("kilter_posts_total", "Accepted posts by category.", MetricType::Counter);
  for (std::size_t c = 0; c < kCategories; ++c)
    Families::add(posts, {{"category", std::string(to_string(static_cast<Category>(c)))}},
                  static_cast<double>(e.posts[c]));
  f.counter("kilter_unattributed_engagement_total",
            "Engagement events naming a post not seen (kept as unattributed).",
            static_cast<double>(e.unattributed_engagement));
  auto& alerts = f.family("kilter_alert_transitions_total",
                          "Alert notifications emitted, by status.", MetricType::Counter);
  Families::add(alerts, {{"status", "firing"}}, static_cast<double>(e.alerts_firing));
  Families::add(alerts, {{"status", "resolved"}}, static_cast<double>(e.alerts_resolved));
  auto& evals = f.family("kilter_evaluations_total",
                         "Rule evaluations of a partition at a bucket boundary, by trigger.",
                         MetricType::Counter);
  Families::add(evals, {{"trigger", "watermark"}},
                static_cast<double>(e.evaluations - e.idle_evaluations));
  Families::add(evals, {{"trigger", "wall_clock"}}, static_cast<double>(e.idle_evaluations));
  f.counter("kilter_account_evaluations_total",
            "Accounts evaluated at a boundary (those whose figures could have changed).",
            static_cast<double>(e.account_evaluations));
  f.counter("kilter_dedupe_evicted_total",
            "Event ids forgotten before the watermark passed them (pipeline.dedupe_max_ids).",
            static_cast<double>(e.seen_ids_evicted));
  f.counter("kilter_post_cache_misses_total",
            "Engagement whose post was not among the cached recent posts (read from the store).",
            static_cast<double>(e.post_cache_misses));
  f.counter("kilter_commits_total", "State batches written.", static_cast<double>(e.commits));
  f.counter("kilter_commits_deferred_total",
            "Commits put off because the source refused the positions.",
            static_cast<double>(e.commits_deferred));
  f.counter("kilter_discarded_messages_total",
            "Uncommitted messages given up on a revocation (read again by the next owner).",
            static_cast<double>(e.messages_discarded));
  f.gauge("kilter_uncommitted_messages", "Messages taken but not yet committed.",
          static_cast<double>(s.uncommitted));
  f.counter("kilter_state_written_bytes_total", "Bytes of state batches written to RocksDB.",
            static_cast<double>(s.store.committed_bytes));
  f.gauge("kilter_outbox_entries", "Alert records not yet taken by every sink they are routed to.",
          static_cast<double>(s.outbox.entries));
  f.gauge("kilter_outbox_full",
          "1 while the outbox is at outbox.max_entries (no new messages are taken).",
          s.outbox.full ? 1 : 0);
  auto& pending =
      f.family("kilter_outbox_pending", "Alert records a sink still owes.", MetricType::Gauge);
  auto& deliveries = f.family("kilter_alert_deliveries_total",
                              "Alert records confirmed by a sink, given up on (the receiver "
                              "refused them), and failed attempts (retried).",
                              MetricType::Counter);
  auto& reminders =
      f.family("kilter_alert_reminders_total",
               "Reminders of still-firing alerts sent (repeat_interval).", MetricType::Counter);
  for (const auto& k : s.sinks) {
    Families::add(pending, {{"sink", k.name}}, static_cast<double>(k.pending));
    Families::add(deliveries, {{"sink", k.name}, {"result", "ok"}},
                  static_cast<double>(k.delivered));
    Families::add(deliveries, {{"sink", k.name}, {"result", "rejected"}},
                  static_cast<double>(k.rejected));
    Families::add(deliveries, {{"sink", k.name}, {"result", "failed"}},
                  static_cast<double>(k.attempts_failed));
    Families::add(reminders, {{"sink", k.name}}, static_cast<double>(k.reminders));
  }
  auto& held = f.family("kilter_alerts_suppressed_total",
                        "Firing alerts not told to the sinks, by reason.", MetricType::Counter);
  Families::add(held, {{"reason", "muted"}}, static_cast<double>(e.alerts_muted));
  Families::add(held, {{"reason", "inhibited"}}, static_cast<double>(e.alerts_inhibited));
  f.counter("kilter_alerts_unrouted_total", "Notifications no sink was routed to.",
            static_cast<double>(e.alerts_unrouted));
  auto& produced =
      f.family("kilter_kafka_produced_total",
               "Kafka messages produced (dead letters, alerts), by result.", MetricType::Counter);
  Families::add(produced, {{"result", "ok"}}, static_cast<double>(s.produced));
  Families::add(produced, {{"result", "failed"}}, static_cast<double>(s.produce_failures));
  auto& letters = f.family("kilter_dead_letters_total",
                           "Bad input copied to the dead-letter topic: sent (acknowledged), "
                           "truncated (sent cut to the topic's largest message), failed "
                           "(refused attempts, each sent again while the offsets wait).",
                           MetricType::Counter);
  Families::add(letters, {{"result", "sent"}}, static_cast<double>(s.dead_letters.sent));
  Families::add(letters, {{"result", "truncated"}}, static_cast<double>(s.dead_letters.truncated));
  Families::add(letters, {{"result", "failed"}}, static_cast<double>(s.dead_letters.failed));
  f.gauge("kilter_dead_letters_pending",
          "Dead letters not acknowledged yet; the offsets past them are not committed.",
          static_cast<double>(s.dead_letters.pending));
  f.gauge("kilter_source_connected",
          "1 while the source reaches its input (a Kafka broker is connected; a file: always).",
          s.source_connected ? 1 : 0);
  auto& lag = f.family("kilter_consumer_lag_messages",
                       "Messages between the consumer's position and the end of the partition.",
                       MetricType::Gauge);
  for (const auto& l : s.lag)
    if (l.lag >= 0)
      Families::add(lag, {{"topic", l.topic}, {"partition", std::to_string(l.source_partition)}},
                    static_cast<double>(l.lag));
  f.gauge("kilter_source_partitions", "Input partitions this daemon reads now.",
          static_cast<double>(s.lag.size()));
  f.counter("kilter_http_requests_total", "HTTP requests served.",
            static_cast<double>(s.http_requests));
  auto& closed = f.family("kilter_http_connections_closed_total",
                          "HTTP connections closed by the connection bounds: evicted (the "
                          "longest-waiting one, to make room) or rejected (none could).",
                          MetricType::Counter);
  Families::add(closed, {{"reason", "evicted"}}, static_cast<double>(s.http_evicted));
  Families::add(closed, {{"reason", "rejected"}}, static_cast<double>(s.http_rejected));
  f.gauge("kilter_ready",
          "1 while state is open and the source has its partitions and reaches its input.",
          s.ready ? 1 : 0);
  f.histogram("kilter_commit_batch_messages", "Messages per state batch written.",
              e.batch_messages);
  f.histogram("kilter_commit_duration_seconds",
              "Time to commit a batch: group offsets (Kafka) and the RocksDB write.",
              e.commit_seconds);
  f.histogram("kilter_alert_latency_seconds",
              "From the input timestamp of the message that raised an alert to the alert "
              "written and handed to the sinks.",
              e.alert_latency_seconds);
  f.gauge("kilter_rocksdb_sst_bytes", "Size of RocksDB's table files.",
          static_cast<double>(s.store.sst_bytes));
  f.gauge("kilter_rocksdb_memtable_bytes", "RocksDB memtables not yet flushed.",
          static_cast<double>(s.store.memtable_bytes));
  f.gauge("kilter_rocksdb_pending_compaction_bytes", "RocksDB's estimate of compaction owed.",
          static_cast<double>(s.store.pending_compaction_bytes));
  f.gauge("kilter_rocksdb_running_compactions", "RocksDB compactions running now.",
          static_cast<double>(s.store.running_compactions));
  f.gauge("kilter_rocksdb_write_stopped", "1 while RocksDB stops writes (a stall).",
          s.store.write_stopped ? 1 : 0);
  f.gauge("kilter_storage_failed",
          "1 once a write to the state store failed (disk full, unwritable): the daemon stops.",
          s.store.failed ? 1 : 0);
  f.counter("kilter_storage_write_failures_total",
            "Writes the state store refused: the first failure, then every later attempt.",
            static_cast<double>(s.store.write_failures));
  f.counter("kilter_rocksdb_background_errors_total",
            "Flush or compaction errors RocksDB reported (e.g. a full disk).",
            static_cast<double>(s.store.background_errors));
  f.counter("kilter_outbox_record_failures_total",
            "Sink confirmations the store failed to record (delivered again after a restart).",
            static_cast<double>(s.outbox.record_failures));
  f.counter("kilter_outbox_unreadable_total",
            "Stored outbox entries that were no alert record at a restart: dropped.",
            static_cast<double>(s.outbox.unreadable));
  f.gauge("kilter_rocksdb_delayed_write_rate_bytes",
          "RocksDB's write rate while it slows writes down; 0 when it does not.",
          static_cast<double>(s.store.delayed_write_rate));
  auto& states = f.family("kilter_alerts", "Alerts by current state (all accounts in memory).",
                          MetricType::Gauge);
  Families::add(states, {{"state", "pending"}}, static_cast<double>(s.alert_states[0]));
  Families::add(states, {{"state", "firing"}}, static_cast<double>(s.alert_states[1]));
  auto& reloads = f.family("kilter_config_reloads_total", "Configuration reloads (SIGHUP).",
                           MetricType::Counter);
  Families::add(reloads, {{"result", "success"}}, static_cast<double>(s.reloads));
  Families::add(reloads, {{"result", "failure"}}, static_cast<double>(s.reload_failures));
  f.gauge("kilter_config_last_reload_successful",
          "1 when the last reload applied (or none was tried), 0 when it was refused.",
          s.last_reload_ok ? 1 : 0);
  f.gauge("kilter_config_last_reload_success_timestamp_seconds",
          "When the configuration was last loaded successfully (the start counts).",
          static_cast<double>(epoch_ms(s.last_reload_success)) / 1000.0);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, f.all());
  return out.str();
}

}  // namespace kilter::daemon
