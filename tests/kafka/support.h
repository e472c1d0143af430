// The in-process mock cluster, a producer for the workloads, daemons under
// test, and the comparison of their stored figures with the truth.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <memory>
#include <sstream>

#include "kafka/mock_cluster.h"
#include "kafka/producer.h"
#include "tests/e2e/daemon.h"
#include "tests/kafka/events.h"

namespace kilter::testing {

using Totals = std::map<std::string, AccountTruth>;

struct TopicMessage {
  std::string key, value;
  std::map<std::string, std::string> headers;
};

// Everything in `topic` (its first four partitions, from the beginning), once
// `expected` messages are there or the deadline passed.
inline std::vector<TopicMessage> read_topic(const std::string& brokers, const std::string& topic,
                                            std::size_t expected) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "topic-reader", err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  auto* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  auto* list = rd_kafka_topic_partition_list_new(1);
  for (int p = 0; p < 4; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<TopicMessage> out;
  eventually([&] {
    while (auto* m = rd_kafka_consumer_poll(rk, 100)) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        TopicMessage d{{static_cast<const char*>(m->key), m->key_len},
                       {static_cast<const char*>(m->payload), m->len},
                       {}};
        rd_kafka_headers_t* hdrs = nullptr;
        if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* name;
          const void* value;
          size_t size;
          for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i)
            d.headers[name] = std::string(static_cast<const char*>(value), size);
        }
        out.push_back(std::move(d));
      }
      rd_kafka_message_destroy(m);
    }
    return out.size() >= expected;
  });
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

// Adds the "totals" of one account_json line to `into`.
inline void add_account_json(Totals& into, const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(line).get(doc)) << line;
  std::string_view account;
  ASSERT_FALSE(doc["account"].get(account));
  auto& t = into[std::string(account)];
  for (std::size_t c = 0; c < 3; ++c) {
    std::uint64_t n = 0;
    ASSERT_FALSE(doc["totals"]["posts"][kCategoryNames[c]].get(n)) << line;
    t.posts[c] += n;
    for (std::size_t a = 0; a < 6; ++a) {
      ASSERT_FALSE(doc["totals"]["engagement"][kCategoryNames[c]][kActionNames[a]].get(n));
      t.engagement[c][a] += n;
    }
  }
  for (std::size_t a = 0; a < 6; ++a) {
    std::uint64_t n = 0;
    ASSERT_FALSE(doc["totals"]["engagement"]["unattributed"][kActionNames[a]].get(n));
    t.unattributed[a] += n;
  }
}

// The stored figures of a stopped daemon, via `kilterd inspect`.
inline Totals inspect_totals(const fs::path& dir) {
  auto exit = run({KILTERD_BIN, "inspect", "--config", (dir / "kilter.yaml").string()},
                  dir / "inspect.out", dir / "inspect.err");
  EXPECT_EQ(exit.code, 0) << read_file(dir / "inspect.err");
  Totals t;
  for (const auto& line : read_lines(dir / "inspect.out")) add_account_json(t, line);
  return t;
}

inline std::string describe(const Totals& t, const std::string& account) {
  auto it = t.find(account);
  if (it == t.end()) return "(absent)";
  std::ostringstream s;
  s << "posts " << it->second.posts[0] << "/" << it->second.posts[1] << "/" << it->second.posts[2]
    << " engagement";
  for (const auto& row : it->second.engagement)
    for (auto v : row) s << " " << v;
  s << " unattributed";
  for (auto v : it->second.unattributed) s << " " << v;
  return s.str();
}

// Engagement by action, whatever it was attributed to.
inline std::array<std::uint64_t, 6> by_action(const AccountTruth& t) {
  auto out = t.unattributed;
  for (const auto& row : t.engagement)
    for (std::size_t a = 0; a < 6; ++a) out[a] += row[a];
  return out;
}

// Every account with events has exactly its truth; nothing else has counts.
// `attributed`: engagement must also be attributed to the category of its post
// (true when one state saw every post; members of a group each see their share).
inline void expect_equal_totals(const Totals& truth, const Totals& got, bool attributed = true) {
  std::size_t mismatches = 0;
  for (const auto& [account, want] : truth) {
    auto it = got.find(account);
    bool same = it != got.end() && it->second.posts == want.posts &&
                (attributed ? it->second.engagement == want.engagement &&
                                  it->second.unattributed == want.unattributed
                            : by_action(it->second) == by_action(want));
    if (!same && ++mismatches <= 10)
      ADD_FAILURE() << account << ": want " << describe(truth, account) << ", got "
                    << describe(got, account);
  }
  for (const auto& [account, t] : got) {
    if (truth.contains(account)) continue;
    bool empty =
        t.posts == std::array<std::uint64_t, 3>{} && by_action(t) == std::array<std::uint64_t, 6>{};
    EXPECT_TRUE(empty) << account << " has counts but no events";
  }
  EXPECT_EQ(mismatches, 0u) << "accounts whose stored figures differ from the truth";
}

// Every account's figures, from a live daemon's API (an account it does not
// know fails the test).
inline Totals api_totals(Daemon& d, const Workload& w) {
  Totals got;
  for (const auto& [account, truth] : w.truth) {
    auto r = d.get("/api/v1/accounts/" + account);
    EXPECT_EQ(r.status, 200) << account << ": " << r.body;
    if (r.status == 200) add_account_json(got, r.body);
  }
  return got;
}

class KafkaTest : public ::testing::Test {
 protected:
  static constexpr const char* kTopic = "social.events";

  void SetUp() override {
    auto c = kafka::start_mock_cluster(1);
    ASSERT_TRUE(c.ok()) << c.error().message;
    cluster_ = std::move(*c);
    ASSERT_TRUE(cluster_->create_topic(kTopic, 8).ok());
    config::KafkaConfig kc;
    kc.brokers = cluster_->bootstraps();
    auto p = kafka::make_producer(kc);
    ASSERT_TRUE(p.ok()) << p.error().message;
    producer_ = std::move(*p);
  }

  void produce(const Workload& w, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    to = std::min(to, w.events.size());
    for (std::size_t i = from; i < to; ++i)
      ASSERT_TRUE(producer_->send(kTopic, w.events[i].key, w.events[i].json).ok());
    auto r = producer_->flush(std::chrono::seconds(30));
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  // The good events with bad messages (key acct-1) among them: bad[k] after
  // every 200th event, in turn.
  static Workload interleave(const Workload& w, const std::vector<std::string>& bad) {
    Workload mixed;
    for (std::size_t i = 0; i < w.events.size(); ++i) {
      mixed.events.push_back(w.events[i]);
      if (i % 200 == 100) mixed.events.push_back({"acct-1", bad[(i / 200) % bad.size()]});
    }
    return mixed;
  }

  // Every message of `w` taken by `d` (counted, whatever its result) and committed.
  static bool took_all(Daemon& d, const Workload& w) {
    return events_taken(d) == static_cast<double>(w.events.size()) && caught_up(d);
  }

  // A daemon directory with its configuration; `extra` is appended to the YAML.
  // A killed member holds its partitions until its session times out.
  fs::path daemon_dir(const std::string& name, const std::string& extra = {},
                      const std::string& group = "kilter-test", int session_ms = 6000) {
    auto dir = root_ / name;
    fs::create_directories(dir);
    write_file(dir / "kilter.yaml",
               fmt::format("kafka:\n"
                           "  brokers: \"{}\"\n"
                           "  group_id: {}\n"
                           "  topics: [{}]\n"
                           "{}{}"
                           "  properties: {{session.timeout.ms: \"{}\", heartbeat.interval.ms: "
                           "\"500\", fetch.wait.max.ms: \"10\"{}}}\n"
                           "storage: {{path: state, commit_interval: 200ms}}\n"
                           "http: {{listen: 127.0.0.1:0}}\n"
                           "sinks: [{{type: file, path: alerts.ndjson}}]\n"
                           "{}",
                           cluster_->bootstraps(), group, kTopic, dead_letter_line_,
                           changelog_line_, session_ms, extra_properties_, extra));
    return dir;
  }

  static double events_taken(Daemon& d) { return metric_sum(d.metrics(), "kilter_events_total"); }

  // Consumed up to the end of every partition it owns (some), and all of it committed.
  static bool caught_up(Daemon& d) {
    auto m = d.metrics();
    auto uncommitted = metric(m, "kilter_uncommitted_messages");
    auto partitions = metric(m, "kilter_source_partitions");
    std::size_t known = 0;
    for (std::size_t p = 0; (p = m.find("\nkilter_consumer_lag_messages{", p)) != std::string::npos;
         ++p)
      ++known;
    return metric(m, "kilter_ready").value_or(0) == 1 && uncommitted && *uncommitted == 0 &&
           partitions && *partitions > 0 && known == static_cast<std::size_t>(*partitions) &&
           metric_sum(m, "kilter_consumer_lag_messages") == 0;
  }

  TempDir root_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<kafka::Producer> producer_;
  std::string dead_letter_line_;
  // The kafka section's changelog line: none by default (each member keeps its
  // own state, the tests written before the changelog); a test of state that
  // moves sets one and creates the topic.
  std::string changelog_line_ = "  changelog_topic: \"\"\n";
  std::string extra_properties_;  // more librdkafka properties: ", name: value, ..."
};

}  // namespace kilter::testing
