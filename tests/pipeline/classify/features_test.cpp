#include "pipeline/classify/features.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/classify/classifier.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/owned_post.h"

namespace kilter::pipeline {
namespace {

struct Post : test_support::OwnedPost {
  Post(std::string t, std::string l = {}, PostKind k = PostKind::unknown) {  // NOLINT: implicit
    text = std::move(t);
    lang = std::move(l);
    kind = k;
  }
};

// The tokens joined by single spaces (a token never holds one).
std::string feats(Post p, const FeatureOptions& o = {}, std::vector<std::string> brand = {}) {
  Featurizer f(o);
  auto terms = normalize_terms(brand);
  auto e = p.event();
  std::string out;
  for (auto t : f.run(e, terms)) {
    if (!out.empty()) out.push_back(' ');
    out.append(t);
  }
  return out;
}

// Only the tokens of one family: everything else off.
FeatureOptions only(bool FeatureOptions::*family) {
  FeatureOptions o;
  for (auto m : {&FeatureOptions::words, &FeatureOptions::numbers, &FeatureOptions::symbols,
                 &FeatureOptions::hashtags, &FeatureOptions::mentions, &FeatureOptions::links,
                 &FeatureOptions::prices, &FeatureOptions::codes, &FeatureOptions::kind,
                 &FeatureOptions::lang, &FeatureOptions::brand, &FeatureOptions::emphasis}) {
    o.*m = false;
  }
  o.*family = true;
  return o;
}

TEST(Featurizer, WordsAreNormalisedLikeNormalize) {
  EXPECT_EQ(feats({"l'Été arrive, WE'RE pre-ordering"}, only(&FeatureOptions::words)),
            "l ete arrive we re pre ordering");
  EXPECT_EQ(feats({"Cœur ÉCOLE façade"}, only(&FeatureOptions::words)), "coeur ecole facade");
}

TEST(Featurizer, NumbersAreMarkersAndMixedWordsStayWords) {
  EXPECT_EQ(feats({"2-for-1 on 1.000.000 items in Q3 4k"}),
            "__num for __num on __num items in q3 4k");
  FeatureOptions values;
  values.small_number_values = true;
  values.emphasis = false;
  EXPECT_EQ(feats({"2-for-1 in 2024"}, values), "__num 2 for __num 1 in __num");
  FeatureOptions digits;
  digits.numbers = false;
  digits.emphasis = false;
  EXPECT_EQ(feats({"2-for-1"}, digits), "2 for 1");
}

TEST(Featurizer, EmojiAndSymbolsAreTokensOfTheirOwn) {
  EXPECT_EQ(feats({"Love it❤️👍🏽 ©"}, only(&FeatureOptions::symbols)), "❤ 👍 ©");
  EXPECT_EQ(feats({"so good😂😂"}, only(&FeatureOptions::words)), "so good");
}

TEST(Featurizer, PricesAndPercentages) {
  const auto o = only(&FeatureOptions::prices);
  EXPECT_EQ(feats({"12,90 € $49 49.99$ 20 EUR £5 and 3 cats"}, o),
            "__price __price __price __price __price");
  auto with_words = FeatureOptions{};
  with_words.emphasis = false;
  EXPECT_EQ(feats({"Only 12,90 € today, -30% or 30 % off"}, with_words),
            "only __price € today __pct or __pct off");
  EXPECT_EQ(feats({"$49 now"}, with_words), "$ __price now");
  EXPECT_EQ(feats({"gagnez 1 000 € ou 12\u202f500 €, le 18 2024"}, with_words),
            "gagnez __price € ou __price € le __num __num");
  EXPECT_EQ(feats({"%%%%"}, with_words), "% % % %");
}

TEST(Featurizer, PromoCodes) {
  FeatureOptions o;
  o.emphasis = false;
  EXPECT_EQ(feats({"Use WINTER20 at checkout"}, o), "use __code winter20 at checkout");
  EXPECT_EQ(feats({"code promo : NOEL, coupon Bake15"}, o),
            "code promo __code noel coupon __code bake15");
  // Shouting, a lower-case word after "code", a short token: no code.
  EXPECT_EQ(feats({"HUGE NEWS clean code matters B2B"}, o), "huge news clean code matters b2b");
}

TEST(Featurizer, HashtagsSplitIntoWordsAndDeduplicatedWithTheList) {
  Post p{"Vive les #SoldesDHiver et #BlackFriday2024 #sunset"};
  p.hashtags = {"soldesdhiver", "#Nofilter", "#sunset"};
  EXPECT_EQ(feats(p, only(&FeatureOptions::hashtags)),
            "__hashtag soldes d hiver soldesdhiver __hashtag black friday 2024 blackfriday2024 "
            "__hashtag sunset __hashtag nofilter");
  // Inline hashtags are taken out of the words; "#1" is a number. With hashtags off,
  // a hashtag is read as the word it is written as.
  auto words_and_tags = only(&FeatureOptions::words);
  words_and_tags.hashtags = true;
  EXPECT_EQ(feats({"We're #1 #HTMLParser"}, words_and_tags),
            "we re 1 __hashtag html parser htmlparser");
  EXPECT_EQ(feats({"We're #1 #HTMLParser"}, only(&FeatureOptions::words)), "we re 1 htmlparser");
  FeatureOptions o;
  o.emphasis = false;
  EXPECT_EQ(feats({"We're #1 #HTMLParser"}, o), "we re __num __hashtag html parser htmlparser");
}

// A post long enough to move the token bytes' buffer while it is read: the tokens read
// before the move are still right (run() reads the post again on the grown buffer).
TEST(Featurizer, TokensReadBeforeTheBufferGrowsStayRight) {
  Featurizer f;
  std::string text = "Premier #Debut ";
  std::string want = "premier __hashtag debut";
  for (int k = 0; k < 1500; ++k) {
    text += "mot ";
    want += " mot";
  }
  Post p{text};
  auto e = p.event();
  for (int round = 0; round < 2; ++round) {  // the second on the grown buffer
    std::string got;
    for (auto t : f.run(e, {})) {
      if (!got.empty()) got.push_back(' ');
      got.append(t);
    }
    EXPECT_EQ(got, want) << round;
  }
}

// The whitespace between chunks (skipped without tokenizing it) gives nothing, and a
// piece that only starts with whitespace keeps its words.
TEST(Featurizer, WhitespaceBetweenChunksGivesNoToken) {
  FeatureOptions o;
  o.emphasis = false;
  EXPECT_EQ(feats({"#un \t\n\r\f\v #deux  https://a.example/b \n@trois"}, o),
            "__hashtag un __hashtag deux __link h:a p:b __mention trois");
  EXPECT_EQ(feats({"#un \t mot #deux \n 12 €"}, o), "__hashtag un mot __hashtag deux __price €");
}

TEST(Featurizer, MentionsSplitIntoWordsAndDeduplicated) {
  Post p{"Thanks @acme_Bakery and @JaneDoe_42!"};
  p.mentions = {"@ACME_bakery", "bob", "jane-doe-42"};
  EXPECT_EQ(feats(p, only(&FeatureOptions::mentions)),
            "__mention acme bakery __mention jane doe 42 __mention bob");
  EXPECT_EQ(feats({"@JaneDoe42"}, only(&FeatureOptions::mentions)), "__mention jane doe 42");
  FeatureOptions o;
  o.emphasis = false;
  EXPECT_EQ(feats({"@JaneDoe42"}, o), "__mention jane doe __num");
}

TEST(Featurizer, LinksGiveHostAndPathWordsAndLeaveTheWords) {
  Post p{"Get it https://shop.bakery.example/promo/winter-box?utm=1, or www.bakery.example."};
  p.links = {"https://SHOP.bakery.example/promo/winter-box/", "http://bakery.example/caf%C3%A9/42"};
  EXPECT_EQ(feats(p, only(&FeatureOptions::links)),
            "__link h:shop h:bakery p:promo p:winter p:box __link h:bakery "
            "__link h:bakery p:cafe");
  EXPECT_EQ(feats(p, only(&FeatureOptions::words)), "get it or");
}

TEST(Featurizer, KindLanguageAndEmphasis) {
  Post p{"Bonjour !", "fr-CA", PostKind::reply};
  EXPECT_EQ(feats(p), "bonjour __kind_reply __lang_fr __excl __short");
  EXPECT_EQ(feats({"one two three four five six", "EN", PostKind::quote}),
            "one two three four five six __kind_quote __lang_en");
  EXPECT_EQ(feats({"a", "", PostKind::repost}), "a __kind_repost __short");
  EXPECT_EQ(feats({"a", "x1", PostKind::original}, only(&FeatureOptions::kind)), "__kind_original");
}

TEST(Featurizer, BrandTermsOnWordBoundariesOncePerTerm) {
  auto o = only(&FeatureOptions::brand);
  o.links = true;  // a brand term in a link's host counts
  Post p{"Acme One is out, acme one again, #Acme and Acmeville"};
  p.links = {"https://globex.example/x"};
  EXPECT_EQ(feats(p, o, {"Acme One", "Globex", "Initech", "Acme"}),
            "__link h:globex p:x __brand __brand __brand");
  EXPECT_EQ(feats({"Acmeville"}, o, {"Acme"}), "");
}

TEST(Featurizer, HostileInput) {
  Featurizer f;
  auto check = [&](const std::string& text, std::vector<std::string> links = {}) {
    Post p{text};
    p.links = std::move(links);
    p.hashtags = {"", "#", "##"};
    p.mentions = {"", "@"};
    auto e = p.event();
    for (auto t : f.run(e, {})) {
      EXPECT_FALSE(t.empty());
      for (char c : t) EXPECT_FALSE(c == ' ' || c == '\n' || c == '\t' || c == '\r') << t;
    }
  };
  check("");
  std::string emoji;
  while (emoji.size() < 64 * 1024) emoji += "😀";
  check(emoji);
  check("http:// https://////x www. http://%%%% https://a.b.c.d.e.f.g.h.i.j.k/@:/?#",
        {"", "://", "http://[::1]:80/x", "https://user@host.example:8080/a%zz%4"});
  check("%%%% 99999999999999999999999999999999999999 1.2.3.4.5.6,7,8");
  check("#" + std::string(500, 'a') + " #" + std::string(500, 'Z'));
  check("\xcc\x81\xcc\x81 \xcc\x81 x\xcc\x81 \xff\xfe\xc3");
  EXPECT_EQ(feats({"#" + std::string(500, 'a')}, only(&FeatureOptions::hashtags)),
            "__hashtag " + std::string(500, 'a'));
  EXPECT_EQ(feats({"\xcc\x81\xcc\x81"}, only(&FeatureOptions::words)), "");
}

TEST(Featurizer, NoTokenHoldsWhitespaceAndMarkersStartWithTwoUnderscores) {
  Post p{"Promo ÉTÉ: 12,90 € avec le code ETE2024 👉 https://shop.example/ete #Soldes @Acme !", "fr",
         PostKind::original};
  p.hashtags = {"LinkInBio"};
  auto e = p.event();
  Featurizer f;
  auto terms = normalize_terms(std::vector<std::string>{"Acme"});
  auto toks = f.run(e, terms);
  ASSERT_FALSE(toks.empty());
  for (auto t : toks) {
    EXPECT_EQ(t.find_first_of(" \t\n\r\f\v"), std::string_view::npos) << t;
    EXPECT_FALSE(t.empty());
  }
  EXPECT_EQ(feats(p, {}, {"Acme"}),
            "promo ete __price € avec le code __code ete2024 👉 __link h:shop p:ete __hashtag "
            "soldes __mention acme __hashtag link in bio linkinbio __kind_original __lang_fr "
            "__brand __excl");
}

TEST(Featurizer, AllocatesNothingOnceWarmedUp) {
  std::vector<Post> posts = {
      {"Promo ÉTÉ: 12,90 € avec le code ETE2024 👉 https://shop.example/ete #SoldesDHiver !", "fr",
       PostKind::original},
      {"Sunday pancakes with the kids. Half of the batter ended up on the ceiling 😂", "en",
       PostKind::reply},
      {"Thanks @acme_Bakery for the talk at #DevConf2024, slides: www.acme.example/talks/42", "en",
       PostKind::quote},
  };
  posts[0].hashtags = {"LinkInBio", "soldesdhiver"};
  posts[1].links = {"https://bakery.example/menu"};
  posts[2].mentions = {"JaneDoe"};
  std::vector<Event> events;
  for (auto& p : posts) events.push_back(p.event());
  auto terms = normalize_terms(std::vector<std::string>{"Acme", "Acme One", "Globex"});
  Featurizer f;
  std::size_t total = 0;
  for (const auto& e : events) total += f.run(e, terms).size();  // warm-up
  const auto before = test_support::allocations();
  for (int round = 0; round < 100; ++round) {
    for (const auto& e : events) total += f.run(e, terms).size();
  }
  EXPECT_EQ(test_support::allocations() - before, 0u);
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace kilter::pipeline

namespace kilter::pipeline {
namespace {

// A post of symbols only goes through utf8proc for each one: the output buffer must grow
// geometrically, not be re-filled for the rest of the text at every character (which was
// quadratic: minutes for a 1 MiB post).
TEST(Featurizer, LongPostOfRareCharactersIsLinear) {
  std::string text;
  std::size_t reps = 0;
  for (; text.size() < (1u << 20); ++reps) text += "😀\xef\xb7\xba";  // an emoji, U+FDFA
  Featurizer f;
  Post p{text};
  auto e = p.event();
  auto toks = f.run(e, {});
  EXPECT_EQ(toks.size(), reps * 5);  // the emoji, and the 4 words U+FDFA folds to
}

}  // namespace
}  // namespace kilter::pipeline
