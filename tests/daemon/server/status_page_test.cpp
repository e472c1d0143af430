// The status page's rendering: a pure function of its data.
#include "daemon/server/status_page.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace kilter::daemon {
namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

const TimePoint kAt = *parse_rfc3339("2026-11-23T00:00:00Z");

StatusRow row(std::string account, AccountStatus status) {
  StatusRow r;
  r.account = std::move(account);
  r.profile = "brand";
  r.status = status;
  r.window = "7d";
  r.posts = {5, 40, 5, 0};
  r.first_day = *parse_rfc3339("2026-11-09T00:00:00Z");
  r.days.resize(14);
  for (std::size_t i = 0; i < 14; ++i) {
    r.days[i].personal_share = 0.05 * static_cast<double>(i % 4);
    r.days[i].engagement = 100.0 * static_cast<double>(i);
  }
  if (status != AccountStatus::ok)
    r.rules.push_back({"brand-on-topic", status, "personal share 42% over 7d (max 10%)",
                       *parse_rfc3339("2026-11-19T18:00:00Z"), "warning", "", ""});
  return r;
}

StatusPage page_of(std::vector<StatusRow> rows) {
  StatusPage p;
  p.as_of = kAt;
  for (const auto& r : rows)
    ++(r.status == AccountStatus::firing    ? p.firing
       : r.status == AccountStatus::pending ? p.pending
                                            : p.ok);
  p.rows = std::move(rows);
  return p;
}

TEST(StatusPage, EscapesEveryTextThatComesFromInputOrConfiguration) {
  auto r = row("<script>alert(\"x\")</script>&'", AccountStatus::firing);
  r.profile = "<b>prof</b>";
  r.window = "<w>";
  r.rules[0].rule = "<i>rule</i>";
  r.rules[0].description = "a < b & c";
  r.rules[0].severity = "<sev>";
  r.rules[0].campaign = "<sale>";
  const auto html = render_status_page(page_of({r}));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find(">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</a>"),
            std::string::npos)
      << html;
  // The link to the account's figures names it percent-encoded.
  EXPECT_NE(
      html.find("href=\"/api/v1/accounts/%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E%26%27\""),
      std::string::npos);
  for (const char* escaped : {"&lt;b&gt;prof&lt;/b&gt;", "&lt;w&gt;", "&lt;i&gt;rule&lt;/i&gt;",
                              "a &lt; b &amp; c", "&lt;sev&gt;", "&lt;sale&gt;"})
    EXPECT_NE(html.find(escaped), std::string::npos) << escaped;
  for (const char* raw : {"<b>prof", "<w>", "<i>rule", "a < b", "<sev>", "<sale>"})
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
}

TEST(StatusPage, ARuleOutOfLimitsShowsItsAdvice) {
  auto r = row("acme", AccountStatus::firing);
  r.rules[0].advice =
      "21 personal of 50 posts in 7d, 42%, max 10%: 160 professional or promotional posts would "
      "be needed <now> & then";
  auto quiet = row("globex", AccountStatus::pending);  // no advice: no line
  const auto html = render_status_page(page_of({r, quiet}));
  EXPECT_NE(html.find("<div class=\"advice\"><b>Advice</b> 21 personal of 50 posts in 7d, 42%, "
                      "max 10%: 160 professional or promotional posts would be needed &lt;now&gt; "
                      "&amp; then</div></div>"),
            std::string::npos)
      << html;
  EXPECT_EQ(count(html, "<div class=\"advice\">"), 1u);
}

TEST(StatusPage, RowsInTheGivenOrderEachWithBalanceRulesAndTwoSparklines) {
  const auto html = render_status_page(
      page_of({row("globex", AccountStatus::firing), row("initech", AccountStatus::pending),
               row("acme", AccountStatus::ok)}));
  const auto firing = html.find("<tr class=\"firing\">");
  const auto pending = html.find("<tr class=\"pending\">");
  const auto ok = html.find("<tr class=\"ok\">");
  ASSERT_NE(firing, std::string::npos);
  ASSERT_NE(pending, std::string::npos);
  ASSERT_NE(ok, std::string::npos);
  EXPECT_LT(firing, html.find(">globex</a>"));
  EXPECT_LT(html.find(">globex</a>"), pending);
  EXPECT_LT(pending, html.find(">initech</a>"));
  EXPECT_LT(html.find(">initech</a>"), ok);
  EXPECT_LT(ok, html.find(">acme</a>"));
  EXPECT_EQ(count(html, "<svg class=\"spark-share\""), 3u);
  EXPECT_EQ(count(html, "<svg class=\"spark-engagement\""), 3u);
  EXPECT_EQ(count(html, "<svg class=\"balance\""), 3u);
  // Balance over the main window: 5 personal, 40 professional, 5 promotional.
  EXPECT_NE(html.find("<title>5 personal, 40 professional, 5 promotional over 7d</title>"),
            std::string::npos);
  EXPECT_NE(html.find(">80%</text>"), std::string::npos);  // wide enough to be written in
  EXPECT_NE(html.find("50 posts in 7d"), std::string::npos);
  // The rules out of limits, with value, limit and since when.
  EXPECT_EQ(count(html, "personal share 42% over 7d (max 10%)"), 2u);
  EXPECT_NE(html.find("<span class=\"tag firing\">firing</span><b>brand-on-topic</b>"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"tag pending\">pending</span><b>brand-on-topic</b>"),
            std::string::npos);
  EXPECT_NE(html.find("firing since Thu 19 Nov 18:00 UTC"), std::string::npos);
  EXPECT_NE(html.find("within limits"), std::string::npos);
  EXPECT_NE(html.find("1 firing"), std::string::npos);
  EXPECT_NE(html.find("1 pending"), std::string::npos);
  EXPECT_NE(html.find("1 ok"), std::string::npos);
  EXPECT_NE(html.find("as of Mon 23 Nov 00:00 UTC"), std::string::npos);
}

TEST(StatusPage, SelfContainedWithoutScriptOrExternalAssets) {
  const auto html = render_status_page(page_of({row("acme", AccountStatus::firing)}));
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  for (const char* outside : {"<script", "src=", "http:", "https:", "url(", "@import", "<link"})
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(StatusPage, ShareSparklineHasGapsForDaysWithoutPostsAndTheProfileLimits) {
  auto r = row("acme", AccountStatus::ok);
  r.share_min = 0.2;
  r.share_max = 0.6;
  for (auto& d : r.days) d = DayFigures{};
  // Days 3-5 make a line, day 9 stands alone (a dot), the rest are gaps.
  for (std::size_t i : {3, 4, 5, 9}) r.days[i].personal_share = 0.5;
  r.days[4].engagement = 80;
  r.days[13].engagement = 20;
  const auto html = render_status_page(page_of({r}));
  EXPECT_EQ(count(html, "<polyline class=\"share\""), 1u);
  EXPECT_EQ(count(html, "class=\"limit\""), 2u);
  EXPECT_EQ(count(html, "<circle class=\"dot\""), 2u);  // day 9, and day 9 again as the latest
  EXPECT_EQ(count(html, "<rect class=\"eng"), 2u);      // one bar per day with engagement
  EXPECT_EQ(count(html, "<rect class=\"eng last\""), 1u);
  EXPECT_NE(html.find("<b>50%</b>Wed 18 Nov"), std::string::npos)
      << html;  // latest day with a share
  EXPECT_NE(html.find("<b>20</b>peak 80"), std::string::npos);
  EXPECT_NE(html.find("Mon 9 Nov \u2013 Sun 22 Nov (UTC days): \u2013, \u2013, \u2013, 50%"),
            std::string::npos);
}

TEST(StatusPage, AVeryLongAccountIdIsShownCut) {
  const std::string id(20'000, 'a');
  const auto html = render_status_page(page_of({row(id, AccountStatus::firing)}));
  EXPECT_EQ(html.find(std::string(300, 'a')), std::string::npos);
  EXPECT_NE(html.find(std::string(64, 'a') + "\u2026</span>"), std::string::npos);
  EXPECT_LT(html.size(), 20'000u);
  EXPECT_EQ(html.find("href=\"/api/v1/accounts/aaa"), std::string::npos);  // no link to a cut id
  EXPECT_NE(html.find("<span class=\"acct\" title=\"" + std::string(256, 'a') + "\u2026\">"),
            std::string::npos);
  // Cut on a character boundary: 63 ASCII bytes then a two-byte character.
  const std::string utf8 = std::string(63, 'b') + "\u00e9" + std::string(100, 'c');
  const auto cut = render_status_page(page_of({row(utf8, AccountStatus::ok)}));
  EXPECT_NE(cut.find(">" + std::string(63, 'b') + "\u2026</a>"), std::string::npos);
}

TEST(StatusPage, NavigationBetweenPages) {
  auto p = page_of({row("acme", AccountStatus::ok)});
  p.ok = 60;
  p.page = 2;
  p.pages = 3;
  p.limit = 20;
  p.first = 20;
  auto html = render_status_page(p);
  EXPECT_NE(html.find("accounts 21\u201321 of 60"), std::string::npos);
  EXPECT_NE(html.find("href=\"?page=1&amp;limit=20\" rel=\"prev\""), std::string::npos);
  EXPECT_NE(html.find("href=\"?page=3&amp;limit=20\" rel=\"next\""), std::string::npos);
  EXPECT_NE(html.find("page 2 of 3"), std::string::npos);
  p.page = 1;
  p.first = 0;
  p.limit = p.default_limit;
  html = render_status_page(p);
  EXPECT_EQ(html.find("rel=\"prev\""), std::string::npos);
  EXPECT_NE(html.find("href=\"?page=2\" rel=\"next\""), std::string::npos);
}

TEST(StatusPage, NoAccountsYet) {
  StatusPage p;
  const auto html = render_status_page(p);
  EXPECT_NE(html.find("No account has state here yet."), std::string::npos);
  EXPECT_NE(html.find("no events yet"), std::string::npos);
  EXPECT_EQ(html.find("<tr class="), std::string::npos);
}

}  // namespace
}  // namespace kilter::daemon
