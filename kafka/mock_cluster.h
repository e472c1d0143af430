// librdkafka's mock cluster: a Kafka-protocol broker on loopback, for
// `kilterd dev-broker`, the demo and the tests. It lives as long as this object.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"

namespace kilter::kafka {

class MockCluster {
 public:
  // Every broker of the cluster, for set_down / set_up.
  static constexpr int kAllBrokers = -1;

  virtual ~MockCluster() = default;
  // "127.0.0.1:port,..." (ephemeral ports).
  virtual std::string bootstraps() const = 0;
  virtual int brokers() const = 0;
  virtual Result<void> create_topic(const std::string& name, int partitions) = 0;
  // Disconnects broker `id` (1..brokers(), or kAllBrokers) and refuses new
  // connections until set_up; partitions keep their leader (no failover), so
  // clients see an outage of what that broker leads.
  virtual Result<void> set_down(int id) = 0;
  virtual Result<void> set_up(int id) = 0;
  // Broker `id` (or kAllBrokers) answers every request `rtt` late (0: at once):
  // a slow network, for tests of requests still in flight.
  virtual Result<void> set_rtt(int id, std::chrono::milliseconds rtt) = 0;
  // The next `count` produce requests (any client, any topic) are refused with
  // a non-retriable error (TOPIC_AUTHORIZATION_FAILED): the producer reports
  // those messages as not delivered.
  virtual void refuse_produce(std::size_t count) = 0;
};

Result<std::unique_ptr<MockCluster>> start_mock_cluster(int brokers);

}  // namespace kilter::kafka
