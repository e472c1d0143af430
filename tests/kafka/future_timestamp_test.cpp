// The bad input the engine refuses (a time too far ahead of the wall clock)
// and the decoder's newer reasons go to the dead-letter topic like any other,
// and the good events around them all count: the far-future event does not
// move the partition's watermark.
#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

TEST_F(KafkaTest, FutureTimestampsAndRepeatedFieldsAreDeadLettered) {
  ASSERT_TRUE(cluster_->create_topic("social.dlq", 4).ok());
  dead_letter_line_ = "  dead_letter_topic: social.dlq\n";
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto w = make_workload(1000, 20, 0, 8, now);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"type":"followers","id":"x1","account":"acct-1","ts":"9999-12-31T23:59:59Z","followers":1})",
       "future_timestamp"},
      {R"({"type":"followers","id":"x2","id":"x3","account":"acct-1","ts":1,"followers":1})",
       "duplicate_key"},
      {R"({"type":"engagement","id":"x4","account":"acct-1","ts":1,"post_id":"p","action":"like","count":18446744073709551615})",
       "bad_value"},
  };
  std::vector<std::string> payloads;
  for (const auto& b : bad) payloads.push_back(b.first);
  const Workload mixed = interleave(w, payloads);
  produce(mixed);
  Daemon d(daemon_dir("d"));
  d.start();
  ASSERT_TRUE(eventually([&] { return took_all(d, mixed); })) << d.log();
  const auto n_bad = mixed.events.size() - w.events.size();
  EXPECT_EQ(metric(d.metrics(), "kilter_events_total{result=\"bad\"}").value_or(-1),
            static_cast<double>(n_bad));
  EXPECT_EQ(metric(d.metrics(), "kilter_events_total{result=\"late\"}").value_or(-1), 0);
  auto letters = read_topic(cluster_->bootstraps(), "social.dlq", n_bad);
  ASSERT_EQ(letters.size(), n_bad);
  std::map<std::string, int> reasons;
  for (const auto& l : letters) {
    ++reasons[l.headers.at("kilter-reason")];
    bool known = false;
    for (const auto& [payload, reason] : bad)
      known = known || (payload == l.value && reason == l.headers.at("kilter-reason"));
    EXPECT_TRUE(known) << l.value << " / " << l.headers.at("kilter-reason");
  }
  EXPECT_EQ(reasons.size(), bad.size());
  ASSERT_EQ(d.stop().code, 0) << d.log();
  expect_equal_totals(w.truth, inspect_totals(d.dir()));
}

}  // namespace
}  // namespace kilter::testing
