// The Kafka source copies what librdkafka fetched into its prefetch and hands
// the loop its slices from there: every message once, in order per partition,
// whether the prefetch is full or the source holds (nothing handed out then).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kafka/mock_cluster.h"
#include "kafka/producer.h"
#include "kafka/source.h"

namespace kilter::kafka {
namespace {

using namespace std::chrono_literals;

class Listener final : public pipeline::PartitionListener {
 public:
  pipeline::Assignment partition_assigned(Partition, const pipeline::GroupOffset&) override {
    return {};
  }
  void partition_started(Partition, Offset) override {}
  void partitions_revoked(std::span<const Partition>) override {}
};

std::string value_of(int i) {
  std::string v = "i=";  // then the index, ';' and a filler
  v += std::to_string(i);
  v += ';';
  v.resize(300, static_cast<char>('a' + i % 26));
  return v;
}

std::string key_of(int i) {
  std::string k = "k";
  k += std::to_string(i % 97);
  return k;
}

int index_of(std::string_view payload) {
  return std::stoi(std::string(payload.substr(2, payload.find(';') - 2)));
}

TEST(KafkaSourcePrefetch, HandsOutEveryMessageOnceInOrderThroughAFullPrefetchAndAHold) {
  constexpr int kMessages = 30'000;  // ~9 MiB: the 1 MiB prefetch fills many times over
  auto cluster = start_mock_cluster(1);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  auto& mc = **cluster;
  ASSERT_TRUE(mc.create_topic("pf", 4).ok());
  config::KafkaConfig cfg;
  cfg.brokers = mc.bootstraps();
  cfg.group_id = "pf-" + std::to_string(std::random_device{}());
  cfg.topics = {"pf"};
  cfg.properties = {{"session.timeout.ms", "6000"}};
  {
    auto producer = make_producer(cfg);
    ASSERT_TRUE(producer.ok()) << producer.error().message;
    // All of them fit the producer's queue (librdkafka's default: 100k messages).
    for (int i = 0; i < kMessages; ++i) {
      auto sent = (*producer)->send("pf", key_of(i), value_of(i));
      ASSERT_TRUE(sent.ok()) << sent.error().message;
    }
    auto flushed = (*producer)->flush(60s);
    ASSERT_TRUE(flushed.ok()) << flushed.error().message;
  }

  SourceOptions opts;
  opts.instance_id = "test";
  opts.partition_of = [](std::string_view, std::int32_t p) { return pipeline_partition(1, p); };
  opts.prefetch_bytes = std::size_t{1} << 20;
  auto source = open_source(cfg, opts);
  ASSERT_TRUE(source.ok()) << source.error().message;
  Listener listener;
  (*source)->set_listener(&listener);

  std::map<Partition, std::int64_t> next_offset;  // per partition: offsets 0, 1, 2, ...
  std::map<Partition, int> last_index;            // per partition: produced order
  std::set<int> seen;
  int received = 0;
  bool held = false;
  std::vector<pipeline::SourceMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + 120s;  // a safety net only
  while (received < kMessages && std::chrono::steady_clock::now() < deadline) {
    out.clear();
    auto r = (*source)->poll(out, 500);
    ASSERT_TRUE(r.ok()) << r.error().message;
    for (const auto& m : out) {
      ASSERT_EQ(m.offset.value(), next_offset[m.partition]) << "partition " << m.partition.value();
      next_offset[m.partition] = m.next.value();
      const int i = index_of(m.payload);
      ASSERT_EQ(m.payload, value_of(i));
      ASSERT_EQ(m.key, key_of(i));
      ASSERT_GE(m.capacity, m.payload.size() + 64);  // parsed in place
      if (auto it = last_index.find(m.partition); it != last_index.end()) {
        ASSERT_LT(it->second, i);
      }
      last_index[m.partition] = i;
      ASSERT_TRUE(seen.insert(i).second) << "message " << i << " handed out twice";
      ++received;
    }
    if (!held && received >= kMessages / 3) {
      // Holding: polled for librdkafka's events, nothing new handed out.
      held = true;
      ASSERT_TRUE((*source)->hold(true));
      for (int k = 0; k < 20; ++k) {
        out.clear();
        auto h = (*source)->poll(out, 500);
        ASSERT_TRUE(h.ok()) << h.error().message;
        ASSERT_TRUE(out.empty());
      }
      (*source)->hold(false);
    }
  }
  EXPECT_TRUE(held);
  EXPECT_EQ(received, kMessages);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));
  (*source)->close();
}

}  // namespace
}  // namespace kilter::kafka
