// Reading labelled NDJSON files for `kilter-loadgen --texts`: which fields are
// taken, the label and language fallbacks, and bad lines named by their number.
#include <gtest/gtest.h>

#include "tools/loadgen/texts.h"

namespace kilter::loadgen {
namespace {

TEST(Texts, TakesThePostFieldsWithTheLabelAndLanguageFallbacks) {
  Texts t;
  auto r = t.add(
      // category wins over expected, lang over expected_lang
      R"({"type":"post","text":"a","category":"promotional","expected":"personal","lang":"fr","expected_lang":"en","kind":"reply","hashtags":["h1","h2"],"mentions":["m"],"links":["https://x.example/1","https://x.example/2"]})"
      "\n"
      // no category, no lang: expected and expected_lang; nothing else present
      R"({"type":"post","text":"b","expected":"personal","expected_lang":"en"})"
      "\n"
      "\n"  // blank lines are skipped
      R"({"type":"engagement","post_id":"p","action":"like"})"
      "\n"  // not a post: skipped
      // no type at all: a post
      R"({"text":"c \"quoted\" é","category":"professional","lang":"en"})",
      "src");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(t.size(), 3u);

  ASSERT_EQ(t.pool(Category::promotional, Lang::fr).size(), 1u);
  const TextPost& a = t.pool(Category::promotional, Lang::fr)[0];
  EXPECT_EQ(a.text, "a");
  EXPECT_TRUE(a.has_lang);
  EXPECT_EQ(a.kind, PostKind::reply);
  EXPECT_EQ(a.hashtags, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(a.mentions, (std::vector<std::string>{"m"}));
  EXPECT_EQ(a.links, (std::vector<std::string>{"https://x.example/1", "https://x.example/2"}));

  ASSERT_EQ(t.pool(Category::personal, Lang::en).size(), 1u);
  const TextPost& b = t.pool(Category::personal, Lang::en)[0];
  EXPECT_EQ(b.text, "b");
  EXPECT_FALSE(b.has_lang);  // written without `lang`, like the file's post
  EXPECT_EQ(b.kind, PostKind::unknown);
  EXPECT_TRUE(b.hashtags.empty() && b.mentions.empty() && b.links.empty());

  ASSERT_EQ(t.pool(Category::professional, Lang::en).size(), 1u);
  EXPECT_EQ(t.pool(Category::professional, Lang::en)[0].text, "c \"quoted\" é");
  EXPECT_TRUE(t.pool(Category::personal, Lang::fr).empty());
}

TEST(Texts, KeepsFileOrderAcrossCalls) {
  Texts t;
  ASSERT_TRUE(t.add(R"({"text":"1","category":"personal","lang":"en"})"
                    "\r\n"  // CRLF files too
                    R"({"text":"2","category":"personal","lang":"en"})",
                    "one")
                  .ok());
  ASSERT_TRUE(t.add(R"({"text":"3","category":"personal","lang":"en"})", "two").ok());
  auto pool = t.pool(Category::personal, Lang::en);
  ASSERT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool[0].text, "1");
  EXPECT_EQ(pool[1].text, "2");
  EXPECT_EQ(pool[2].text, "3");
}

TEST(Texts, ABadLineIsAnErrorNamingTheSourceAndLine) {
  const std::string good = R"({"text":"ok","category":"personal","lang":"en"})";
  struct Case {
    std::string line;
    std::string says;
  };
  const Case cases[] = {
      {R"({"text":"x","category":"personal","lang":"en")", "not a JSON object"},
      {R"(["text"])", "not a JSON object"},
      {R"({"category":"personal","lang":"en"})", "without \"text\""},
      {R"({"text":7,"category":"personal","lang":"en"})", "\"text\" is not a string"},
      {R"({"text":"x","lang":"en"})", "without a label"},
      {R"({"text":"x","category":"unclassified","lang":"en"})",
       "label \"unclassified\" is not personal, professional or promotional"},
      {R"({"text":"x","expected":"spam","lang":"en"})", "label \"spam\""},
      {R"({"text":"x","category":"personal"})", "without a language"},
      {R"({"text":"x","category":"personal","lang":"de"})", "language \"de\" is not en or fr"},
      {R"({"text":"x","category":"personal","expected_lang":"es"})", "language \"es\""},
      {R"({"text":"x","category":"personal","lang":"en","kind":"story"})",
       "kind \"story\" is not original"},
      {R"({"text":"x","category":"personal","lang":"en","hashtags":"h"})",
       "\"hashtags\" is not an array"},
      {R"({"text":"x","category":"personal","lang":"en","links":[1]})",
       "\"links\" holds something other than strings"},
      {R"({"type":3,"text":"x","category":"personal","lang":"en"})", "\"type\" is not a string"},
      {"{\"text\":\"\xff\",\"category\":\"personal\",\"lang\":\"en\"}", "not a JSON object"},
  };
  for (const auto& c : cases) {
    Texts t;
    auto r = t.add(good + "\n\n" + c.line + "\n" + good, "held.ndjson");
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_NE(r.error().message.find("held.ndjson:3: "), std::string::npos)
        << c.line << " -> " << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.line << " -> " << r.error().message;
  }
}

TEST(Texts, LoadNamesAFileItCannotRead) {
  const std::string paths[] = {"/nonexistent/kilter/texts.ndjson"};
  auto r = Texts::load(paths);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot read /nonexistent/kilter/texts.ndjson"),
            std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace kilter::loadgen
