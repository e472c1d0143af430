#include "kafka/mock_cluster.h"

#include "kafka/client.h"  // rdkafka.h, which rdkafka_mock.h needs first
#include "kafka/mock_sockets.h"

#include <librdkafka/rdkafka_mock.h>

#include <vector>

#include <fmt/format.h>

namespace kilter::kafka {
namespace {

class RdMockCluster final : public MockCluster {
 public:
  RdMockCluster(detail::HandlePtr rk, rd_kafka_mock_cluster_t* mc, int brokers)
      : rk_(std::move(rk)), mc_(mc), brokers_(brokers) {}
  // The cluster belongs to the handle and goes with it.
  ~RdMockCluster() override = default;

  std::string bootstraps() const override { return rd_kafka_mock_cluster_bootstraps(mc_); }
  int brokers() const override { return brokers_; }

  Result<void> create_topic(const std::string& name, int partitions) override {
    if (partitions < 1) return Error{fmt::format("topic {}: partitions must be >= 1", name)};
    auto e = rd_kafka_mock_topic_create(mc_, name.c_str(), partitions, 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Error{fmt::format("topic {}: {}", name, detail::error_text(e))};
    return ok();
  }

  Result<void> set_down(int id) override {
    if (auto r = check(id); !r) return r;
    return result(rd_kafka_mock_broker_set_down(mc_, id), "down", id);
  }

  Result<void> set_up(int id) override {
    if (auto r = check(id); !r) return r;
    // set_down replaced the broker's listener by a new socket (same port), which
    // listens again from here: without TCP_NODELAY.
    auto r = result(rd_kafka_mock_broker_set_up(mc_, id), "up", id);
    (void)detail::no_delay_listeners(detail::ports_of(bootstraps()));
    return r;
  }

  Result<void> set_rtt(int id, std::chrono::milliseconds rtt) override {
    if (auto r = check(id); !r) return r;
    return result(rd_kafka_mock_broker_set_rtt(mc_, id, static_cast<int>(rtt.count())), "rtt", id);
  }

  void refuse_produce(std::size_t count) override {
    std::vector<rd_kafka_resp_err_t> errors(count, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(mc_, 0 /* Produce */, errors.size(), errors.data());
  }

 private:
  Result<void> check(int id) const {
    if (id == kAllBrokers || (id >= 1 && id <= brokers_)) return ok();
    return Error{fmt::format("no broker {} (brokers are 1..{})", id, brokers_)};
  }

  static Result<void> result(rd_kafka_resp_err_t e, std::string_view what, int id) {
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return ok();
    return Error{fmt::format("broker {} {}: {}", id, what, detail::error_text(e))};
  }

  detail::HandlePtr rk_;  // the mock cluster runs on this handle's threads
  rd_kafka_mock_cluster_t* mc_;
  int brokers_;
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
  // As a Kafka broker answers: at once (see mock_sockets.h).
  (void)detail::no_delay_listeners(detail::ports_of(rd_kafka_mock_cluster_bootstraps(mc)));
  return std::unique_ptr<MockCluster>(std::make_unique<RdMockCluster>(std::move(rk), mc, brokers));
}

}  // namespace kilter::kafka
