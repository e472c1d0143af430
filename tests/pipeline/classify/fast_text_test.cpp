// The featurizer's fast tokenizer gives byte-identical results to normalize() (the
// utf8proc reference): on the shipped corpora, on every code point, on random and
// adversarial strings.
#include "pipeline/classify/fast_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pipeline/classify/classifier.h"
#include "pipeline/ingest/decoder.h"

namespace kilter::pipeline {
namespace {

std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

void expect_same(std::string_view s) {
  ASSERT_EQ(text::fast_normalize(s), normalize(s)) << "input: " << s;
}

// Each post of `file`: its text and hashtags.
std::size_t check_file(const std::string& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in) << file;
  Decoder decoder(64 * 1024);
  Event ev;
  std::string line;
  std::size_t posts = 0;
  while (std::getline(in, line)) {
    if (!decoder.decode(line, ev).ok || ev.type != EventType::post) continue;
    expect_same(ev.text);
    for (auto h : ev.hashtags) expect_same(h);
    ++posts;
  }
  return posts;
}

TEST(FastNormalize, ShippedCorporaGiveTheSameTokensAsNormalize) {
  std::size_t posts = 0;
  for (const char* file :
       {KILTER_TEST_DATA "/classifier_dev.ndjson", KILTER_TEST_DATA "/classifier_heldout.ndjson"}) {
    posts += check_file(file);
  }
  EXPECT_GT(posts, 600u);
  // The labelled corpus of the learned model, every split.
  const std::filesystem::path corpus = KILTER_SOURCE_DIR "/pipeline/classify/corpus";
  if (std::filesystem::is_directory(corpus)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(corpus)) {
      if (e.path().extension() == ".ndjson") {
        EXPECT_GT(check_file(e.path().string()), 0u) << e.path();
      }
    }
  }
}

TEST(FastNormalize, EveryCodePointAloneAndBetweenLettersAndDigits) {
  // The table's range one by one, in every neighbourhood that changes a token.
  for (char32_t cp = 0; cp < 0x180; ++cp) {
    const auto c = utf8(cp);
    for (const char* ctx : {"", "a", "Z", "1", " ", "é", "€"}) {
      expect_same(std::string(ctx) + c + ctx);
      expect_same(c + std::string(ctx) + c + c);
    }
  }
  // Everything else in blocks (surrogates are not code points).
  std::string block;
  for (char32_t cp = 0x180; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    block += utf8(cp);
    block += (cp % 3 == 0) ? "a" : (cp % 3 == 1) ? "" : "7";
    if (block.size() > 4000) {
      expect_same(block);
      block.clear();
    }
  }
  expect_same(block);
}

TEST(FastNormalize, AdversarialStrings) {
  for (const char* s : {
           "",
           " ",
           "l'Été",
           "L’ÉTÉ À PARIS",
           "cœur Œuvre ÆON straße ŉ ĳ ſ",
           "½ ¼ ¾ 1½kg",
           "\xcc\x81\xcc\x81 lone marks \xcc\x81",
           "e\xcc\x81t\xc3\xa9",
           "%%%%",
           "$$$",
           "👨‍👩‍👧 👍🏽 ❤️ 🇫🇷",
           "ﬁne ﬂour ＦＵＬＬ",
           "\xef\xb7\xba",  // U+FDFA
           "\xc3",
           "\xc3(",
           "\xc5\xbf",
           "\xc6\x80",
           "\xed\xa0\x80",
           "\xf4\x90\x80\x80",
           "\xc0\xaf",
           "\xff\xfe",
           "soft\xc2\xad"
           "hyphen",
           "zero\xe2\x80\x8bwidth",
           "12,90 € $49 49.99$ 20 EUR £5 -30% 30 %",
           "WINTER20 #SoldesDHiver @acme_Bakery",
           "日本語のテキスト",
           "مرحبا بالعالم",
           "Ω ω Σ ς",
           "İstanbul ı",
           "x\ty\nz\r\v\f",
       }) {
    expect_same(s);
  }
}

// The Featurizer skips a piece of text that is whitespace alone (between two hashtags or
// links) without tokenizing it: whitespace must give no token.
TEST(FastNormalize, WhitespaceAloneGivesNoToken) {
  const std::string ws = " \t\n\r\f\v";
  std::string out;
  std::vector<text::FastToken> toks;
  for (char a : ws) {
    for (char b : ws) {
      for (std::size_t n = 1; n <= 40; n += 13) {
        std::string s(n, a);
        s.push_back(b);
        out.clear();
        toks.clear();
        text::tokenize_fast(s, text::FastMode::text, out, toks);
        EXPECT_TRUE(toks.empty()) << static_cast<int>(a) << " " << static_cast<int>(b);
        EXPECT_EQ(normalize(s), "");
      }
    }
  }
}

TEST(FastNormalize, RandomStrings) {
  // Random mixes of the pieces that matter, then random bytes.
  const std::vector<std::string> pieces = {"a",      "Z",
                                           "é",      "É",
                                           "ç",      "œ",
                                           "Œ",      "ß",
                                           "ŉ",      "½",
                                           "7",      " ",
                                           "'",      "-",
                                           "’",      "$",
                                           "%",      "€",
                                           "£",      "🎉",
                                           "\u200d", "🏽",
                                           "\u0301", "\u00ad",
                                           "\ufe0f", "ﬁ",
                                           "Ａ",     "ǅ",
                                           "日",     "\xc3",
                                           "\x80",   "\xff",
                                           "ı",      "İ",
                                           "ø",      "Ł",
                                           "đ",      "\xe2\x81\x84",
                                           ".",      ",",
                                           "#",      "@"};
  std::mt19937 rng(12);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> len(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    for (int i = len(rng); i > 0; --i) s += pieces[pick(rng)];
    expect_same(s);
    std::string b;
    for (int i = len(rng); i > 0; --i) b.push_back(static_cast<char>(byte(rng)));
    expect_same(b);
  }
}

}  // namespace
}  // namespace kilter::pipeline
