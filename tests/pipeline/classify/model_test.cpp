// The learned model's file and arithmetic, on small hand-made models: hostile files are
// errors, a round trip keeps everything, logits follow fastText's formula (checked by
// hand here; against libfasttext itself in train_tests), and the classifier port.
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "pipeline/classify/features.h"
#include "pipeline/classify/model.h"
#include "tests/support/alloc_counter.h"

namespace kilter::pipeline {
namespace {

constexpr std::uint32_t kBucket = 64;

ModelData small_model() {
  ModelData d;
  d.minn = 2;
  d.maxn = 3;
  d.word_ngrams = 2;
  d.bucket = kBucket;
  d.temperature = 1.5f;
  d.info = "hand-made";
  // "__short": the Featurizer marks posts of at most 5 words; neutral here.
  d.words = {"</s>", "sale", "family", "meeting", "__kind_reply", "h:shop.example", "__short"};
  d.word_contrib = {{0.1f, 0.1f, 0.1f}, {-1, 0, 4}, {5, -1, -1}, {-1, 4, 0},
                    {0, 2, 0.5f},       {-2, 0, 6}, {0, 0, 0}};
  d.word_rows = {1, 3, 4, 5, 2, 3, 1};
  for (std::uint32_t b = 0; b < kBucket; ++b)
    d.bucket_contrib.push_back({0.01f * static_cast<float>(b), -0.02f * static_cast<float>(b % 7),
                                0.03f * static_cast<float>(b % 5)});
  return d;
}

std::vector<std::byte> small_file() {
  return encode_model(small_model());
}

void add(Scores& a, const Scores& b) {
  for (int c = 0; c < 3; ++c) a[c] += b[c];
}

std::uint64_t word_ngram(std::string_view a, std::string_view b) {
  auto ha = static_cast<std::uint64_t>(
      static_cast<std::int64_t>(static_cast<std::int32_t>(fasttext_hash(a))));
  auto hb = static_cast<std::uint64_t>(
      static_cast<std::int64_t>(static_cast<std::int32_t>(fasttext_hash(b))));
  return (ha * 116049371 + hb) % kBucket;
}

// Rewrites the checksum, as a hostile writer would.
void reseal(std::vector<std::byte>& f) {
  auto body = std::string_view(reinterpret_cast<const char*>(f.data()), f.size() - 8);
  auto h = hash64(body, 0x4B494C544D4F444Cull);
  for (int i = 0; i < 8; ++i) f[f.size() - 8 + i] = static_cast<std::byte>(h >> (8 * i));
}

void put_u32(std::vector<std::byte>& f, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) f[at + i] = static_cast<std::byte>(v >> (8 * i));
}

// Offsets in small_file(): header 24, 3 labels (4 + 43), 4 parameters, temperature,
// info (4 + 9), then the word count.
constexpr std::size_t kWordsAt = 24 + 4 + 43 + 16 + 4 + 4 + 9;

TEST(ModelFile, RoundTripKeepsEverything) {
  auto bytes = small_file();
  auto m = Model::load(bytes);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const auto& d = m->data();
  auto want = small_model();
  EXPECT_EQ(d.words, want.words);
  EXPECT_EQ(d.word_contrib, want.word_contrib);
  EXPECT_EQ(d.word_rows, want.word_rows);
  EXPECT_EQ(d.bucket_contrib, want.bucket_contrib);
  EXPECT_EQ(d.info, "hand-made");
  EXPECT_EQ(d.temperature, 1.5f);
  EXPECT_EQ(d.minn, 2);
  EXPECT_EQ(d.maxn, 3);
  EXPECT_EQ(d.word_ngrams, 2);
  EXPECT_EQ(m->file_bytes(), bytes.size());
  EXPECT_EQ(encode_model(d), bytes);
}

TEST(ModelFile, EveryTruncationIsAnError) {
  auto bytes = small_file();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto m = Model::load(std::span(bytes).first(n));
    EXPECT_FALSE(m.ok()) << n;
  }
}

TEST(ModelFile, EveryFlippedByteIsAnError) {
  auto bytes = small_file();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto f = bytes;
    f[i] ^= std::byte{0x5A};
    EXPECT_FALSE(Model::load(f).ok()) << i;
  }
}

TEST(ModelFile, AbsurdSizesWithAValidChecksumAreErrorsNotAllocations) {
  auto bytes = small_file();
  auto same = bytes;
  reseal(same);
  ASSERT_EQ(same, bytes);  // so what follows is refused for its content, not its checksum
  struct Case {
    std::size_t at;
    std::uint32_t value;
  };
  for (auto c : {Case{kWordsAt, 0xFFFFFFFF}, Case{kWordsAt, 1'000'000},
                 Case{kWordsAt + 4, 0xFFFFFFF0}, Case{24 + 4 + 43 + 12, 0xFFFFFFFF},  // bucket
                 Case{24 + 4 + 43 + 12, 63}, Case{24 + 4 + 43 + 16 + 4, 0x7FFFFFFF},  // info
                 Case{24 + 4 + 43 + 8, 0},            // word n-grams
                 Case{24 + 4 + 43 + 4, 99},           // maxn
                 Case{24 + 4 + 43 + 16, 0x7FC00000},  // NaN temperature
                 Case{24, 4}, Case{28, 0xFFFFFFFF}}) {
    auto f = bytes;
    put_u32(f, c.at, c.value);
    reseal(f);
    auto m = Model::load(f);
    ASSERT_FALSE(m.ok()) << c.at << " = " << c.value;
    EXPECT_EQ(m.error().message.find("checksum"), std::string::npos) << m.error().message;
  }
  // A duplicate word.
  auto d = small_model();
  d.words[2] = "sale";
  auto f = encode_model(d);
  auto m = Model::load(f);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("duplicate"), std::string::npos);
}

// Found by fuzz_model: finite contributions near FLT_MAX summed to infinity, and the
// probabilities to NaN.
TEST(ModelFile, ContributionsTooLargeToSumAreRefused) {
  auto d = small_model();
  d.word_contrib[1] = {3e38f, -3e38f, 0};
  d.bucket_contrib[5] = {0, 0, 2e38f};
  auto f = encode_model(d);
  auto m = Model::load(f);
  if (m.ok()) {
    auto l = m->logits(std::vector<std::string_view>{"sale", "sale", "sale"});
    for (float v : l) EXPECT_TRUE(std::isfinite(v));
  }
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("contribution"), std::string::npos) << m.error().message;
  EXPECT_FALSE(Model::from_data(d).ok());
}

TEST(ModelFile, WrongMagicAndVersionSayWhatTheyAre) {
  auto bytes = small_file();
  auto f = bytes;
  f[0] = std::byte{'X'};
  auto m = Model::load(f);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("not a Kilter model"), std::string::npos);
  f = bytes;
  put_u32(f, 8, 7);
  reseal(f);
  m = Model::load(f);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("version 7"), std::string::npos) << m.error().message;
}

TEST(ModelFile, LoadFileErrorsNameTheFile) {
  auto dir =
      std::filesystem::temp_directory_path() / ("kilter-model-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto missing = Model::load_file((dir / "missing.bin").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing.bin"), std::string::npos);
  EXPECT_FALSE(Model::load_file(dir.string()).ok());
  std::ofstream(dir / "text.bin") << "hello, not a model";
  auto text = Model::load_file((dir / "text.bin").string());
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("not a Kilter model"), std::string::npos);
  auto bytes = small_file();
  std::ofstream(dir / "good.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(Model::load_file((dir / "good.bin").string()).ok());
  std::filesystem::remove_all(dir);
}

TEST(ModelLogits, FollowFastTextsFormulaByHand) {
  auto m = Model::from_data(small_model());
  ASSERT_TRUE(m.ok());
  const auto& d = m->data();
  // "sale ab": a known word (3 rows), an unknown one ("<ab>": "<a", "ab", "b>", "<ab",
  // "ab>"), "</s>" (1 row), word bigrams (sale, ab) and (ab, </s>).
  std::vector<std::string_view> toks = {"sale", "ab"};
  Scores want{};
  std::uint32_t rows = 0;
  add(want, d.word_contrib[1]);
  rows += 3;
  for (std::string_view g : {"<a", "ab", "b>", "<ab", "ab>"}) {
    add(want, d.bucket_contrib[fasttext_hash(g) % kBucket]);
    ++rows;
  }
  add(want, d.word_contrib[0]);
  rows += 1;
  add(want, d.bucket_contrib[word_ngram("sale", "ab")]);
  add(want, d.bucket_contrib[word_ngram("ab", "</s>")]);
  rows += 2;
  for (auto& v : want) v /= static_cast<float>(rows);
  std::vector<Scores> contrib(toks.size());
  auto got = m->logits(toks, contrib);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], 1e-5) << c;
  // Every row is some token's, but "</s>"'s own and half of the last bigram.
  Scores sum = contrib[0];
  add(sum, contrib[1]);
  Scores eos = d.word_contrib[0];
  for (int c = 0; c < 3; ++c) eos[c] += d.bucket_contrib[word_ngram("ab", "</s>")][c] / 2;
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(sum[c] + eos[c] / static_cast<float>(rows), got[c], 1e-5);
  // Skipped tokens change nothing, and 2-byte characters count as one.
  std::vector<std::string_view> odd = {"sale", "", "a b", "__label__x", "</s>", "ab"};
  auto same = m->logits(odd);
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(same[c], got[c]);
  std::vector<std::string_view> accent = {"é"};  // "<é>": "<é", "é>", "<é>"
  Scores w{};
  for (std::string_view g : {"<é", "é>", "<é>"})
    add(w, d.bucket_contrib[fasttext_hash(g) % kBucket]);
  add(w, d.word_contrib[0]);
  add(w, d.bucket_contrib[word_ngram("é", "</s>")]);
  auto a = m->logits(accent);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(a[c], w[c] / 5, 1e-5);
}

TEST(ModelLogits, AnNgramCacheGivesBitIdenticalResults) {
  auto m = Model::from_data(small_model());
  ASSERT_TRUE(m.ok());
  auto other_data = small_model();
  for (auto& b : other_data.bucket_contrib) b[0] += 1;
  auto other = Model::from_data(other_data);
  ASSERT_TRUE(other.ok());
  NgramCache cache(16);  // small: collisions replace entries
  std::vector<std::vector<std::string_view>> lines = {
      {"sale", "zz", "été", "🎉"},
      {"zz", "zz", "yy"},
      {"a-very-long-unknown-word-beyond-the-cache"},
      {"family", "qq", "rr", "ss", "tt", "uu", "vv", "ww", "xx"}};
  for (int round = 0; round < 3; ++round) {
    for (const auto& l : lines) {
      auto plain = m->logits(l);
      auto cached = m->logits(l, {}, &cache);
      EXPECT_EQ(plain, cached);
      // The same cache with another model is not fooled by the first one's entries.
      EXPECT_EQ(other->logits(l), other->logits(l, {}, &cache));
    }
  }
}

// Words of every length up to 20 (kept in the vocabulary record up to 8 bytes, beside it
// beyond), each found as itself, and their near misses (a byte changed anywhere, one more
// byte, one fewer) not found.
TEST(ModelLogits, EveryWordLengthIsFoundAndItsNearMissesAreNot) {
  ModelData d;
  d.word_ngrams = 1;  // no bigrams, no character n-grams: a token's rows are its own
  d.bucket = 1;
  d.bucket_contrib = {{0, 0, 0}};
  d.words = {"</s>"};
  d.word_contrib = {{1, 2, 3}};
  d.word_rows = {1};
  const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  for (std::size_t len = 1; len <= 20; ++len) {
    d.words.push_back(letters.substr(0, len));
    const auto f = static_cast<float>(len);
    d.word_contrib.push_back({f, -f, 0.5f * f});
    d.word_rows.push_back(static_cast<std::uint32_t>(len));
  }
  auto m = Model::from_data(d);
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto of = [&](std::string_view t) {
    std::vector<std::string_view> toks = {t};
    return m->logits(toks);
  };
  const Scores unknown = of("");  // "</s>" alone: a skipped token
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(unknown[c], d.word_contrib[0][c]);
  for (std::size_t i = 1; i < d.words.size(); ++i) {
    const std::string& w = d.words[i];
    const Scores got = of(w);
    const float rows = static_cast<float>(d.word_rows[i] + 1);
    for (int c = 0; c < 3; ++c) {
      EXPECT_FLOAT_EQ(got[c], (d.word_contrib[i][c] + d.word_contrib[0][c]) / rows) << w;
    }
    std::vector<std::string> misses = {w + "z", w + "A"};
    for (std::size_t k = 0; k < w.size(); ++k) {
      std::string x = w;
      x[k] = 'Z';
      misses.push_back(x);
    }
    if (w.size() > 1) misses.push_back(w.substr(1));  // shorter, and no prefix of another
    for (const auto& x : misses) {
      const Scores miss = of(x);
      for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(miss[c], unknown[c]) << x;
    }
  }
}

TEST(ModelLogits, ProbabilitiesUseTheTemperature) {
  auto m = Model::from_data(small_model());
  ASSERT_TRUE(m.ok());
  Scores l = {3, 0, 0};
  auto p = m->probabilities(l);
  auto e = std::exp(2.0f);  // 3 / 1.5
  EXPECT_NEAR(p[0], e / (e + 2), 1e-6);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1, 1e-6);
  EXPECT_NEAR(Model::softmax(l, 1)[0], std::exp(3.0f) / (std::exp(3.0f) + 2), 1e-6);
}

TEST(ModelReadable, MarkerTokensReadAsBrackets) {
  std::string s;
  for (std::string_view t : {"__kind_reply", "h:shop.example", "p:sale", "soldes"}) {
    s.clear();
    append_readable(t, s);
    EXPECT_EQ(s, t == "__kind_reply"     ? "[kind_reply]"
                 : t == "h:shop.example" ? "[host:shop.example]"
                 : t == "p:sale"         ? "[path:sale]"
                                         : "soldes");
  }
}

Event post(std::string_view text) {
  Event e;
  e.type = EventType::post;
  e.id = "e";
  e.post_id = "p";
  e.text = text;
  return e;
}

TEST(ModelClassifier, TrustedCategoryWins) {
  auto m = std::make_shared<const Model>(*Model::from_data(small_model()));
  auto c = make_model_classifier(m, {});
  ASSERT_TRUE(c.ok());
  auto e = post("sale sale sale");
  e.category = Category::personal;
  auto r = (*c)->classify(e, {});
  EXPECT_EQ(r.category, Category::personal);
  EXPECT_EQ(r.confidence, 1.0f);
  EXPECT_TRUE(r.trusted);
}

TEST(ModelClassifier, PredictsExplainsAndRespectsMinConfidence) {
  auto m = std::make_shared<const Model>(*Model::from_data(small_model()));
  auto c = make_model_classifier(m, {});
  ASSERT_TRUE(c.ok());
  auto r = (*c)->classify(post("sale family sale"), {});
  EXPECT_EQ(r.category, Category::promotional);
  EXPECT_FALSE(r.trusted);
  ASSERT_FALSE(r.matched.empty());
  EXPECT_EQ(r.matched[0], "sale");
  for (auto t : r.matched) EXPECT_NE(t, "family");  // weighs against the winner
  Featurizer f;                                     // the classifier reads the Featurizer's tokens
  auto tokens = f.run(post("sale family sale"), {});
  auto p = m->probabilities(m->logits(std::vector<std::string_view>(tokens.begin(), tokens.end())));
  EXPECT_FLOAT_EQ(r.confidence, p[2]);

  ClassifierOptions strict;
  strict.min_confidence = 0.999;
  auto s = make_model_classifier(m, strict);
  ASSERT_TRUE(s.ok());
  auto u = (*s)->classify(post("sale family sale"), {});
  EXPECT_EQ(u.category, Category::unclassified);
  EXPECT_FLOAT_EQ(u.confidence, r.confidence);
  strict.min_confidence = 2;
  EXPECT_FALSE(make_model_classifier(m, strict).ok());
  EXPECT_FALSE(make_model_classifier(nullptr, {}).ok());
}

TEST(ModelClassifier, AWarmedUpClassifierDoesNotAllocate) {
  auto m = std::make_shared<const Model>(*Model::from_data(small_model()));
  auto c = make_model_classifier(m, {});
  ASSERT_TRUE(c.ok());
  auto& cls = **c;
  std::vector<std::string> texts = {"sale family meeting unknownword été 🎉", "family", "",
                                    "meeting meeting sale sale family zz yy xx"};
  for (int warm = 0; warm < 3; ++warm)
    for (const auto& t : texts) (void)cls.classify(post(t), {});
  auto before = test_support::allocations();
  std::size_t matched = 0;
  for (int i = 0; i < 100; ++i)
    for (const auto& t : texts) matched += cls.classify(post(t), {}).matched.size();
  EXPECT_EQ(test_support::allocations(), before);
  EXPECT_GT(matched, 0u);
  auto probe = std::make_unique<std::string>(100, 'x');  // the counter does count
  EXPECT_GT(test_support::allocations(), before);
}

}  // namespace
}  // namespace kilter::pipeline
