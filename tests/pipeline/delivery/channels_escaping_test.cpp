// Text from the events (account and post ids, terms) rendered for Slack and
// Teams: never a mention, a link, emphasis or a list.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "pipeline/delivery/channels.h"
#include "tests/pipeline/delivery/channels_fixture.h"

namespace kilter::pipeline::channels {
namespace {

using namespace kilter::pipeline::channels::testing;  // NOLINT

// Every markdown link in `text` other than the card's own "[open](...)": a
// "](" whose "]" is not escaped with a backslash.
std::vector<std::string> UnescapedLinks(const std::string& text) {
  std::vector<std::string> out;
  for (auto pos = text.find("]("); pos != std::string::npos; pos = text.find("](", pos + 1)) {
    if (pos > 0 && text[pos - 1] == '\\') continue;
    if (pos >= 5 && text.compare(pos - 5, 5, "[open") == 0) continue;
    out.push_back(text.substr(pos > 20 ? pos - 20 : 0, 40));
  }
  return out;
}

// Account ids, post ids and terms come from the events: in the card's
// markdown they are text, never links, emphasis or lists.
TEST_F(ChannelsTeams, HostileIdsAndTermsAreEscapedMarkdown) {
  AlertRecord record = Minimal("a/posts/1d", "[x](https://evil.example)",
                               "[x](https://evil.example): 31 posts <https://evil.example>");
  record.metric = "posts";
  record.value = 31;
  record.max = 30;
  record.rule = "- item";
  record.profile = "**p**";
  record.window = "1d";
  const double unknown = std::numeric_limits<double>::quiet_NaN();
  record.evidence.top_posts = {
      {"[p](https://evil.example)",
       Category::personal,
       unknown,
       unknown,
       {"*b*", "_i_", "[t](https://evil.example)"},
       "[l](https://evil.example)"},
      {"p2", Category::personal, unknown, unknown, {}, "https://ok.example/a(b)"}};
  record.evidence.matched_terms = {"[m](https://evil.example)", "~s~", "`c`", "a\\b", "1. one"};
  const dom::element m = Parse(Teams({record}));
  const std::string all = AllText(m);
  EXPECT_TRUE(UnescapedLinks(all).empty()) << all;
  const dom::element items = Sub(m, "/attachments/0/content/body/0/items");
  EXPECT_EQ(At(items, "/0/text"),
            "🔴 FIRING · \\[x\\](https://evil.example): 31 posts \\<https://evil.example\\>");
  EXPECT_EQ(At(items, "/1/facts/3/value"), "\\- item");       // Rule: no list item
  EXPECT_EQ(At(items, "/1/facts/4/value"), "\\*\\*p\\*\\*");  // Profile: no bold
  EXPECT_EQ(At(items, "/3/text"),
            "• \\[p\\](https://evil.example) · personal · \\*b\\*, \\_i\\_, "
            "\\[t\\](https://evil.example) · "
            "\\[l\\](https://evil.example)");
  EXPECT_EQ(At(items, "/4/text"), "• p2 · personal · [open](https://ok.example/a%28b%29)");
  EXPECT_EQ(At(items, "/5/text"),
            "Matched terms: \\[m\\](https://evil.example) · \\~s\\~ · \\`c\\` · a\\\\b · 1\\. one");
}

// Slack: the same hostile values reach no mention, link or tag in any field.
TEST_F(ChannelsSlack, HostileAccountRuleAndProfileAreEscaped) {
  AlertRecord record = Minimal("a/posts/1d", "<!channel>", "<!channel> <http://x|y> & *b* _i_ ~s~");
  record.metric = "posts";
  record.value = 31;
  record.max = 30;
  record.rule = "<http://x|y>";
  record.profile = "a&b";
  record.window = "<!here>";
  const dom::element m = Parse(Slack({record}));
  // Every mrkdwn text (the header block is plain_text: Slack parses nothing there).
  const std::string all = AllText(Sub(m, "/blocks/1")) + At(m, "/text");
  for (const char* raw : {"<!channel>", "<!here>", "<http://x|y>", "a&b", "& *"})
    EXPECT_EQ(all.find(raw), std::string::npos) << raw << "\n" << all;
  EXPECT_NE(all.find("*Rule*\n&lt;http://x|y&gt;"), std::string::npos) << all;
  EXPECT_NE(all.find("*Profile*\na&amp;b"), std::string::npos) << all;
  EXPECT_NE(all.find("*Window*\n&lt;!here&gt;"), std::string::npos) << all;
  EXPECT_EQ(At(m, "/blocks/0/text/type"), "plain_text");  // the header: no markup at all
  EXPECT_NE(At(m, "/text").find("&lt;!channel&gt; &lt;http://x|y&gt; &amp;"), std::string::npos);
}

}  // namespace
}  // namespace kilter::pipeline::channels
