// The digest renderers (channels::slack_digest, channels::teams_digest): the order
// of the accounts, the cells of a row, Block Kit's and Teams' limits with many
// accounts, hostile ids, determinism. What Slack's and Teams' own libraries say
// about the payloads is checked by tests/node (ctest label `node`).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/channels_digest.h"
#include "tests/pipeline/delivery/channel_samples.h"
#include "tests/pipeline/delivery/channels_fixture.h"

namespace kilter::pipeline::channels {
namespace {

using namespace kilter::pipeline::channels::testing;  // NOLINT
using samples::Accounts;
using samples::Digest;
using samples::Ptrs;
using samples::ShareRule;

using ChannelsDigest = ChannelsTest;

Result<std::string> SlackD(const std::vector<DigestRecord>& d, const SlackOptions& o = {}) {
  return slack_digest(Ptrs(d), o);
}
Result<std::string> TeamsD(const std::vector<DigestRecord>& d) {
  return teams_digest(Ptrs(d), {});
}

// Accounts whose order is known: two firing (worst share first), then by the
// distance of their share to the limit, then by id.
std::vector<DigestRecord> Mixed() {
  std::vector<DigestRecord> v;
  auto with = [&](std::string id, double share, std::optional<double> min,
                  std::optional<double> max, std::string status) {
    DigestRecord d = Digest(std::move(id), 2);
    d.rules = {ShareRule("share-rule", share, min, max, std::move(status))};
    v.push_back(std::move(d));
  };
  with("a-within", 0.05, std::nullopt, 0.10, "ok");   // 0.05 within
  with("b-far", 0.42, std::nullopt, 0.10, "firing");  // 0.32 beyond
  with("c-none", 0, std::nullopt, std::nullopt, "ok");
  v.back().rules.clear();
  with("d-near", 0.20, std::nullopt, 0.10, "firing");        // 0.10 beyond
  with("e-pending", 0.12, std::nullopt, 0.10, "pending");    // 0.02 beyond
  with("f-below-min", 0.15, 0.20, std::nullopt, "pending");  // 0.05 beyond
  with("a-tie", 0.05, std::nullopt, 0.10, "ok");             // as a-within: by id
  return v;
}

const std::vector<std::string> kMixedOrder = {"b-far", "d-near",   "f-below-min", "e-pending",
                                              "a-tie", "a-within", "c-none"};

TEST_F(ChannelsDigest, EmptySpanIsAnError) {
  EXPECT_FALSE(slack_digest({}, {}).ok());
  EXPECT_FALSE(teams_digest({}, {}).ok());
}

TEST_F(ChannelsDigest, WorstFirstWhateverTheInputOrder) {
  auto v = Mixed();
  std::vector<std::string> order;
  for (const DigestRecord* d : detail::worst_first(Ptrs(v))) order.push_back(d->account);
  EXPECT_EQ(order, kMixedOrder);

  std::reverse(v.begin(), v.end());
  order.clear();
  for (const DigestRecord* d : detail::worst_first(Ptrs(v))) order.push_back(d->account);
  EXPECT_EQ(order, kMixedOrder);

  // The rendered tables follow it: each account after the one before it.
  for (const auto& out : {SlackD(v), TeamsD(v)}) {
    ASSERT_TRUE(out.ok());
    std::size_t at = 0;
    for (const auto& id : kMixedOrder) {
      const auto next = out->find(id, at);
      ASSERT_NE(next, std::string::npos) << id << " out of order in\n" << *out;
      at = next;
    }
  }
}

TEST_F(ChannelsDigest, SameRecordsSameBytesInAnyOrder) {
  auto v = Accounts(40);
  const auto slack = SlackD(v);
  const auto teams = TeamsD(v);
  std::rotate(v.begin(), v.begin() + 13, v.end());
  EXPECT_EQ(*SlackD(v), *slack);
  EXPECT_EQ(*TeamsD(v), *teams);
}

TEST_F(ChannelsDigest, SlackRowHasEveryCell) {
  std::vector<DigestRecord> v{Digest("acme", 2)};
  v[0].rules[0].status = "firing";
  auto root = Parse(SlackD(v));
  EXPECT_EQ(At(root, "/blocks/0/type"), "header");
  EXPECT_EQ(At(root, "/blocks/0/text/text"), "📋 Digest: morning-review");
  const std::string all = AllText(root);
  EXPECT_NE(all.find("2026-11-19 09:00 → 2026-11-20 09:00 (Europe/Paris)"), std::string::npos)
      << all;
  // 2 personal, 9 professional, 1 promotional; 2/12; engagement without impressions.
  EXPECT_NE(all.find("*1. acme* · brand · 🔴 brand-on-topic\n"
                     "posts 2 / 9 / 1 · personal 16.7% · engagement 338 · followers -0.5%"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("↳ 2 personal of 12 posts in 7d, 17%, max 10%: 160 professional"),
            std::string::npos)
      << all;
  EXPECT_EQ(At(root, "/text"),
            "Digest morning-review, 2026-11-19 09:00 → 2026-11-20 09:00 (Europe/Paris): "
            "1 account, 1 with a rule firing");
}

TEST_F(ChannelsDigest, StatusNamesWhatFiresOrWaits) {
  auto v = Accounts(1);
  v[0].rules[0].status = "pending";
  EXPECT_NE(SlackD(v)->find("🟠 pending: brand-on-topic"), std::string::npos);
  v[0].rules[0].status = "ok";
  EXPECT_NE(SlackD(v)->find("✅ within limits"), std::string::npos);
  for (auto& r : v[0].rules) r.status = "no_verdict";
  EXPECT_NE(TeamsD(v)->find("⚪ no verdict"), std::string::npos);
  v[0].followers.reset();
  v[0].personal_share.reset();
  EXPECT_NE(SlackD(v)->find("personal – · engagement 338 · followers –"), std::string::npos);
}

TEST_F(ChannelsDigest, SlackWithinBlockKitLimitsWith300Accounts) {
  const auto v = Accounts(300);
  auto root = Parse(SlackD(v));
  auto blocks = Array(root, "/blocks");
  ASSERT_LE(blocks.size(), 50u);
  std::size_t rows = 0;
  std::string last;
  for (dom::element b : blocks) {
    const std::string type = At(b, "/type");
    if (type == "header") {
      EXPECT_LE(At(b, "/text/text").size(), 150u);
    }
    if (type == "section") {
      const std::string text = At(b, "/text/text");
      EXPECT_LE(text.size(), 3000u);
      EXPECT_FALSE(Has(b, "/fields"));
      for (std::size_t at = 0; (at = text.find("\nposts ", at)) != std::string::npos; ++at) ++rows;
    }
    if (type == "context") {
      EXPECT_LE(Size(b, "/elements"), 10u);
      last = At(b, "/elements/0/text");
    }
  }
  EXPECT_GT(rows, 20u);
  EXPECT_LT(rows, 300u);
  EXPECT_EQ(last, fmt::format("and {} more accounts", 300 - rows));
  EXPECT_LE(At(root, "/text").size(), 3000u);
}

TEST_F(ChannelsDigest, TeamsWithinItsSizeWith300Accounts) {
  const auto v = Accounts(300);
  const auto out = TeamsD(v);
  auto root = Parse(out);
  EXPECT_LT(out->size(), 28u * 1024);
  EXPECT_EQ(At(root, "/attachments/0/content/version"), "1.4");
  auto body = Array(root, "/attachments/0/content/body");
  std::size_t rows = 0;
  std::string last;
  for (dom::element item : body) {
    if (At(item, "/type") == "Container") ++rows;
    last = At(item, "/text");
  }
  EXPECT_GT(rows, 10u);
  EXPECT_EQ(last, fmt::format("and {} more accounts", 300 - rows));
  // No element of a later version: a table in 1.4 is ColumnSets.
  EXPECT_EQ(out->find("\"Table\""), std::string::npos);
  EXPECT_NE(out->find("\"ColumnSet\""), std::string::npos);
}

TEST_F(ChannelsDigest, HostileIdsAreEscapedAndClipped) {
  std::vector<DigestRecord> v{Digest(samples::Hostile(10000), 5, samples::Hostile()),
                              Digest("plain", 1)};
  v[0].rules[0].rule = samples::Hostile(3000);
  v[0].advice[0].text = samples::Hostile(10000);
  v[0].digest = samples::Hostile(500);

  auto slack_root = Parse(SlackD(v));
  // mrkdwn everywhere but in the header, which is plain_text (shown as it is).
  std::string slack = At(slack_root, "/text");
  for (dom::element b : Array(slack_root, "/blocks"))
    if (At(b, "/type") != "header") slack += AllText(b);
  EXPECT_EQ(slack.find("<!channel>"), std::string::npos);
  EXPECT_EQ(slack.find("<https://evil"), std::string::npos);
  EXPECT_NE(slack.find("&lt;!channel&gt; \"quoted\" 'single' &amp; &lt;b&gt;"), std::string::npos);
  EXPECT_NE(slack.find("🚀🙂 é"), std::string::npos);
  EXPECT_NE(slack.find("plain"), std::string::npos);  // the hostile row did not crowd it out
  for (dom::element b : Array(slack_root, "/blocks")) {
    const std::size_t max = At(b, "/type") == "header" ? 150 : 3000;
    if (Has(b, "/text/text")) {
      EXPECT_LE(At(b, "/text/text").size(), max);
    }
  }

  const auto teams = TeamsD(v);
  const std::string text = AllText(Parse(teams));
  EXPECT_NE(text.find(R"(\<!channel\> "quoted" 'single' & \<b\>bold\</b\> \*star\* \_under\_)"),
            std::string::npos)
      << text.substr(0, 400);
  EXPECT_EQ(text.find("[link](https"), std::string::npos);
  EXPECT_NE(text.find("plain"), std::string::npos);
  EXPECT_LT(teams->size(), 28u * 1024);
}

TEST_F(ChannelsDigest, TeamsRowIsAColumnSetWithTheSameCells) {
  std::vector<DigestRecord> v{Digest("acme", 2)};
  v[0].rules[0].status = "firing";
  auto root = Parse(TeamsD(v));
  EXPECT_EQ(At(root, "/type"), "message");
  EXPECT_EQ(At(root, "/attachments/0/contentType"), "application/vnd.microsoft.card.adaptive");
  const auto row = Sub(root, "/attachments/0/content/body/3/items/0");
  EXPECT_EQ(At(row, "/type"), "ColumnSet");
  EXPECT_EQ(At(row, "/columns/0/items/0/text"), "1\\. acme");
  EXPECT_EQ(At(row, "/columns/0/items/1/text"), "brand");
  EXPECT_EQ(At(row, "/columns/1/items/0/text"), "2 / 9 / 1");
  EXPECT_EQ(At(row, "/columns/2/items/0/text"), "16.7%");
  EXPECT_EQ(At(row, "/columns/3/items/0/text"), "338");
  EXPECT_EQ(At(row, "/columns/4/items/0/text"), "-0.5%");
  EXPECT_EQ(At(row, "/columns/5/items/0/text"), "🔴 brand-on-topic");
  EXPECT_NE(At(root, "/attachments/0/content/body/3/items/1/text").find("↳ 2 personal of 12"),
            std::string::npos);
}

}  // namespace
}  // namespace kilter::pipeline::channels
