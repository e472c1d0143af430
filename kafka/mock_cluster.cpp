#include "kafka/mock_cluster.h"

#include "kafka/client.h"  // rdkafka.h, which rdkafka_mock.h needs first

#include <librdkafka/rdkafka_mock.h>

#include <fmt/format.h>

namespace kilter::kafka {
namespace {

class RdMockCluster final : public MockCluster {
 public:
  RdMockCluster(detail::HandlePtr rk, rd_kafka_mock_cluster_t* mc) : rk_(std::move(rk)), mc_(mc) {}
  // The cluster belongs to the handle and goes with it.
  ~RdMockCluster() override = default;

  std::string bootstraps() const override { return rd_kafka_mock_cluster_bootstraps(mc_); }

  Result<void> create_topic(const std::string& name, int partitions) override {
    if (partitions < 1) return Error{fmt::format("topic {}: partitions must be >= 1", name)};
    auto e = rd_kafka_mock_topic_create(mc_, name.c_str(), partitions, 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Error{fmt::format("topic {}: {}", name, detail::error_text(e))};
    return ok();
  }

 private:
  detail::HandlePtr rk_;  // the mock cluster runs on this handle's threads
  rd_kafka_mock_cluster_t* mc_;
};

}  // namespace

Result<std::unique_ptr<MockCluster>> start_mock_cluster(int brokers) {
  if (brokers < 1) return Error{"brokers must be >= 1"};
  // The handle hosts the cluster (and talks to it only).
  auto conf = detail::make_conf({}, {{"test.mock.num.brokers", std::to_string(brokers)}});
  if (!conf) return conf.error();
  char err[512];
  detail::HandlePtr rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof err));
  if (!rk) return Error{fmt::format("mock cluster: {}", err)};
  (void)conf->release();
  auto* mc = rd_kafka_handle_mock_cluster(rk.get());
  if (mc == nullptr) return Error{"mock cluster: could not start (ports?)"};
  return std::unique_ptr<MockCluster>(std::make_unique<RdMockCluster>(std::move(rk), mc));
}

}  // namespace kilter::kafka
