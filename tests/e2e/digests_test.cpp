// Digests end to end: the real kilterd replays the demo week (kilter-loadgen
// --scenario demo --seed 42 --trusted-labels, on deploy/examples/demo.yaml) with a
// daily digest at 09:00 Europe/Paris, acme's own zone being America/New_York. The
// figures of two periods were worked out by hand from the generated NDJSON (with
// python over the file, not with kilterd: see the comments), and must be what the
// digest records say. Each period comes once; the alerts are those of the run
// without digests.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>

#include "tests/e2e/harness.h"

namespace kilter::testing {
namespace {

struct Replay {
  std::vector<std::string> alerts;             // alert lines, in order
  std::map<std::string, std::string> digests;  // digest_id -> line
  std::size_t digest_lines = 0;  // morning-review's
  std::size_t weekly = 0;        // weekly-review's records
  std::set<std::string> weekly_ids;
};

class DemoDigests : public ::testing::Test {
 protected:
  fs::path generate() {
    const fs::path out = dir_ / "demo.ndjson";
    auto exit = run({KILTER_LOADGEN_BIN, "--scenario", "demo", "--seed", "42", "--trusted-labels",
                     "--out", out.string()},
                    dir_ / "loadgen.out", dir_ / "loadgen.err");
    EXPECT_EQ(exit.code, 0) << read_file(dir_ / "loadgen.err");
    return out;
  }

  // demo.yaml reading `events` (with the digest, and acme in New York: `digests`),
  // replayed by kilterd in dir/NAME/.
  Replay replay(const std::string& name, const fs::path& events, bool digests) {
    const fs::path run_dir = dir_ / name;
    fs::create_directories(run_dir);
    auto yaml = read_file(fs::path(KILTER_SOURCE_DIR) / "deploy/examples/demo.yaml");
    replace(yaml, "source: {file: demo-events.ndjson}",
            "source: {file: \"" + events.string() + "\"}");
    replace(yaml, "http: {listen: 127.0.0.1:9464}", "http: {listen: 127.0.0.1:0}");
    // demo.yaml's own digests: morning-review (daily, 09:00 Europe/Paris) and
    // weekly-review, both to the `digests` file sink.
    if (digests) {
      replace(yaml, "  - {id: acme, profile: brand, ",
              "  - {id: acme, profile: brand, timezone: America/New_York, ");
    } else {
      const auto from = yaml.find("\ndigests:\n");
      EXPECT_NE(from, std::string::npos);
      if (from != std::string::npos) yaml.erase(from + 1, yaml.find("\n\n", from) - from);
    }
    write_file(run_dir / "kilter.yaml", yaml);
    auto exit = run({"/usr/bin/timeout", "120", KILTERD_BIN, "run", "--config",
                     (run_dir / "kilter.yaml").string()},
                    run_dir / "out", run_dir / "err");
    EXPECT_EQ(exit.code, 0) << read_file(run_dir / "err");
    Replay r;
    for (const auto& line : read_lines(run_dir / "demo-alerts.ndjson")) {
      EXPECT_EQ(json_field(line, "type"), "alert") << line;
      r.alerts.push_back(line);
    }
    if (!digests) {
      EXPECT_FALSE(fs::exists(run_dir / "demo-digests.ndjson") &&
                   !read_lines(run_dir / "demo-digests.ndjson").empty());
      return r;
    }
    for (const auto& line : read_lines(run_dir / "demo-digests.ndjson")) {
      EXPECT_EQ(json_field(line, "type"), "digest") << line;
      const auto id = json_field(line, "digest_id");
      if (id.starts_with("weekly-review/")) {
        ++r.weekly;
        r.weekly_ids.insert(id);
        continue;
      }
      ++r.digest_lines;
      EXPECT_TRUE(r.digests.emplace(id, line).second) << "sent twice: " << id;
    }
    return r;
  }

  static void replace(std::string& s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
  }

  TempDir dir_;
};

std::uint64_t count(simdjson::dom::element e, const char* key) {
  return std::uint64_t(e[key]);
}

std::string rule_status(simdjson::dom::element d, std::string_view rule) {
  for (auto r : d["rules"].get_array())
    if (std::string_view(r["rule"]) == rule) return std::string(std::string_view(r["status"]));
  return "?";
}

TEST_F(DemoDigests, FiguresWorkedOutByHand) {
  const auto events = generate();
  const auto with = replay("digests", events, true);
  const auto without = replay("plain", events, false);
  EXPECT_EQ(with.alerts, without.alerts) << "digests change no alert";
  // 20 accounts; the week's daily ends after the first event (Mon 16 00:02Z) and by the
  // final evaluation (the end of the last event's hour, Mon 23 00:00Z): 16..22
  // November, 7 per account (acme's in New York too: Sun 22 09:00 EST is 14:00Z),
  // each once.
  EXPECT_EQ(with.digest_lines, with.digests.size());
  EXPECT_EQ(with.digests.size(), 20u * 7);
  // weekly-review, Monday 00:00: one end per account after the first event and by
  // the final evaluation. Paris: Mon 23 00:00 (Sun 22 23:00Z). acme in New York:
  // Mon 16 00:00 EST (05:00Z, after the first event); its Mon 23 (05:00Z) is too late.
  EXPECT_EQ(with.weekly, 20u);
  EXPECT_TRUE(with.weekly_ids.contains("weekly-review/acme/2026-11-16T00:00:00-05:00"));
  EXPECT_TRUE(with.weekly_ids.contains("weekly-review/globex/2026-11-23T00:00:00+01:00"));
  EXPECT_TRUE(with.digests.contains("morning-review/acme/2026-11-22T09:00:00-05:00"));
  EXPECT_FALSE(with.digests.contains("morning-review/globex/2026-11-23T09:00:00+01:00"));

  simdjson::dom::parser parser;
  // globex, Europe/Paris, Thursday 19 09:00 (08:00Z) to Friday 20 09:00 (08:00Z).
  // From the NDJSON (no copy, nothing late for globex in the period):
  //   posts   ev-004089 09:12Z globex-p13 professional, ev-004717 19:10Z globex-p14
  //           personal, ev-004750 19:47Z globex-p15 personal, ev-004935 21:55Z
  //           globex-p16 professional: 2 personal, 2 professional -> personal share 0.5
  //   engagement, 78 events, summed by post (reply repost quote like click impression):
  //           p13 professional  40  64  9 342  0 16491
  //           p16 professional  28  53  7 199 75  8213  -> professional 68 117 16 541 75 24704
  //           p14 personal      28  46  7 258  0 10164
  //           p15 personal      35  46  6 215  0  7791  -> personal     63  92 13 473  0 17955
  //           all: 131 209 29 1014 75 42659
  //   followers ev-004313 12:23Z 92668 (first) ... ev-005265 Fri 06:23Z 92786 (last)
  //   brand-on-topic (7d personal share, max 10%) fires from Thursday evening.
  {
    const auto& line = with.digests.at("morning-review/globex/2026-11-20T09:00:00+01:00");
    auto d = parser.parse(line).value();
    EXPECT_EQ(std::string_view(d["from"]), "2026-11-19T09:00:00+01:00");
    EXPECT_EQ(std::string_view(d["timezone"]), "Europe/Paris");
    EXPECT_EQ(count(d["posts"], "personal"), 2u);
    EXPECT_EQ(count(d["posts"], "professional"), 2u);
    EXPECT_EQ(count(d["posts"], "promotional"), 0u);
    EXPECT_EQ(double(d["personal_share"]), 0.5);
    const simdjson::dom::element e = d["engagement"];
    EXPECT_EQ(count(e, "reply"), 131u);
    EXPECT_EQ(count(e, "repost"), 209u);
    EXPECT_EQ(count(e, "quote"), 29u);
    EXPECT_EQ(count(e, "like"), 1014u);
    EXPECT_EQ(count(e, "click"), 75u);
    EXPECT_EQ(count(e, "impression"), 42659u);
    const simdjson::dom::element c = d["engagement_by_category"];
    EXPECT_EQ(count(c["professional"], "like"), 541u);
    EXPECT_EQ(count(c["professional"], "impression"), 24704u);
    EXPECT_EQ(count(c["personal"], "repost"), 92u);
    EXPECT_EQ(count(c["personal"], "click"), 0u);
    EXPECT_EQ(count(c["unattributed"], "like"), 0u);
    EXPECT_EQ(std::int64_t(d["followers"]["start"]), 92668);
    EXPECT_EQ(std::int64_t(d["followers"]["end"]), 92786);
    EXPECT_EQ(rule_status(d, "brand-on-topic"), "firing");
    EXPECT_EQ(rule_status(d, "chatter"), "ok");
  }
  // acme, America/New_York (its account's zone), Friday 20 09:00 EST (14:00Z) to
  // Saturday 21 09:00 EST (14:00Z). From the NDJSON:
  //   posts   ev-005571 14:06Z acme-p21 professional, ev-006074 20:57Z acme-p22
  //           promotional: 1 professional, 1 promotional
  //   engagement, 58 events of which ev-005833 (acme-p21, impression 369) twice: once
  //           counted; summed by post (reply repost quote like click impression):
  //           p19 professional  15 17 4 101  0 3636
  //           p20 professional   3  3 0  18  7  458
  //           p21 professional   6  6 0  50  0 1616  -> professional 24 26 4 169 7 5710
  //           p22 promotional    6  7 1  31 16 1648  -> promotional   6  7 1  31 16 1648
  //           all: 30 33 5 200 23 7358
  //   followers ev-005805 18:09Z 186765 (first) ... ev-006871 Sat 12:11Z 187080 (last)
  //   engagement-drop fired Friday night; with 2 posts in the day (min_posts 4) it
  //   has no verdict now and still fires.
  {
    const auto& line = with.digests.at("morning-review/acme/2026-11-21T09:00:00-05:00");
    auto d = parser.parse(line).value();
    EXPECT_EQ(std::string_view(d["from"]), "2026-11-20T09:00:00-05:00");
    EXPECT_EQ(std::string_view(d["timezone"]), "America/New_York");
    EXPECT_EQ(count(d["posts"], "personal"), 0u);
    EXPECT_EQ(count(d["posts"], "professional"), 1u);
    EXPECT_EQ(count(d["posts"], "promotional"), 1u);
    EXPECT_EQ(double(d["promotional_share"]), 0.5);
    const simdjson::dom::element e = d["engagement"];
    EXPECT_EQ(count(e, "reply"), 30u);
    EXPECT_EQ(count(e, "repost"), 33u);
    EXPECT_EQ(count(e, "quote"), 5u);
    EXPECT_EQ(count(e, "like"), 200u);
    EXPECT_EQ(count(e, "click"), 23u);
    EXPECT_EQ(count(e, "impression"), 7358u);
    const simdjson::dom::element c = d["engagement_by_category"];
    EXPECT_EQ(count(c["professional"], "impression"), 5710u);
    EXPECT_EQ(count(c["professional"], "like"), 169u);
    EXPECT_EQ(count(c["promotional"], "click"), 16u);
    EXPECT_EQ(std::int64_t(d["followers"]["start"]), 186765);
    EXPECT_EQ(std::int64_t(d["followers"]["end"]), 187080);
    EXPECT_EQ(rule_status(d, "engagement-drop"), "firing");
    for (auto r : d["rules"].get_array()) {
      if (std::string_view(r["rule"]) == "engagement-drop") {
        EXPECT_TRUE(r["value"].is_null());
      }
    }
  }
}

}  // namespace
}  // namespace kilter::testing
