// End to end: what the world sends a file replay. An oversized line across the
// read buffer loses no good event; a far-future event, a repeated field and a
// count beyond its range are bad input, each counted once, and none of them
// disturbs the good events around them.
#include <gtest/gtest.h>

#include "tests/e2e/harness.h"

namespace kilter::testing {
namespace {

constexpr const char* kConfig = R"(
source: {file: events.ndjson}
storage: {path: state, bucket: 1h, retention: 10d}
pipeline: {allowed_lateness: 0s}
default_profile: ""
)";

// Good follower snapshots, one a second from 2026-11-20T00:00:00Z, `n` of them.
std::string good(int first, int n) {
  std::string e;
  for (int i = first; i < first + n; ++i)
    e += R"({"type":"followers","id":"f-)" + std::to_string(i) + R"(","account":"acme","ts":)" +
         std::to_string(1'795'132'800'000LL + i * 1000LL) + R"(,"followers":)" +
         std::to_string(1000 + i) + "}\n";
  return e;
}

TEST(BadInputReplay, EveryGoodEventCountsAndEachBadOneOnce) {
  TempDir dir;
  write_file(dir / "kilter.yaml", kConfig);
  std::string e = good(0, 10);
  e +=
      R"({"type":"followers","id":"x1","account":"acme","ts":"9999-12-31T23:59:59Z","followers":1})"
      "\n";
  e +=
      R"({"type":"followers","id":"x2","id":"x3","account":"acme","ts":1795132800000,"followers":1})"
      "\n";
  e +=
      R"({"type":"engagement","id":"x4","account":"acme","ts":1795132800000,"post_id":"p","action":"like","count":18446744073709551615})"
      "\n";
  int n = 10;
  // Good events up to just before the end of the 4 MiB read buffer, then a line
  // of 100 KiB (beyond max_event_bytes) that straddles it.
  while (e.size() < (4u << 20) - 20'000) {
    e += good(n, 1);
    ++n;
  }
  e += std::string(100 * 1024, 'y') + "\n";
  const int before = n;
  e += good(n, 20'000);
  n += 20'000;
  write_file(dir / "events.ndjson", e);
  auto cmd =
      std::vector<std::string>{KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string()};
  auto exit = run(cmd, dir / "out", dir / "err");
  ASSERT_FALSE(exit.signaled);
  ASSERT_EQ(exit.code, 0) << read_file(dir / "err");
  auto log = read_file(dir / "err");
  EXPECT_NE(log.find("ok " + std::to_string(n) + ", bad 4, late 0, duplicate 0"), std::string::npos)
      << before << " good events before the oversized line\n"
      << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  EXPECT_NE(log.find("future_timestamp ts"), std::string::npos);
  EXPECT_NE(log.find("duplicate_key id"), std::string::npos);
  EXPECT_NE(log.find("bad_value count"), std::string::npos);
  EXPECT_NE(log.find("partition 0 offset"), std::string::npos);
  // Resumed after the last line: nothing is read twice, the oversized line neither.
  ASSERT_EQ(run(cmd, dir / "out", dir / "err2").code, 0);
  EXPECT_NE(read_file(dir / "err2").find("ok 0, bad 0, late 0, duplicate 0"), std::string::npos)
      << read_file(dir / "err2");
}

}  // namespace
}  // namespace kilter::testing
