#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/record_format.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

// kilter_pipeline links simdjson PRIVATE, so its compile definitions do not reach
// this target; the library is built with this one, and the parser's layout depends on it.
#ifndef SIMDJSON_THREADS_ENABLED
#define SIMDJSON_THREADS_ENABLED 1
#endif
#include <simdjson.h>

#include <string>
#include <vector>

#include "common/time.h"
#include "pipeline/delivery/hmac.h"
#include "pipeline/model/alert.h"
#include "tests/pipeline/delivery/channels_fixture.h"

namespace kilter::pipeline::channels {
namespace {

namespace dom = simdjson::dom;
using namespace kilter::pipeline::channels::testing;  // NOLINT

// As the engine writes them (one line each), read back with parse_alert_record.
constexpr std::string_view kFiring =
    R"j({"alert_id":"boulangerie-dupont/promotional_share/7d","account":"boulangerie-dupont",)j"
    R"j("rule":"too-pushy","metric":"promotional_share","window":"7d","status":"firing",)j"
    R"j("value":0.5,"min":null,"max":0.4,"starts_at":"2026-11-18T16:00:00Z","ends_at":null,)j"
    R"j("summary":"boulangerie-dupont: promotional share 50% over 7d (max 40%)","evidence":{)j"
    R"j("posts":{"personal":0,"professional":5,"promotional":5,"unclassified":0},"engagement":)j"
    R"j({"personal":0,"professional":707,"promotional":491,"unclassified":0,"unattributed":0},)j"
    R"j("followers":{"first":12398,"last":12464,"first_at":"2026-11-16T00:02:47Z",)j"
    R"j("last_at":"2026-11-18T12:04:27Z"},"top_posts":[{"post_id":"boulangerie-dupont-p8",)j"
    R"j("category":"promotional","engagement":115,"confidence":0.865,"matched":["promo",)j"
    R"j("exclusivite","offre"],"link":null},{"post_id":"boulangerie-dupont-p5","category":)j"
    R"j("promotional","engagement":81,"confidence":0.945,"matched":["soldes","domain:shop.*"],)j"
    R"j("link":"https://shop.dupont.example/fr/gift-ideas"}],"matched_terms":["soldes",)j"
    R"j("domain:shop.*","offre"]},"profile":"brand","severity":"warning"})j";

constexpr std::string_view kResolved =
    R"j({"alert_id":"maison-eclair/personal_share/7d","account":"maison-eclair","rule":)j"
    R"j("brand-on-topic","metric":"personal_share","window":"7d","status":"resolved",)j"
    R"j("value":0.083,"min":null,"max":0.1,"starts_at":"2026-11-17T08:00:00Z",)j"
    R"j("ends_at":"2026-11-19T14:00:00Z","summary":"maison-eclair: personal share 8.3% over )j"
    R"j(7d (max 10%)","evidence":{"posts":{"personal":1,"professional":10,"promotional":1,)j"
    R"j("unclassified":0},"top_posts":[{"post_id":"maison-eclair-p3","category":"personal",)j"
    R"j("engagement":42,"confidence":0.71,"matched":["vacances","famille"],"link":null}],)j"
    R"j("matched_terms":["vacances","famille","café crème ☕"]},"profile":"brand",)j"
    R"j("severity":"warning","future_key":{"ignored":[1,2]}})j";

// engagement_change with a baseline, as the engine's own code builds it.
AlertRecord engine_record(std::size_t i = 0, std::string_view account = "atelier-roux") {
  AlertRecord r;
  const std::array<std::string_view, 6> metrics = {"engagement_change",   "personal_share",
                                                   "promotional_share",   "posts",
                                                   "engagement_per_post", "follower_change"};
  r.metric = std::string(metrics[i % metrics.size()]);
  r.account = std::string(account);
  r.rule = fmt::format("rule-{}", i);
  r.window = "7d";
  r.alert_id = fmt::format("{}/{}/{}", r.account, r.metric, r.window);
  r.value = -0.5;
  r.min = -0.3;
  r.starts_at = *parse_rfc3339("2026-11-18T16:00:00Z");
  r.summary = fmt::format("{}: engagement per post -50% over 7d vs the previous 28d", account);
  r.evidence.posts = {3, 9, 1, 0};
  r.evidence.baseline = BaselineEvidence{"28d", 40, 1000, 25.0};
  for (int p = 0; p < 5; ++p) {
    TopPost& t = r.evidence.top_posts.emplace_back();
    t.post_id = fmt::format("{}-p{}", account, p);
    t.category = Category::personal;
    t.engagement = 100.0 - p;
    t.confidence = 0.9;
    t.matched = {"famille", "week-end"};
    t.link = fmt::format("https://atelier.example/p/{}", p);
  }
  r.evidence.matched_terms = {"famille", "week-end"};
  r.profile = "voice";
  r.severity = "critical";
  return r;
}

AlertRecord firing() {
  return Rec(kFiring);
}
AlertRecord resolved() {
  return Rec(kResolved);
}

TEST_F(ChannelsSlack, FiringRecord) {
  const auto out = Slack({firing()});
  const dom::element m = Parse(out);
  EXPECT_EQ(At(m, "/text"), "🔴 FIRING boulangerie-dupont: promotional share 50% over 7d (max 40%)");
  EXPECT_EQ(At(m, "/blocks/0/type"), "header");
  EXPECT_EQ(At(m, "/blocks/0/text/text"), "🔴 FIRING · boulangerie-dupont · too-pushy");
  EXPECT_EQ(At(m, "/blocks/1/text/text"),
            "boulangerie-dupont: promotional share 50% over 7d (max 40%)");
  EXPECT_EQ(At(m, "/blocks/1/fields/0/text"), "*Promotional share*\n50.0%");
  EXPECT_EQ(At(m, "/blocks/1/fields/1/text"), "*Limit*\nmax 40.0%");
  EXPECT_EQ(At(m, "/blocks/1/fields/2/text"), "*Window*\n7d");
  EXPECT_EQ(At(m, "/blocks/1/fields/6/text"),
            "*Since*\n<!date^1795017600^{date_short_pretty} {time}|2026-11-18T16:00:00Z>");
  EXPECT_EQ(Size(m, "/blocks/1/fields"), 7u);  // no "Ended" while firing
  EXPECT_EQ(At(m, "/blocks/2/text/text"),
            "*Posts* personal 0 · professional 5 · promotional 5 · unclassified 0\n"
            "*Followers* 12398 → 12464 (+0.5%)\n"
            "*Top posts*\n"
            "• `boulangerie-dupont-p8` · promotional · 115 engagement · 86.5% confidence · "
            "`promo` `exclusivite` `offre`\n"
            "• `boulangerie-dupont-p5` · promotional · 81 engagement · 94.5% confidence · "
            "`soldes` `domain:shop.*` · <https://shop.dupont.example/fr/gift-ideas|open>");
  EXPECT_EQ(At(m, "/blocks/3/type"), "context");
  EXPECT_EQ(At(m, "/blocks/3/elements/0/text"),
            "*Matched terms* `soldes` · `domain:shop.*` · `offre`");
  EXPECT_EQ(Size(m, "/blocks"), 4u);
  EXPECT_FALSE(Has(m, "/channel"));
}

TEST_F(ChannelsSlack, ResolvedRecord) {
  const dom::element m = Parse(Slack({resolved()}));
  EXPECT_EQ(At(m, "/blocks/0/text/text"), "✅ RESOLVED · maison-eclair · brand-on-topic");
  const std::string all = AllText(m);
  EXPECT_NE(all.find("*Personal share*\n8.3%"), std::string::npos) << all;
  EXPECT_NE(all.find("*Ended*\n<!date^1795096800^"), std::string::npos) << all;
  EXPECT_NE(all.find("`café crème ☕`"), std::string::npos) << all;
  EXPECT_EQ(all.find("Followers"), std::string::npos);  // none in this record
}

TEST_F(ChannelsSlack, EscapesMrkdwnControlCharacters) {
  AlertRecord record = Minimal("x/posts/1d", "x", "x: <!channel> & <https://evil.example|win>");
  record.metric = "posts";
  record.value = 31;
  record.max = 30;
  record.evidence.top_posts = {
      {"<@U123>", Category::personal, 1, 0.5, {"a&b", "`tick`"}, "https://x.example/p?a=1&b=2|x>y"},
      {"p2", Category::personal, 1, 0.5, {}, "javascript:x"}};
  record.evidence.matched_terms = {"<b>"};
  const auto out = Slack({record});
  const std::string all = AllText(Parse(out));
  EXPECT_EQ(all.find("<!channel>"), std::string::npos) << all;
  EXPECT_EQ(all.find("<@U123>"), std::string::npos) << all;
  EXPECT_NE(all.find("x: &lt;!channel&gt; &amp; &lt;https://evil.example|win&gt;"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("`&lt;@U123&gt;`"), std::string::npos) << all;
  EXPECT_NE(all.find("`a&amp;b` `'tick'`"), std::string::npos) << all;
  EXPECT_NE(all.find("<https://x.example/p?a=1&amp;b=2%7Cx&gt;y|open>"), std::string::npos) << all;
  EXPECT_NE(all.find("`javascript:x`"), std::string::npos) << all;  // not made a link
  EXPECT_NE(all.find("`&lt;b&gt;`"), std::string::npos) << all;
  EXPECT_NE(all.find("*Posts*\n31"), std::string::npos) << all;
}

TEST_F(ChannelsSlack, OptionsAndMaxPosts) {
  SlackOptions o;
  o.channel = "#social-alerts";
  o.username = "Kilter";
  o.icon_emoji = ":scales:";
  o.max_posts = 1;
  const dom::element m = Parse(Slack({firing()}, o));
  EXPECT_EQ(At(m, "/channel"), "#social-alerts");
  EXPECT_EQ(At(m, "/username"), "Kilter");
  EXPECT_EQ(At(m, "/icon_emoji"), ":scales:");
  const std::string all = AllText(m);
  EXPECT_NE(all.find("boulangerie-dupont-p8"), std::string::npos);
  EXPECT_EQ(all.find("boulangerie-dupont-p5"), std::string::npos);
}

TEST_F(ChannelsSlack, GroupsTwoRecordsInOneMessage) {
  const dom::element m = Parse(Slack({firing(), engine_record()}));
  EXPECT_EQ(At(m, "/text"),
            "🔴 FIRING boulangerie-dupont: promotional share 50% over 7d (max 40%)\n"
            "🔴 FIRING atelier-roux: engagement per post -50% over 7d vs the previous 28d");
  EXPECT_EQ(At(m, "/blocks/4/type"), "divider");
  EXPECT_EQ(At(m, "/blocks/5/text/text"), "🔴 FIRING · atelier-roux · rule-0");
  const std::string all = AllText(m);
  EXPECT_NE(all.find("*Engagement change*\n-50.0%"), std::string::npos) << all;
  EXPECT_NE(all.find("*Limit*\nmin -30.0%"), std::string::npos) << all;
  EXPECT_NE(all.find("*Baseline* previous 28d: 40 posts · 25 engagement per post"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("*Profile*\nvoice"), std::string::npos) << all;
  EXPECT_NE(all.find("*Severity*\ncritical"), std::string::npos) << all;
  EXPECT_EQ(all.find("atelier-roux-p3"), std::string::npos);  // max_posts 3 of 5
}

TEST_F(ChannelsSlack, KeepsWithinSlackLimits) {
  std::vector<AlertRecord> owned;
  for (std::size_t i = 0; i < 40; ++i) owned.push_back(engine_record(i));
  AlertRecord huge = firing();
  huge.summary.clear();
  while (huge.summary.size() < 5000) huge.summary += "a & b <é> ";
  huge.account.clear();
  for (int i = 0; i < 200; ++i) huge.account += "é";
  owned.push_back(huge);
  const std::vector<AlertRecord> records(owned.rbegin(), owned.rend());

  const dom::element m = Parse(Slack(records));
  const std::size_t blocks = Size(m, "/blocks");
  EXPECT_LE(blocks, 50u);
  std::size_t headers = 0;
  for (dom::element b : Array(m, "/blocks")) {
    std::vector<std::string> texts;
    Texts(b, texts);
    const std::string type = At(b, "/type");
    headers += type == "header";
    for (const auto& t : texts) EXPECT_LE(t.size(), type == "header" ? 150u : 3000u) << t;
  }
  EXPECT_EQ(At(m, fmt::format("/blocks/{}/elements/0/text", blocks - 1)),
            fmt::format("and {} more alerts", records.size() - headers));
  // The oversized first alert: summary cut on a whole entity, header on a whole character.
  const std::string section = At(m, "/blocks/1/text/text");
  EXPECT_TRUE(section.ends_with("…")) << section;
  const std::string cut = section.substr(section.size() - 9);
  EXPECT_TRUE(cut.find('&') == std::string::npos ||
              cut.find(';', cut.find('&')) != std::string::npos)
      << cut;
  EXPECT_TRUE(At(m, "/blocks/0/text/text").ends_with("é…"));
  EXPECT_LE(At(m, "/text").size(), 3000u);
}

TEST_F(ChannelsTeams, FiringRecord) {
  const dom::element m = Parse(Teams({firing()}));
  EXPECT_EQ(At(m, "/type"), "message");
  EXPECT_EQ(At(m, "/attachments/0/contentType"), "application/vnd.microsoft.card.adaptive");
  EXPECT_TRUE(Sub(m, "/attachments/0/contentUrl").is_null());
  const dom::element card = Sub(m, "/attachments/0/content");
  EXPECT_EQ(At(card, "/type"), "AdaptiveCard");
  EXPECT_EQ(At(card, "/version"), "1.4");
  EXPECT_EQ(At(card, "/$schema"), "http://adaptivecards.io/schemas/adaptive-card.json");
  EXPECT_EQ(At(card, "/msteams/width"), "Full");
  const dom::element items = Sub(card, "/body/0/items");
  EXPECT_EQ(At(items, "/0/text"),
            "🔴 FIRING · boulangerie-dupont: promotional share 50% over 7d (max 40%)");
  EXPECT_EQ(At(items, "/0/weight"), "Bolder");
  EXPECT_EQ(At(items, "/0/color"), "Attention");
  EXPECT_EQ(At(items, "/1/type"), "FactSet");
  EXPECT_EQ(At(items, "/1/facts/0/title"), "Promotional share");
  EXPECT_EQ(At(items, "/1/facts/0/value"), "50.0%");
  EXPECT_EQ(At(items, "/1/facts/1/value"), "max 40.0%");
  EXPECT_EQ(At(items, "/1/facts/6/value"), "2026-11-18T16:00:00Z");
  EXPECT_EQ(At(items, "/1/facts/7/value"),
            "personal 0 · professional 5 · promotional 5 · unclassified 0");
  EXPECT_EQ(At(items, "/1/facts/8/value"), "12398 → 12464 (+0.5%)");
  EXPECT_EQ(At(items, "/2/text"), "Top posts");
  EXPECT_EQ(At(items, "/4/text"),
            "• boulangerie-dupont-p5 · promotional · 81 engagement · 94.5% confidence · "
            "soldes, domain:shop.\\* · [open](https://shop.dupont.example/fr/gift-ideas)");
  EXPECT_EQ(At(items, "/5/text"), "Matched terms: soldes · domain:shop.\\* · offre");
}

TEST_F(ChannelsTeams, ResolvedRecord) {
  const dom::element m = Parse(Teams({resolved()}));
  const dom::element items = Sub(m, "/attachments/0/content/body/0/items");
  EXPECT_EQ(At(items, "/0/text"),
            "✅ RESOLVED · maison-eclair: personal share 8.3% over 7d (max 10%)");
  EXPECT_EQ(At(items, "/0/color"), "Good");
  EXPECT_EQ(At(items, "/1/facts/7/title"), "Ended");
  EXPECT_EQ(At(items, "/1/facts/7/value"), "2026-11-19T14:00:00Z");
  EXPECT_EQ(At(items, "/4/text"), "Matched terms: vacances · famille · café crème ☕");
}

TEST_F(ChannelsTeams, GroupsTwoRecordsAndBoundsTheSize) {
  const dom::element two = Parse(Teams({firing(), resolved()}));
  const dom::element body = Sub(two, "/attachments/0/content/body");
  EXPECT_EQ(Size(body, ""), 2u);
  bool separator = false;
  EXPECT_EQ(body.at_pointer("/1/separator").get(separator), simdjson::SUCCESS);
  EXPECT_TRUE(separator);
  EXPECT_EQ(At(body, "/1/items/0/color"), "Good");

  std::vector<AlertRecord> records;
  for (std::size_t i = 0; i < 40; ++i) records.push_back(engine_record(i));
  const auto out = Teams(records);
  ASSERT_TRUE(out.ok());
  EXPECT_LT(out->size(), 28u * 1024);
  const dom::element many = Parse(out);
  const std::size_t n = Size(many, "/attachments/0/content/body");
  EXPECT_EQ(At(many, fmt::format("/attachments/0/content/body/{}/text", n - 1)),
            fmt::format("and {} more alerts", 40 - (n - 1)));
}

TEST_F(ChannelsAlertmanager, FiringRecord) {
  AlertmanagerOptions o;
  o.generator_url = "http://kilter.internal:9464/";
  const dom::element a = Parse(Am({firing(), engine_record(1, "café-olé")}, o));
  EXPECT_EQ(Size(a, ""), 2u);
  EXPECT_EQ(At(a, "/0/labels/alertname"), "too-pushy");
  EXPECT_EQ(At(a, "/0/labels/account"), "boulangerie-dupont");
  EXPECT_EQ(At(a, "/0/labels/metric"), "promotional_share");
  EXPECT_EQ(At(a, "/0/labels/window"), "7d");
  EXPECT_EQ(At(a, "/0/labels/profile"), "brand");
  EXPECT_EQ(At(a, "/0/labels/severity"), "warning");
  EXPECT_EQ(At(a, "/0/labels/alert_id"), "boulangerie-dupont/promotional_share/7d");
  EXPECT_EQ(At(a, "/0/annotations/summary"),
            "boulangerie-dupont: promotional share 50% over 7d (max 40%)");
  EXPECT_EQ(At(a, "/0/annotations/description"),
            "Promotional share 50.0% over 7d (max 40.0%)\n"
            "Posts: personal 0 · professional 5 · promotional 5 · unclassified 0\n"
            "Followers: 12398 → 12464 (+0.5%)\n"
            "Top posts: boulangerie-dupont-p8 (promotional, 115 engagement, 86.5% confidence; "
            "promo, exclusivite, offre); boulangerie-dupont-p5 (promotional, 81 engagement, "
            "94.5% confidence; soldes, domain:shop.*) https://shop.dupont.example/fr/gift-ideas\n"
            "Matched terms: soldes, domain:shop.*, offre");
  EXPECT_EQ(At(a, "/0/startsAt"), "2026-11-18T16:00:00Z");
  EXPECT_FALSE(Has(a, "/0/endsAt"));
  EXPECT_EQ(At(a, "/0/generatorURL"),
            "http://kilter.internal:9464/api/v1/accounts/boulangerie-dupont");
  EXPECT_EQ(At(a, "/1/generatorURL"),
            "http://kilter.internal:9464/api/v1/accounts/caf%C3%A9-ol%C3%A9");
  EXPECT_EQ(At(a, "/1/labels/account"), "café-olé");
}

TEST_F(ChannelsAlertmanager, ResolvedRecord) {
  const dom::element a = Parse(Am({resolved()}));
  EXPECT_EQ(At(a, "/0/endsAt"), "2026-11-19T14:00:00Z");
  EXPECT_EQ(At(a, "/0/startsAt"), "2026-11-17T08:00:00Z");
  EXPECT_FALSE(Has(a, "/0/generatorURL"));
  EXPECT_NE(At(a, "/0/annotations/description").find("café crème ☕"), std::string::npos);
}

TEST_F(ChannelsAlertmanager, LabelsExtraAndAbsent) {
  AlertmanagerOptions o;
  o.extra_labels = {{"team", "social"}, {"env", "prod"}};
  AlertRecord record = Minimal("a/posts/1d", "a", "a: 31 posts");
  record.rule = "chatter";
  record.metric = "posts";
  record.value = 31;
  record.max = 30;
  const dom::element a = Parse(Am({record}, o));
  EXPECT_EQ(At(a, "/0/labels/team"), "social");
  EXPECT_EQ(At(a, "/0/labels/env"), "prod");
  EXPECT_FALSE(Has(a, "/0/labels/profile"));
  EXPECT_FALSE(Has(a, "/0/labels/severity"));
  EXPECT_FALSE(Has(a, "/0/labels/window"));
  EXPECT_EQ(
      At(a, "/0/annotations/description"),
      "Posts 31 (max 30)\nPosts: personal 0 · professional 0 · promotional 0 · unclassified 0");

  o.extra_labels = {{"severity", "page"}};
  EXPECT_FALSE(Am({record}, o).ok());
  o.extra_labels = {{"bad-name", "x"}};
  EXPECT_FALSE(Am({record}, o).ok());
  o.extra_labels = {{"__reserved", "x"}};
  EXPECT_FALSE(Am({record}, o).ok());
}

TEST_F(ChannelsAlertmanager, ResolvedNeedsAValidEndsAt) {
  AlertRecord r = resolved();
  r.ends_at.reset();
  EXPECT_FALSE(Am({r}).ok());
  // Beyond RFC 3339's four-digit years: Alertmanager could not read it either.
  AlertRecord far = firing();
  far.starts_at = *parse_rfc3339("9999-12-31T23:59:59Z") + std::chrono::hours(24);
  EXPECT_FALSE(Am({far}).ok());
  EXPECT_TRUE(Slack({r}).ok());  // only Alertmanager reads the end as a state
}

// A malformed SPEC JSON line is parse_alert_record's to refuse (record_format_test).
TEST_F(ChannelsInput, AnEmptyGroupIsAnError) {
  EXPECT_FALSE(Slack({}).ok());
  EXPECT_FALSE(Teams({}).ok());
  EXPECT_FALSE(Am({}).ok());
}

TEST_F(ChannelsInput, MinimalRecordRendersEverywhere) {
  const AlertRecord minimal = Minimal("a/x/1d", "a", "a: something");
  EXPECT_EQ(At(Parse(Slack({minimal})), "/blocks/0/text/text"), "🔴 FIRING · a");
  EXPECT_EQ(At(Parse(Teams({minimal})), "/attachments/0/content/body/0/items/0/text"),
            "🔴 FIRING · a: something");
  EXPECT_EQ(At(Parse(Am({minimal})), "/0/labels/alertname"), "kilter");
}

TEST_F(ChannelsInput, DeterministicAndUtf8Preserved) {
  const std::vector<AlertRecord> records = {resolved(), engine_record(2, "crêperie-élise")};
  for (auto render : {+[](const std::vector<AlertRecord>& r) { return Slack(r); },
                      +[](const std::vector<AlertRecord>& r) { return Teams(r); },
                      +[](const std::vector<AlertRecord>& r) { return Am(r); }}) {
    const auto a = render(records);
    const auto b = render(records);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b);
    EXPECT_NE(a->find("café crème ☕"), std::string::npos) << *a;  // raw UTF-8, not \u escapes
    EXPECT_NE(a->find("crêperie-élise"), std::string::npos);
    Parse(a);
  }
}

TEST(ChannelsFormat, ValuesByMetric) {
  using detail::format_value;
  EXPECT_EQ(format_value("personal_share", 0.4216), "42.2%");
  EXPECT_EQ(format_value("promotional_share", 0), "0.0%");
  EXPECT_EQ(format_value("posts", 31), "31");
  EXPECT_EQ(format_value("engagement_per_post", 119.8), "119.8");
  EXPECT_EQ(format_value("engagement_per_post", 4), "4");
  EXPECT_EQ(format_value("engagement_change", -0.5), "-50.0%");
  EXPECT_EQ(format_value("follower_change", 0.125), "+12.5%");
  EXPECT_EQ(format_value("follower_change", -0.00001), "0.0%");
  EXPECT_EQ(format_value("some_future_metric", 2.5), "2.5");
}

TEST(ChannelsHmac, Rfc4231Vectors) {
  const std::string aa131(131, '\xaa');
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4.push_back(c);
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(hmac_sha256_hex(key4, std::string(50, '\xcd')),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(hmac_sha256_hex(aa131, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hmac_sha256_hex(aa131,
                            "This is a test using a larger than block-size key and a larger "
                            "than block-size data. The key needs to be hashed before being "
                            "used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  EXPECT_EQ(hmac_sha256_hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace kilter::pipeline::channels
