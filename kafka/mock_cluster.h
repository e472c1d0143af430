// librdkafka's mock cluster: a Kafka-protocol broker on loopback, for
// `kilterd dev-broker`, the demo and the tests. It lives as long as this object.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace kilter::kafka {

class MockCluster {
 public:
  virtual ~MockCluster() = default;
  // "127.0.0.1:port,..." (ephemeral ports).
  virtual std::string bootstraps() const = 0;
  virtual Result<void> create_topic(const std::string& name, int partitions) = 0;
};

Result<std::unique_ptr<MockCluster>> start_mock_cluster(int brokers);

}  // namespace kilter::kafka
