// The Kafka source's checkpoint refusals carry the code the engine acts on: a
// commit while the previous one is unanswered is busy (retry once it is
// answered), a broker too slow to answer is unavailable (retry later), a
// partition the member does not own is failed (a retry cannot help).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "kafka/mock_cluster.h"
#include "kafka/source.h"

namespace kilter::kafka {
namespace {

using namespace std::chrono_literals;

class Listener final : public pipeline::PartitionListener {
 public:
  pipeline::Assignment partition_assigned(Partition p, const pipeline::GroupOffset&) override {
    assigned.push_back(p);
    return {};
  }
  void partition_started(Partition, Offset) override {}
  void partitions_revoked(std::span<const Partition>) override {}
  std::vector<Partition> assigned;
};

// Polls `source` until `done` holds or a generous deadline passes.
template <class F>
bool poll_until(pipeline::Source& source, F done, std::chrono::seconds deadline = 60s) {
  std::vector<pipeline::SourceMessage> out;
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    out.clear();
    auto r = source.poll(out, 100);
    if (!r) ADD_FAILURE() << r.error().message;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(KafkaCheckpointCodes, EachRefusalSaysWhetherARetryCanHelp) {
  auto cluster = start_mock_cluster(1);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  auto& mc = **cluster;
  ASSERT_TRUE(mc.create_topic("codes", 1).ok());
  config::KafkaConfig cfg;
  cfg.brokers = mc.bootstraps();
  cfg.group_id = "codes-" + std::to_string(std::random_device{}());
  cfg.topics = {"codes"};
  cfg.properties = {{"session.timeout.ms", "6000"}};
  SourceOptions opts;
  opts.instance_id = "test";
  opts.partition_of = [](std::string_view, std::int32_t p) { return pipeline_partition(1, p); };
  opts.commit_wait = 0ms;  // never wait for an answer in the call that sends the commit
  auto source = open_source(cfg, opts);
  ASSERT_TRUE(source.ok()) << source.error().message;
  Listener listener;
  (*source)->set_listener(&listener);
  ASSERT_TRUE(poll_until(**source, [&] { return !listener.assigned.empty(); }));
  const pipeline::Position pos{listener.assigned[0], Offset{0}, {}};

  // A partition this member does not own: failed.
  const pipeline::Position stranger{*pipeline_partition(1, 7), Offset{0}, {}};
  auto refused = (*source)->checkpoint(std::span(&stranger, 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::failed) << refused.error().message;
  EXPECT_FALSE(refused.error().retriable());

  // The broker answers 3 s late: the commit is sent and not answered.
  ASSERT_TRUE(mc.set_rtt(MockCluster::kAllBrokers, 3000ms).ok());
  auto sent = (*source)->checkpoint(std::span(&pos, 1));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable) << sent.error().message;
  EXPECT_TRUE(sent.error().retriable());
  // Asked again before the answer: busy.
  auto again = (*source)->checkpoint(std::span(&pos, 1));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::busy) << again.error().message;
  EXPECT_TRUE(again.error().retriable());
  EXPECT_NE(again.error().message.find("not answered"), std::string::npos);

  // Once answered, the same positions are committed (the late answer counts).
  ASSERT_TRUE(mc.set_rtt(MockCluster::kAllBrokers, 0ms).ok());
  std::optional<Result<void>> last;
  ASSERT_TRUE(poll_until(**source, [&] {
    last.emplace((*source)->checkpoint(std::span(&pos, 1)));
    return last->ok();
  })) << last->error().message;
  (*source)->close();
}

}  // namespace
}  // namespace kilter::kafka
