// The channel payloads are pinned byte for byte: records as the engine builds
// them (every optional field, awkward values, hostile text), rendered for Slack,
// Teams and Alertmanager alone and in groups, with and without options. The
// digest was taken from the renderers before they rendered typed records (when
// they parsed each record's SPEC JSON line back, to_json(r)): a change here
// changes what receivers get.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "common/time.h"
#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/hmac.h"
#include "pipeline/model/alert.h"

namespace kilter::pipeline::channels {
namespace {

AlertRecord base(std::string account, std::string metric, AlertStatus status) {
  AlertRecord r;
  r.account = std::move(account);
  r.metric = std::move(metric);
  r.rule = "rule-" + r.metric;
  r.window = "7d";
  r.alert_id = r.account + "/" + r.metric + "/" + r.window;
  r.status = status;
  r.value = 0.5;
  r.max = 0.4;
  r.starts_at = *parse_rfc3339("2026-11-18T16:00:00Z");
  if (status == AlertStatus::resolved) r.ends_at = *parse_rfc3339("2026-11-19T14:00:00.250Z");
  r.summary = r.account + ": " + r.metric + " 50% over 7d (max 40%)";
  r.evidence.posts = {0, 5, 5, 1};
  r.evidence.engagement = {0, 707, 491.5, 0, 3};
  r.profile = "brand";
  r.severity = "warning";
  return r;
}

std::vector<AlertRecord> golden_records() {
  std::vector<AlertRecord> out;
  const char* metrics[] = {"personal_share",      "promotional_share", "posts",
                           "engagement_per_post", "engagement_change", "follower_change",
                           "future_metric"};
  std::size_t i = 0;
  for (const char* m : metrics) {
    AlertRecord r =
        base(fmt::format("acct-{}", i), m, i % 2 ? AlertStatus::resolved : AlertStatus::firing);
    r.value = i * 0.37 - 0.5;
    if (i % 3 == 0) r.min = -0.25;
    if (i % 3 == 1) r.max.reset();
    r.evidence.followers = FollowerEvidence{static_cast<std::int64_t>(i) * 1000, 12464,
                                            *parse_rfc3339("2026-11-16T00:02:47Z"),
                                            *parse_rfc3339("2026-11-18T12:04:27Z")};
    if (i % 2) r.evidence.baseline = BaselineEvidence{i % 4 ? "28d" : "", 40, 1000, 25.125};
    if (i % 4 == 3) r.evidence.baseline = BaselineEvidence{"14d", 0, 0, std::nullopt};
    for (std::size_t p = 0; p < i; ++p) {
      TopPost t;
      t.post_id = p == 2 ? "" : fmt::format("{}-p{}", r.account, p);
      t.category = static_cast<Category>(p % kCategories);
      t.engagement = 100.0 / (p + 1);
      t.confidence = p == 1 ? std::numeric_limits<double>::quiet_NaN() : 0.865;
      t.matched = {"promo", "", "domain:shop.*"};
      t.link = p % 2 ? fmt::format("https://shop.example/p/{}?a=1&b=(2)", p)
                     : (p == 4 ? "javascript:alert(1)" : "");
      r.evidence.top_posts.push_back(std::move(t));
    }
    r.evidence.matched_terms = {"soldes", "", "café crème ☕"};
    if (i == 5) r.campaign = "black-friday";
    if (i == 6) {
      r.profile.clear();
      r.severity.clear();
      r.rule.clear();
    }
    out.push_back(std::move(r));
    ++i;
  }
  // Awkward values: non-finite figures read as absent, huge and tiny ones.
  AlertRecord nan = base("nan-acct", "posts", AlertStatus::firing);
  nan.value = std::numeric_limits<double>::quiet_NaN();
  nan.min = std::numeric_limits<double>::infinity();
  nan.max = 1e300;
  nan.evidence.followers = FollowerEvidence{0, 5, {}, {}};
  out.push_back(nan);
  AlertRecord tiny = base("tiny", "engagement_per_post", AlertStatus::firing);
  tiny.value = 1e-9;
  tiny.min = 0.1 + 0.2;
  tiny.max = -0.0;
  tiny.evidence.posts = {std::uint64_t{1} << 60, 3, 0, 0};
  out.push_back(tiny);
  // Hostile text from the events.
  AlertRecord hostile = base("<!channel>", "posts", AlertStatus::firing);
  hostile.alert_id = "[x](https://evil.example)/posts/1d";
  hostile.rule = "- item `tick` <http://x|y>";
  hostile.window = "<!here>";
  hostile.profile = "**p** & _i_";
  hostile.summary = "<!channel> [x](https://evil.example) & *b* _i_ ~s~\nline\t\"q\"";
  hostile.evidence.top_posts.push_back(TopPost{"<@U123>",
                                               Category::promotional,
                                               5,
                                               0.5,
                                               {"a&b", "`t`", "1. one"},
                                               "https://x.example/p?a=1&b=2|x>y"});
  hostile.evidence.matched_terms = {"[m](https://evil.example)", "~s~", "a\\b", "# h"};
  out.push_back(hostile);
  // Long text: clipped on whole characters and entities.
  AlertRecord big = base("é-long", "personal_share", AlertStatus::resolved);
  for (int k = 0; k < 400; ++k) big.summary += "a & b <é> ";
  for (int k = 0; k < 100; ++k) big.account += "é";
  out.push_back(big);
  // Resolved without an end: Alertmanager refuses it (an Error), the others render.
  AlertRecord open_end = base("open-end", "posts", AlertStatus::resolved);
  open_end.ends_at.reset();
  out.push_back(open_end);
  return out;
}

std::vector<std::string> golden_payloads() {
  const auto records = golden_records();
  std::vector<const AlertRecord*> all;
  for (const auto& r : records) all.push_back(&r);
  std::vector<std::vector<const AlertRecord*>> groups;
  for (const auto* r : all) groups.push_back({r});
  groups.emplace_back(all.begin(), all.end());
  groups.emplace_back(all.begin(), all.begin() + 3);
  std::vector<const AlertRecord*> many;
  for (int k = 0; k < 6; ++k) many.insert(many.end(), all.begin(), all.end());
  groups.push_back(many);

  SlackOptions slack;
  slack.channel = "#alerts";
  slack.username = "Kilter";
  slack.icon_emoji = ":scales:";
  slack.max_posts = 5;
  TeamsOptions teams;
  teams.max_posts = 1;
  AlertmanagerOptions am;
  am.generator_url = "http://kilter.internal:9464/";
  am.extra_labels = {{"team", "social"}, {"empty", ""}};

  std::vector<std::string> out;
  auto add = [&](const Result<std::string>& r) {
    out.push_back(r.ok() ? *r : "error: " + r.error().message);
  };
  for (const auto& g : groups) {
    add(slack_message(g, {}));
    add(slack_message(g, slack));
    add(teams_message(g, {}));
    add(teams_message(g, teams));
    add(alertmanager_alerts(g, {}));
    add(alertmanager_alerts(g, am));
  }
  return out;
}

TEST(ChannelsGolden, PayloadsAreByteIdentical) {
  const auto payloads = golden_payloads();
  std::string all;
  for (const auto& p : payloads) all += p + "\n";
  if (const char* dump = std::getenv("KILTER_GOLDEN_PAYLOADS")) std::ofstream(dump) << all;
  EXPECT_EQ(payloads.size(), 15u * 6);
  EXPECT_EQ(sha256_hex(all), "1cef1c71a23978fd98e3b3771ecf34e39099dc9b4b868ea28782ae5496c2a4bb");
}

}  // namespace
}  // namespace kilter::pipeline::channels
