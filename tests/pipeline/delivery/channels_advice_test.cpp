// evidence.advice in the channel renderings: a context line in Slack, a text
// block in Teams, an `advice` annotation for Alertmanager; escaped and clipped
// like the rest of the record's text.
#include <gtest/gtest.h>

#include <string>

#include "pipeline/delivery/channels.h"
#include "tests/pipeline/delivery/channels_fixture.h"

namespace kilter::pipeline::channels {
namespace {

using namespace kilter::pipeline::channels::testing;  // NOLINT

constexpr std::string_view kAdvice =
    "21 personal of 50 posts in 7d, 42%, max 10%: 160 professional or promotional posts would "
    "be needed; with no new post, back within limits by Sun 22 Nov (19 personal posts leave "
    "the window)";

AlertRecord with_advice(std::string text) {
  AlertRecord r = Minimal("acme/personal_share/7d", "acme", "acme: personal share 42% over 7d");
  r.metric = "personal_share";
  r.value = 0.42;
  r.max = 0.1;
  r.evidence.posts = {21, 27, 2, 0};
  Advice a;
  a.rule = "brand-on-topic";
  a.metric = "personal_share";
  a.window = "7d";
  a.status = "breach";
  a.value = 0.42;
  a.limit = 0.1;
  a.posts_needed = 160;
  a.text = std::move(text);
  r.evidence.advice = std::move(a);
  return r;
}

TEST_F(ChannelsSlack, AdviceIsAContextLineUnderTheFigures) {
  const dom::element m = Parse(Slack({with_advice(std::string(kAdvice))}));
  EXPECT_EQ(At(m, "/blocks/1/type"), "section");  // the figures
  EXPECT_EQ(At(m, "/blocks/2/type"), "context");
  EXPECT_EQ(At(m, "/blocks/2/elements/0/text"), "*Advice* " + std::string(kAdvice));
  EXPECT_EQ(At(m, "/blocks/3/type"), "section");  // the evidence follows

  // Without advice, no such line.
  AlertRecord plain = with_advice("");
  plain.evidence.advice.reset();
  EXPECT_EQ(AllText(Parse(Slack({plain}))).find("*Advice*"), std::string::npos);
}

TEST_F(ChannelsSlack, AdviceIsEscapedAndClipped) {
  const dom::element m =
      Parse(Slack({with_advice("<!channel> & *bold* " + std::string(5000, 'x'))}));
  const std::string line = At(m, "/blocks/2/elements/0/text");
  EXPECT_TRUE(line.starts_with("*Advice* &lt;!channel&gt; &amp; *bold* xxx")) << line;
  EXPECT_LE(line.size(), 2000u);  // a context element's limit
  EXPECT_TRUE(line.ends_with("…"));
}

TEST_F(ChannelsTeams, AdviceFollowsTheFacts) {
  const dom::element m = Parse(Teams({with_advice(std::string(kAdvice))}));
  const dom::element items = Sub(m, "/attachments/0/content/body/0/items");
  EXPECT_EQ(At(items, "/1/type"), "FactSet");
  EXPECT_EQ(At(items, "/2/type"), "TextBlock");
  EXPECT_EQ(At(items, "/2/text"), "**Advice:** " + std::string(kAdvice));

  const dom::element hostile =
      Parse(Teams({with_advice("[click](http://evil.example) *now* " + std::string(5000, 'x'))}));
  const std::string text = At(hostile, "/attachments/0/content/body/0/items/2/text");
  EXPECT_TRUE(text.starts_with("**Advice:** \\[click\\](http://evil.example) \\*now\\*")) << text;
  EXPECT_LE(text.size(), 2000u);
}

TEST_F(ChannelsAlertmanager, AdviceAnnotation) {
  const dom::element a = Parse(Am({with_advice(std::string(kAdvice))}));
  EXPECT_EQ(At(a, "/0/annotations/advice"), kAdvice);
  AlertRecord plain = with_advice("");
  EXPECT_FALSE(Has(Parse(Am({plain})), "/0/annotations/advice"));  // empty text: none
}

}  // namespace
}  // namespace kilter::pipeline::channels
