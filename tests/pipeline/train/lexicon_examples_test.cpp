// Lexicon terms as training examples, read by the lexicon's own parser.
#include "pipeline/train/lexicon_examples.h"

#include <gtest/gtest.h>

namespace kilter::pipeline {
namespace {

TEST(LexiconExamples, EachEntryIsAOneTermPriorExample) {
  auto r = lexicon_examples(R"(# a comment
promotional 3 shop now
professional 0 switched off
personal 1.5 recruit*
promotional 1 domain:shop.*
promotional 2 path:/promo*
)",
                            "en", "acme");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  const auto& e = *r;
  EXPECT_EQ(e[0].text, "shop now");
  EXPECT_EQ(e[0].label, Category::promotional);
  EXPECT_EQ(e[0].id, "acme-2");
  EXPECT_EQ(e[0].lang, "en");
  EXPECT_TRUE(e[0].prior);
  EXPECT_EQ(e[1].text, "recruit");
  EXPECT_EQ(e[2].text, "https://shop.example/");
  EXPECT_EQ(e[2].links, std::vector<std::string>{"https://shop.example/"});
  EXPECT_EQ(e[3].text, "https://site.example/promo");
}

TEST(LexiconExamples, AMalformedLineIsAnErrorNamingIt) {
  auto r = lexicon_examples("personal 1 cat\npromotional lots sale\n", "", "acme");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "acme:2: bad weight 'lots' (a number from 0 to 100)");
}

TEST(LexiconExamples, TheShippedLexiconsAllRead) {
  auto r = shipped_lexicon_examples();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->size(), 1000u);
}

}  // namespace
}  // namespace kilter::pipeline
