// Text from the events (account and post ids, terms) rendered for Slack and
// Teams: never a mention, a link, emphasis or a list.
#include <gtest/gtest.h>

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
  const std::string record =
      R"j({"alert_id":"a/posts/1d","account":"[x](https://evil.example)","status":"firing",)j"
      R"j("metric":"posts","value":31,"max":30,"rule":"- item","profile":"**p**",)j"
      R"j("window":"1d","summary":"[x](https://evil.example): 31 posts <https://evil.example>",)j"
      R"j("evidence":{"top_posts":[{"post_id":"[p](https://evil.example)","matched":["*b*",)j"
      R"j("_i_","[t](https://evil.example)"],"link":"[l](https://evil.example)"},)j"
      R"j({"post_id":"p2","link":"https://ok.example/a(b)"}],)j"
      R"j("matched_terms":["[m](https://evil.example)","~s~","`c`","a\\b","1. one"]}})j";
  const dom::element m = Parse(Teams({record}));
  const std::string all = AllText(m);
  EXPECT_TRUE(UnescapedLinks(all).empty()) << all;
  const dom::element items = Sub(m, "/attachments/0/content/body/0/items");
  EXPECT_EQ(At(items, "/0/text"),
            "🔴 FIRING · \\[x\\](https://evil.example): 31 posts \\<https://evil.example\\>");
  EXPECT_EQ(At(items, "/1/facts/3/value"), "\\- item");       // Rule: no list item
  EXPECT_EQ(At(items, "/1/facts/4/value"), "\\*\\*p\\*\\*");  // Profile: no bold
  EXPECT_EQ(At(items, "/3/text"),
            "• \\[p\\](https://evil.example) · \\*b\\*, \\_i\\_, \\[t\\](https://evil.example) · "
            "\\[l\\](https://evil.example)");
  EXPECT_EQ(At(items, "/4/text"), "• p2 · [open](https://ok.example/a%28b%29)");
  EXPECT_EQ(At(items, "/5/text"),
            "Matched terms: \\[m\\](https://evil.example) · \\~s\\~ · \\`c\\` · a\\\\b · 1\\. one");
}

// Slack: the same hostile values reach no mention, link or tag in any field.
TEST_F(ChannelsSlack, HostileAccountRuleAndProfileAreEscaped) {
  const std::string record =
      R"j({"alert_id":"a/posts/1d","account":"<!channel>","status":"firing","metric":"posts",)j"
      R"j("value":31,"max":30,"rule":"<http://x|y>","profile":"a&b","window":"<!here>",)j"
      R"j("summary":"<!channel> <http://x|y> & *b* _i_ ~s~","evidence":{}})j";
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
