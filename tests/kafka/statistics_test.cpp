// Readiness comes from librdkafka's statistics: which brokers are connected,
// and the consumer group's state. Dead letters are cut to fit one message.
#include <gtest/gtest.h>

#include "kafka/dead_letters.h"
#include "kafka/statistics.h"

namespace kilter::kafka::detail {
namespace {

TEST(Statistics, CountsRealBrokersUpAndReadsTheGroupState) {
  auto h = parse_statistics(R"({"brokers":{
      "127.0.0.1:9092/1":{"nodeid":1,"source":"configured","state":"UP"},
      "127.0.0.1:9093/2":{"nodeid":2,"source":"learned","state":"TRY_CONNECT"},
      "GroupCoordinator":{"nodeid":1,"source":"logical","state":"UP"},
      ":0/internal":{"nodeid":-1,"source":"internal","state":"UP"}},
      "cgrp":{"state":"up","join_state":"steady"}})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->brokers, 2);
  EXPECT_EQ(h->brokers_up, 1);
  EXPECT_EQ(h->group_state, "up");
}

TEST(Statistics, NoBrokerUpDuringAnOutage) {
  auto h = parse_statistics(R"({"brokers":{
      "127.0.0.1:9092/1":{"nodeid":1,"source":"configured","state":"TRY_CONNECT"},
      "GroupCoordinator":{"nodeid":1,"source":"logical","state":"TRY_CONNECT"}},
      "cgrp":{"state":"query-coord"}})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->brokers_up, 0);
  EXPECT_EQ(h->group_state, "query-coord");
  EXPECT_FALSE(parse_statistics("not json"));
  EXPECT_FALSE(parse_statistics(R"({"name":"x"})"));
}

TEST(DeadLetterRoom, LeavesSpaceForKeyHeadersAndFraming) {
  std::vector<std::pair<std::string, std::string>> headers = {{"kilter-reason", "oversized"}};
  auto room = DeadLetters::room(1'000'000, "acct-1", headers);
  EXPECT_LT(room, 1'000'000u - 6 - 13 - 9);
  EXPECT_GT(room, 999'000u);
  EXPECT_EQ(DeadLetters::room(10, "acct-1", headers), 0u);
}

}  // namespace
}  // namespace kilter::kafka::detail
