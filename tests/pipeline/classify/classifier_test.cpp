#include "pipeline/classify/classifier.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/owned_post.h"

namespace kilter::pipeline {
namespace {

namespace fs = std::filesystem;

struct Post : test_support::OwnedPost {
  Post() { kind = PostKind::original; }
  std::string expected;
};

std::unique_ptr<Classifier> make(ClassifierOptions opts = {}) {
  auto c = make_lexicon_classifier(opts);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(c).value() : nullptr;
}

Classification run(Classifier& c, Post p, std::span<const std::string> brand = {}) {
  auto e = p.event();
  return c.classify(e, brand);
}

std::vector<std::string> matched(const Classification& r) {
  return {r.matched.begin(), r.matched.end()};
}

bool has(const Classification& r, std::string_view term) {
  return std::find(r.matched.begin(), r.matched.end(), term) != r.matched.end();
}

class ClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override { c_ = make(); }
  Classification text(std::string t, std::string lang = "") {
    Post p;
    p.text = std::move(t);
    p.lang = std::move(lang);
    return run(*c_, std::move(p));
  }
  std::unique_ptr<Classifier> c_;
};

TEST(Normalize, FoldsCaseAccentsAndPunctuation) {
  EXPECT_EQ(normalize("RÉSULTATS"), "resultats");
  EXPECT_EQ(normalize("résultats"), normalize("RESULTATS"));
  EXPECT_EQ(normalize("L’Équipe  a   GAGNÉ !"), "l equipe a gagne");
  EXPECT_EQ(normalize("Cœur ÆON straße"), "coeur aeon strasse");
  EXPECT_EQ(normalize("ﬁnance Ｑ３"), "finance q3");  // compatibility forms
  EXPECT_EQ(normalize("e\u0301te\u0301"), "ete");     // combining accents
  EXPECT_EQ(normalize("week-end 20% ❤️"), "week end 20 % ❤");
  EXPECT_EQ(normalize("  "), "");
}

TEST(Normalize, TermsAreNormalisedDedupedAndEmptyDropped) {
  std::vector<std::string> in = {"Acme Cloud", "ACME  cloud", "", "Zoë"};
  EXPECT_EQ(normalize_terms(in), (std::vector<std::string>{"acme cloud", "zoe"}));
}

TEST_F(ClassifierTest, EnglishExamples) {
  EXPECT_EQ(text("Sunday pancakes with my kids, the dog stole one").category, Category::personal);
  EXPECT_EQ(text("We're hiring a senior engineer for our data platform team").category,
            Category::professional);
  EXPECT_EQ(text("Our quarterly earnings beat the forecast; revenue up 9%").category,
            Category::professional);
  EXPECT_EQ(text("Flash sale! 40% off sitewide, use code SAVE40 at checkout").category,
            Category::promotional);
}

TEST_F(ClassifierTest, FrenchExamples) {
  EXPECT_EQ(text("Balade en famille au bord du lac ce dimanche").category, Category::personal);
  EXPECT_EQ(text("Nous publions notre rapport annuel : chiffre d'affaires en hausse").category,
            Category::professional);
  EXPECT_EQ(text("Livraison offerte et code promo ETE15 sur toute la boutique").category,
            Category::promotional);
}

TEST_F(ClassifierTest, AccentsAndCaseDoNotMatter) {
  auto a = text("RÉSULTATS FINANCIERS DU TRIMESTRE");
  auto b = text("resultats financiers du trimestre");
  EXPECT_EQ(a.category, Category::professional);
  EXPECT_EQ(matched(a), matched(b));
  EXPECT_TRUE(has(a, "resultats financiers")) << ::testing::PrintToString(matched(a));
}

TEST_F(ClassifierTest, PhrasesMatchAsOneTermAndWinOverTheirWords) {
  auto r = text("New drops every week, link in bio");
  EXPECT_EQ(r.category, Category::promotional);
  EXPECT_TRUE(has(r, "link in bio"));
  auto b = text("Happy birthday little brother!");
  EXPECT_EQ(b.category, Category::personal);
  EXPECT_TRUE(has(b, "happy birthday"));
  EXPECT_FALSE(has(b, "birthday"));  // covered by the longer phrase
}

TEST_F(ClassifierTest, PrefixEntriesMatchWordForms) {
  for (const char* t : {"On recrute !", "Nous recrutons deux profils", "Campagne de recrutement"}) {
    auto r = text(t);
    EXPECT_EQ(r.category, Category::professional) << t;
    EXPECT_FALSE(r.matched.empty()) << t;
  }
  EXPECT_TRUE(has(text("Campagne de recrutement"), "recrutement"));
}

TEST_F(ClassifierTest, HashtagsAreSplitAndMatchedWithAndWithoutHash) {
  Post p;
  p.text = "New look for spring";
  p.hashtags = {"#LinkInBio"};
  auto r = run(*c_, p);
  EXPECT_EQ(r.category, Category::promotional);
  EXPECT_TRUE(has(r, "link in bio")) << ::testing::PrintToString(matched(r));

  Post q;
  q.text = "Exciting times";
  q.hashtags = {"black_friday", "WeAreHiring"};
  auto s = run(*c_, q);
  EXPECT_TRUE(has(s, "black friday")) << ::testing::PrintToString(matched(s));
  EXPECT_TRUE(has(s, "we are hiring")) << ::testing::PrintToString(matched(s));

  auto inline_tag = text("Big news today #WeAreHiring");
  EXPECT_EQ(inline_tag.category, Category::professional);
  EXPECT_TRUE(has(inline_tag, "we are hiring"));
}

TEST_F(ClassifierTest, LinkDomainsAndPathsCarryWeight) {
  Post shop;
  shop.text = "Have a look";
  shop.links = {"https://shop.example.com/item/42"};
  auto r = run(*c_, shop);
  EXPECT_EQ(r.category, Category::promotional);
  EXPECT_TRUE(has(r, "domain:shop.*"));

  Post careers;
  careers.text = "Have a look";
  careers.links = {"https://www.example.com/en/careers/"};
  auto s = run(*c_, careers);
  EXPECT_EQ(s.category, Category::professional);
  EXPECT_TRUE(has(s, "path:/careers"));

  auto inline_link = text("Have a look https://www.linkedin.com/pulse/some-article");
  EXPECT_EQ(inline_link.category, Category::professional);
  EXPECT_TRUE(has(inline_link, "domain:linkedin.com"));
}

TEST_F(ClassifierTest, BrandTermsAddProfessionalVocabulary) {
  auto brand = normalize_terms(std::vector<std::string>{"Zorblat", "Quux Engine"});
  Post p;
  p.text = "Took the new Zorblat for a spin with the Quux Engine";
  auto without = run(*c_, p);
  EXPECT_NE(without.category, Category::professional);
  auto with = run(*c_, p, brand);
  EXPECT_EQ(with.category, Category::professional);
  EXPECT_TRUE(has(with, "zorblat"));
  EXPECT_TRUE(has(with, "quux engine"));
}

TEST_F(ClassifierTest, TrustedCategoryWins) {
  Post p;
  p.text = "Flash sale! 40% off everything, shop now";
  p.category = Category::personal;
  auto r = run(*c_, p);
  EXPECT_EQ(r.category, Category::personal);
  EXPECT_TRUE(r.trusted);
  EXPECT_FLOAT_EQ(r.confidence, 1.0f);
  EXPECT_TRUE(r.matched.empty());
}

TEST_F(ClassifierTest, MatchedTermsAreWeightiestFirstAndCapped) {
  auto r = text(
      "Flash sale: free shipping, promo code inside, buy now, limited edition, last chance, "
      "gift guide, best sellers, back in stock, shop now");
  EXPECT_EQ(r.category, Category::promotional);
  ASSERT_EQ(r.matched.size(), 8u);
  EXPECT_EQ(r.matched[0], "flash sale");  // the heaviest promotional entry
  EXPECT_GT(r.confidence, 0.8f);
  EXPECT_LE(r.confidence, 1.0f);
}

TEST_F(ClassifierTest, ConfidenceReflectsMarginAndEvidence) {
  auto strong = text("Flash sale: 50% off, free shipping, shop now");
  auto weak = text("Nice shop");
  auto mixed = text("Our team is hiring; also our shop has a sale");
  EXPECT_GT(strong.confidence, weak.confidence);
  EXPECT_GT(weak.confidence, 0.0f);
  EXPECT_LT(mixed.confidence, strong.confidence);
}

TEST_F(ClassifierTest, NoEvidenceFallsBackToAWeakPersonalGuess) {
  auto r = text("zzz qqq");
  EXPECT_EQ(r.category, Category::personal);
  EXPECT_TRUE(r.matched.empty());
  EXPECT_LE(r.confidence, 0.15f);

  ClassifierOptions strict;
  strict.min_confidence = 0.2;
  auto c = make(strict);
  Post p;
  p.text = "zzz qqq";
  EXPECT_EQ(run(*c, p).category, Category::unclassified);
  p.text = "Flash sale: 50% off, free shipping, shop now";
  EXPECT_EQ(run(*c, p).category, Category::promotional);
}

TEST_F(ClassifierTest, LanguageHintWeighsItsLexiconUp) {
  auto plain = text("Les soldes et une réunion");
  auto hinted = text("Les soldes et une réunion", "fr-FR");
  EXPECT_EQ(plain.category, hinted.category);
  EXPECT_GT(hinted.confidence, plain.confidence);
}

TEST(ClassifierOptionsTest, LanguagesSelectShippedLexicons) {
  ClassifierOptions fr_only;
  fr_only.languages = {"fr"};
  auto c = make(fr_only);
  Post p;
  p.text = "giveaway";
  EXPECT_TRUE(run(*c, p).matched.empty());  // English entry not loaded
  p.text = "jeu concours";
  EXPECT_EQ(run(*c, p).category, Category::promotional);

  ClassifierOptions unknown;
  unknown.languages = {"xx"};
  auto r = make_lexicon_classifier(unknown);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'xx'"), std::string::npos) << r.error().message;
}

class ExtraLexiconTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kilter_classifier_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& body) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << body;
    return path;
  }
  fs::path dir_;
};

TEST_F(ExtraLexiconTest, LoadsEntriesAndOverridesShippedWeights) {
  ClassifierOptions opts;
  opts.extra_lexicon_files = {write("acme.txt",
                                    "# Acme vocabulary\n"
                                    "\n"
                                    "professional 3 frobnicator\n"
                                    "promotional 2.5 frob deal*\n"
                                    "promotional 0 free\n")};
  auto c = make(opts);
  Post p;
  p.text = "The FROBNICATOR is ready";
  auto r = run(*c, p);
  EXPECT_EQ(r.category, Category::professional);
  EXPECT_TRUE(has(r, "frobnicator"));
  p.text = "Frob dealers unite";
  EXPECT_TRUE(has(run(*c, p), "frob dealers"));
  p.text = "free";
  EXPECT_TRUE(run(*c, p).matched.empty());  // the shipped entry is switched off
}

TEST_F(ExtraLexiconTest, BadLineIsAnErrorWithFileAndLine) {
  ClassifierOptions opts;
  auto path = write("bad.txt", "# ok\nprofessional 1 report\nfunny 1 joke\n");
  opts.extra_lexicon_files = {path};
  auto r = make_lexicon_classifier(opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(path + ":3"), std::string::npos) << r.error().message;

  for (const char* body :
       {"personal x walk\n", "personal 1\n", "personal 1 ab*\n", "promotional 1 path:shop\n",
        "promotional 1 domain:a b\n", "personal 1 !!!\n"}) {
    opts.extra_lexicon_files = {write("bad2.txt", body)};
    auto e = make_lexicon_classifier(opts);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_NE(e.error().message.find("bad2.txt:1"), std::string::npos) << e.error().message;
  }
}

TEST_F(ExtraLexiconTest, UnreadableFileIsAnError) {
  ClassifierOptions opts;
  opts.extra_lexicon_files = {(dir_ / "missing.txt").string()};
  auto r = make_lexicon_classifier(opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing.txt"), std::string::npos);
}

// --- dev set ------------------------------------------------------------------

// Enough JSON for the dev set: one flat object of strings, numbers and string arrays.
class MiniJson {
 public:
  explicit MiniJson(std::string_view s) : s_(s) {}
  bool object(std::map<std::string, std::vector<std::string>>& out) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    do {
      std::string key;
      if (!string(key) || !eat(':')) return false;
      auto& vals = out[key];
      if (eat('[')) {
        if (eat(']')) continue;
        do {
          vals.emplace_back();
          if (!string(vals.back())) return false;
        } while (eat(','));
        if (!eat(']')) return false;
      } else {
        vals.emplace_back();
        if (!string(vals.back()) && !scalar(vals.back())) return false;
      }
    } while (eat(','));
    return eat('}');
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool scalar(std::string& out) {
    ws();
    while (i_ < s_.size() && std::string_view(",}] ").find(s_[i_]) == std::string_view::npos) {
      out += s_[i_++];
    }
    return !out.empty();
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool hex4(unsigned& v) {
    if (i_ + 4 > s_.size()) return false;
    v = static_cast<unsigned>(std::stoul(std::string(s_.substr(i_, 4)), nullptr, 16));
    i_ += 4;
    return true;
  }
  bool string(std::string& out) {
    if (!eat('"')) return false;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            unsigned lo = 0;
            if (!hex4(lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default:
          out += e;
      }
    }
    return eat('"');
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

std::vector<Post> load_dev_set() {
  std::vector<Post> posts;
  std::ifstream in(std::string(KILTER_TEST_DATA) + "/classifier_dev.ndjson");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::map<std::string, std::vector<std::string>> f;
    if (!MiniJson(line).object(f)) {
      ADD_FAILURE() << "bad dev line: " << line;
      continue;
    }
    auto one = [&](const char* k) { return f[k].empty() ? std::string() : f[k][0]; };
    Post p;
    p.text = one("text");
    p.lang = one("lang");
    p.kind = parse_post_kind(one("kind")).value_or(PostKind::unknown);
    p.hashtags = f["hashtags"];
    p.mentions = f["mentions"];
    p.links = f["links"];
    p.expected = one("expected");
    posts.push_back(std::move(p));
  }
  return posts;
}

TEST(ClassifierDevSet, AccuracyIsAtLeastNinetyPercent) {
  auto posts = load_dev_set();
  ASSERT_GE(posts.size(), 150u);
  auto c = make();
  ASSERT_TRUE(c);
  std::size_t right = 0;
  std::map<std::string, std::array<std::size_t, 2>> by_lang;  // right, total
  for (auto& p : posts) {
    auto r = run(*c, p);
    bool ok = to_string(r.category) == p.expected;
    right += ok;
    auto& l = by_lang[p.lang.substr(0, 2).empty() ? "?" : p.lang.substr(0, 2)];
    l[0] += ok;
    l[1] += 1;
    if (!ok) {
      std::printf("  miss: expected %-12s got %-12s %.2f [%s] %s\n", p.expected.c_str(),
                  std::string(to_string(r.category)).c_str(), r.confidence,
                  ::testing::PrintToString(matched(r)).c_str(), p.text.c_str());
    }
  }
  double accuracy = static_cast<double>(right) / static_cast<double>(posts.size());
  std::printf("classifier dev-set accuracy: %.3f (%zu/%zu)", accuracy, right, posts.size());
  for (const auto& [lang, n] : by_lang) std::printf("  %s %zu/%zu", lang.c_str(), n[0], n[1]);
  std::printf("\n");
  EXPECT_GE(accuracy, 0.9);
}

}  // namespace
}  // namespace kilter::pipeline
