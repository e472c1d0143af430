// The demo with texts from labelled files (`--texts`) and with trusted labels
// (`--trusted-labels`): the plan is the composed demo's, each post takes a post of
// its intended category and language from the files, the same seed and files give
// the same bytes, and the labels appear only when asked for.
#include <unistd.h>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "tools/loadgen/generator.h"

namespace kilter::loadgen {
namespace {

namespace fs = std::filesystem;

class DemoTexts : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("kilter-loadgen-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  // `n` posts per (category, language) with texts "CATEGORY LANG i", in FILE order;
  // the French ones without `lang` (expected_lang instead), the English ones with.
  std::string labelled_file(int n, const std::set<std::string>& leave_out = {}) {
    std::string out;
    for (const char* c : {"personal", "professional", "promotional"}) {
      for (const char* l : {"en", "fr"}) {
        if (leave_out.count(std::string(c) + " " + l)) continue;
        for (int i = 0; i < n; ++i) {
          out +=
              std::string(R"({"type":"post","text":")") + c + " " + l + " " + std::to_string(i) +
              R"(","expected":")" + c + "\"" +
              (std::string(l) == "en" ? R"(,"lang":"en","kind":"quote","hashtags":["t"])"
                                      : R"(,"expected_lang":"fr","links":["https://l.example"])") +
              "}\n";
        }
      }
    }
    return write("labelled.ndjson", out);
  }

  static std::vector<std::string> lines(const GeneratorOptions& opts) {
    auto gen = Generator::create(opts);
    EXPECT_TRUE(gen.ok()) << gen.error().message;
    std::vector<std::string> out;
    if (!gen.ok()) return out;
    for (std::string line; gen->next(line);) out.push_back(line);
    return out;
  }

  static std::string field(const std::string& line, std::string_view key) {
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    EXPECT_EQ(parser.parse(line).get_object().get(obj), simdjson::SUCCESS) << line;
    std::string_view v;
    if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
    return std::string(v);
  }

  static bool has(const std::string& line, std::string_view key) {
    return line.find("\"" + std::string(key) + "\":") != std::string::npos;
  }

  fs::path dir_;
};

TEST_F(DemoTexts, EachPostTakesAFilePostOfItsCategoryAndLanguageCycledThroughThePool) {
  GeneratorOptions opts;
  opts.texts = {labelled_file(5)};
  opts.label_field = "expected";
  auto out = lines(opts);
  ASSERT_FALSE(out.empty());

  // post_id -> text; each text "CATEGORY LANG i" matches the post's intended label.
  std::map<std::string, std::string> text_of;
  std::map<std::string, std::map<std::string, int>> uses;  // "CATEGORY LANG" -> text -> posts
  for (const auto& line : out) {
    if (field(line, "type") != "post") continue;
    auto text = field(line, "text");
    auto label = field(line, "expected");
    ASSERT_EQ(text.rfind(label + " ", 0), 0u) << line;
    auto pair = text.substr(0, text.rfind(' '));
    bool english = pair.ends_with(" en");
    // The rest of the file's post comes along, and no more.
    EXPECT_EQ(has(line, "lang"), english) << line;
    EXPECT_EQ(has(line, "kind"), english) << line;
    EXPECT_EQ(has(line, "hashtags"), english) << line;
    EXPECT_EQ(has(line, "links"), !english) << line;
    EXPECT_FALSE(has(line, "mentions")) << line;
    EXPECT_FALSE(has(line, "category")) << line;
    if (english) {
      EXPECT_EQ(field(line, "lang"), "en");
      EXPECT_EQ(field(line, "kind"), "quote");
    }
    auto id = field(line, "post_id");
    auto [it, fresh] = text_of.emplace(id, text);
    EXPECT_EQ(it->second, text) << "a duplicate delivery of " << id << " changed its text";
    if (fresh) ++uses[pair][text];
  }
  // All six pairs are planned; each pool is cycled through: every text is used,
  // and no text more than once more than another.
  ASSERT_EQ(uses.size(), 6u);
  for (const auto& [pair, counts] : uses) {
    EXPECT_EQ(counts.size(), 5u) << pair;
    int lo = 1 << 30, hi = 0;
    for (const auto& [text, n] : counts) {
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
    EXPECT_LE(hi - lo, 1) << pair;
  }
}

TEST_F(DemoTexts, ThePlanIsTheComposedDemosAndTheBytesFollowTheSeedAndFile) {
  GeneratorOptions composed;
  GeneratorOptions texts;
  texts.texts = {labelled_file(3)};
  auto a = lines(composed);
  auto b = lines(texts);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (field(a[i], "type") != "post") {
      EXPECT_EQ(a[i], b[i]);  // engagement and followers: the same events, same order
      continue;
    }
    for (auto key : {"type", "id", "account", "ts", "post_id"}) {
      EXPECT_EQ(field(a[i], key), field(b[i], key)) << key << " of line " << i;
    }
    EXPECT_NE(field(a[i], "text"), field(b[i], "text"));
  }
  EXPECT_EQ(lines(texts), b);  // the same seed and file: the same bytes

  GeneratorOptions other = texts;
  other.seed = 7;
  auto c = lines(other);
  GeneratorOptions other_composed;
  other_composed.seed = 7;
  auto d = lines(other_composed);
  ASSERT_EQ(c.size(), d.size());
  // Another seed: another plan, and another draw of texts (compared on the posts
  // the two seeds' plans share: same account and number).
  std::map<std::string, std::string> seed42, seed7;
  for (const auto& l : b) {
    if (field(l, "type") == "post") seed42[field(l, "post_id")] = field(l, "text");
  }
  for (const auto& l : c) {
    if (field(l, "type") == "post") seed7[field(l, "post_id")] = field(l, "text");
  }
  int differ = 0;
  for (const auto& [id, text] : seed7) differ += seed42.count(id) && seed42[id] != text;
  EXPECT_GT(differ, 0);
}

TEST_F(DemoTexts, APairTheFilesLackIsAnErrorNamingIt) {
  GeneratorOptions opts;
  opts.texts = {labelled_file(2, {"promotional fr", "personal en"})};
  auto gen = Generator::create(opts);
  ASSERT_FALSE(gen.ok());
  const auto& m = gen.error().message;
  EXPECT_NE(m.find("no post labelled personal in en (needed by "), std::string::npos) << m;
  EXPECT_NE(m.find("promotional in fr (needed by "), std::string::npos) << m;
  EXPECT_EQ(m.find("professional"), std::string::npos) << m;

  opts.texts = {write("empty.ndjson", "")};
  gen = Generator::create(opts);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.error().message.find("no post labelled personal in en"), std::string::npos);
}

TEST_F(DemoTexts, ABadLineOfAFileIsAnErrorWithItsFileAndLine) {
  GeneratorOptions opts;
  auto good = labelled_file(1);
  auto bad = write("bad.ndjson", R"({"text":"x","category":"personal","lang":"en"})"
                                 "\n"
                                 R"({"text":"x","category":"personal","lang":"xx"})"
                                 "\n");
  opts.texts = {good, bad};
  auto gen = Generator::create(opts);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.error().message.find(bad + ":2: language \"xx\""), std::string::npos)
      << gen.error().message;
}

TEST_F(DemoTexts, TextsAreForTheDemoOnly) {
  GeneratorOptions opts;
  opts.scenario = Scenario::load;
  opts.texts = {labelled_file(1)};
  auto gen = Generator::create(opts);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.error().message.find("demo scenario only"), std::string::npos);
}

TEST_F(DemoTexts, TrustedLabelsWriteTheIntendedCategoryAsCategory) {
  GeneratorOptions plain;
  GeneratorOptions trusted;
  trusted.trusted_labels = true;
  trusted.label_field = "expected";
  auto a = lines(plain);
  auto b = lines(trusted);
  ASSERT_EQ(a.size(), b.size());
  std::size_t posts = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (field(b[i], "type") != "post") {
      EXPECT_EQ(a[i], b[i]);
      continue;
    }
    ++posts;
    auto category = field(b[i], "category");
    EXPECT_TRUE(category == "personal" || category == "professional" || category == "promotional")
        << b[i];
    EXPECT_EQ(category, field(b[i], "expected"));
    EXPECT_FALSE(has(a[i], "category"));
    // Nothing else changes: the same line with the two labels added.
    auto labels = R"(,"category":")" + category + R"(","expected":")" + category + "\"";
    auto stripped = b[i];
    auto at = stripped.find(labels);
    ASSERT_NE(at, std::string::npos) << b[i];
    stripped.erase(at, labels.size());
    EXPECT_EQ(stripped, a[i]);
  }
  EXPECT_GT(posts, 100u);

  // With texts too.
  trusted.texts = {labelled_file(2)};
  for (const auto& line : lines(trusted)) {
    if (field(line, "type") == "post") {
      EXPECT_EQ(field(line, "category"), field(line, "expected"));
      EXPECT_EQ(field(line, "text").rfind(field(line, "category") + " ", 0), 0u) << line;
    }
  }
}

TEST_F(DemoTexts, TheLabelFieldCategoryIsStillRefusedAndSaysWhatToUse) {
  GeneratorOptions opts;
  opts.label_field = "category";
  auto gen = Generator::create(opts);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.error().message.find("--trusted-labels"), std::string::npos) << gen.error().message;
}

}  // namespace
}  // namespace kilter::loadgen
