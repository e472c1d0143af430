// Classifier throughput on generated posts: the loadgen's English and French
// pools, the same texts the load runs carry. items_per_second is posts per
// second on one core.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "pipeline/classify/classifier.h"
#include "pipeline/classify/fast_text.h"
#include "pipeline/classify/features.h"
#include "pipeline/classify/model.h"
#include "pipeline/classify/shipped_model.h"
#include "pipeline/ingest/decoder.h"
#include "tools/loadgen/generator.h"

namespace {

using kilter::Event;
using kilter::EventType;
using kilter::pipeline::Classifier;
using kilter::pipeline::Decoder;

// A decoded post that owns its strings: an Event's views die with the next
// decode, and decoding is not what is measured here.
struct OwnedPost {
  std::string id, account, post_id, text, lang;
  std::vector<std::string> hashtags, mentions, links;
  std::vector<std::string_view> hashtag_views, mention_views, link_views;
  Event event;

  explicit OwnedPost(const Event& e)
      : id(e.id), account(e.account), post_id(e.post_id), text(e.text), lang(e.lang) {
    copy(e.hashtags, hashtags, hashtag_views);
    copy(e.mentions, mentions, mention_views);
    copy(e.links, links, link_views);
    event = e;
    event.id = id;
    event.account = account;
    event.post_id = post_id;
    event.text = text;
    event.lang = lang;
    event.hashtags = hashtag_views;
    event.mentions = mention_views;
    event.links = link_views;
  }
  OwnedPost(const OwnedPost&) = delete;
  OwnedPost& operator=(const OwnedPost&) = delete;

 private:
  static void copy(std::span<const std::string_view> in, std::vector<std::string>& out,
                   std::vector<std::string_view>& views) {
    out.assign(in.begin(), in.end());
    views.assign(out.begin(), out.end());
  }
};

using Posts = std::vector<std::unique_ptr<OwnedPost>>;

// Up to `want` posts of one language from the load scenario (fixed seed: the
// same posts on every run).
Posts generated_posts(std::string_view lang, std::size_t want) {
  kilter::loadgen::GeneratorOptions opts;
  opts.scenario = kilter::loadgen::Scenario::load;
  opts.seed = 7;
  opts.accounts = 2'000;
  opts.events = 200'000;
  opts.zipf_exponent = 0.5;
  auto gen = kilter::loadgen::Generator::create(opts);
  Posts out;
  if (!gen) return out;
  Decoder dec(1 << 20);
  Event ev;
  std::string line;
  while (out.size() < want && gen->next(line)) {
    if (!dec.decode(line, ev).ok || ev.type != EventType::post || ev.lang != lang) continue;
    out.push_back(std::make_unique<OwnedPost>(ev));
  }
  return out;
}

std::unique_ptr<Classifier> classifier() {
  auto c = kilter::pipeline::make_lexicon_classifier({});
  return c ? std::move(*c) : nullptr;
}

void run(benchmark::State& state, std::string_view lang, bool with_brand_terms) {
  const auto posts = generated_posts(lang, 4096);
  auto c = classifier();
  if (posts.empty() || !c) {
    state.SkipWithError("no posts or no classifier");
    return;
  }
  std::vector<std::string> terms;
  if (with_brand_terms) {
    // What a profile's brand_terms would hold: company and product names.
    const std::vector<std::string> raw = {"Acme",  "Acme One", "Acme Plus", "Globex", "Orbit",
                                          "Lumen", "Initech",  "Vertex Go", "Nimbus", "Zenith"};
    terms = kilter::pipeline::normalize_terms(raw);
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const auto& p = *posts[i];
    auto r = c->classify(p.event, terms);
    benchmark::DoNotOptimize(r);
    bytes += static_cast<std::int64_t>(p.text.size());
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["posts"] = static_cast<double>(posts.size());
}

void BM_ClassifyEnglish(benchmark::State& s) {
  run(s, "en", false);
}
void BM_ClassifyFrench(benchmark::State& s) {
  run(s, "fr", false);
}
void BM_ClassifyEnglishBrandTerms(benchmark::State& s) {
  run(s, "en", true);
}
void BM_ClassifyFrenchBrandTerms(benchmark::State& s) {
  run(s, "fr", true);
}

// A post that carries its category: the trusted path every such post takes.
void BM_ClassifyTrusted(benchmark::State& state) {
  auto posts = generated_posts("en", 1);
  auto c = classifier();
  if (posts.empty() || !c) {
    state.SkipWithError("no posts or no classifier");
    return;
  }
  posts[0]->event.category = kilter::Category::professional;
  for (auto _ : state) {
    auto r = c->classify(posts[0]->event, {});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// The normalisation every text goes through (NFKC, case and accent folding).
void BM_NormalizeFrench(benchmark::State& state) {
  const auto posts = generated_posts("fr", 1024);
  if (posts.empty()) {
    state.SkipWithError("no posts");
    return;
  }
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    auto n = kilter::pipeline::normalize(posts[i]->text);
    benchmark::DoNotOptimize(n);
    bytes += static_cast<std::int64_t>(posts[i]->text.size());
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// Post -> feature tokens for the learned model (pipeline/classify/features.h), over the
// same 4096-post pools as the classifier benchmarks (posts mostly out of cache), or over
// 64 posts that stay in cache, as an event just decoded is.
void featurize(benchmark::State& state, std::string_view lang, std::size_t pool = 4096) {
  const auto posts = generated_posts(lang, pool);
  if (posts.empty()) {
    state.SkipWithError("no posts");
    return;
  }
  kilter::pipeline::Featurizer f;
  std::size_t i = 0;
  std::int64_t bytes = 0, tokens = 0;
  for (auto _ : state) {
    const auto& p = *posts[i];
    auto t = f.run(p.event, {});
    benchmark::DoNotOptimize(t.data());
    tokens += static_cast<std::int64_t>(t.size());
    bytes += static_cast<std::int64_t>(p.text.size());
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["tokens_per_post"] =
      static_cast<double>(tokens) /
      static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

void BM_FeaturizeEnglish(benchmark::State& s) {
  featurize(s, "en");
}
void BM_FeaturizeFrench(benchmark::State& s) {
  featurize(s, "fr");
}
void BM_FeaturizeEnglishHot(benchmark::State& s) {
  featurize(s, "en", 64);
}
void BM_FeaturizeFrenchHot(benchmark::State& s) {
  featurize(s, "fr", 64);
}

// The featurizer's tokenizer alone on the texts BM_NormalizeFrench reads (same tokens).
void BM_FastNormalizeFrench(benchmark::State& state) {
  const auto posts = generated_posts("fr", 1024);
  if (posts.empty()) {
    state.SkipWithError("no posts");
    return;
  }
  std::string out;
  std::vector<kilter::pipeline::text::FastToken> toks;
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    toks.clear();
    kilter::pipeline::text::tokenize_fast(posts[i]->text, kilter::pipeline::text::FastMode::text,
                                          out, toks);
    benchmark::DoNotOptimize(toks.data());
    bytes += static_cast<std::int64_t>(posts[i]->text.size());
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// The shipped model (trained at build time on the corpus's train split), as kilterd
// embeds it.
const std::vector<std::byte>& model_bytes() {
  static const std::vector<std::byte> bytes = [] {
    auto b = kilter::pipeline::shipped_model_bytes();
    return std::vector<std::byte>(b.begin(), b.end());
  }();
  return bytes;
}

std::shared_ptr<const kilter::pipeline::Model> model() {
  auto m = kilter::pipeline::Model::load(model_bytes());
  if (!m.ok()) return nullptr;
  return std::make_shared<const kilter::pipeline::Model>(std::move(*m));
}

// The whole model classifier: featurize, predict, calibrate, explain.
void run_model(benchmark::State& state, std::string_view lang) {
  const auto posts = generated_posts(lang, 4096);
  auto m = model();
  auto c = m ? kilter::pipeline::make_model_classifier(m, {})
             : kilter::Result<std::unique_ptr<Classifier>>(kilter::Error{"no model"});
  if (posts.empty() || !c.ok()) {
    state.SkipWithError("no posts or no model");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = (*c)->classify(posts[i]->event, {});
    benchmark::DoNotOptimize(r);
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["model_bytes"] = static_cast<double>(model_bytes().size());
}

void BM_ModelEnglish(benchmark::State& s) {
  run_model(s, "en");
}
void BM_ModelFrench(benchmark::State& s) {
  run_model(s, "fr");
}

// Prediction alone (Model::logits) on the featurized English posts, without (0) and
// with (1) an NgramCache, and with the per-token contributions too (2); `tokens` is the mean number
// of feature tokens per post, `unknown` the share of them out of the model's vocabulary.
void BM_ModelPredict(benchmark::State& state) {
  const auto posts = generated_posts("en", 4096);
  auto m = model();
  if (posts.empty() || !m) {
    state.SkipWithError("no posts or no model");
    return;
  }
  kilter::pipeline::Featurizer f;
  std::vector<std::vector<std::string>> owned;
  std::vector<std::vector<std::string_view>> lines;
  std::size_t tokens = 0;
  for (const auto& p : posts) {
    auto t = f.run(p->event, {});
    owned.emplace_back(t.begin(), t.end());
    tokens += t.size();
  }
  for (const auto& o : owned) lines.emplace_back(o.begin(), o.end());
  std::unordered_set<std::string_view> vocab(m->data().words.begin(), m->data().words.end());
  std::size_t unknown = 0;
  for (const auto& l : lines)
    for (auto t : l) unknown += vocab.count(t) == 0;
  kilter::pipeline::NgramCache cache(static_cast<std::size_t>(state.range(1)));
  const bool cached = state.range(0) != 0, explain = state.range(0) == 2;
  std::size_t longest = 0;
  for (const auto& l : lines) longest = std::max(longest, l.size());
  std::vector<kilter::pipeline::Scores> contrib(longest);
  std::size_t i = 0;
  for (auto _ : state) {
    auto l = m->logits(
        lines[i],
        explain ? std::span(contrib).first(lines[i].size()) : std::span<kilter::pipeline::Scores>{},
        cached ? &cache : nullptr);
    benchmark::DoNotOptimize(l);
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["tokens"] = static_cast<double>(tokens) / static_cast<double>(lines.size());
  state.counters["unknown"] = static_cast<double>(unknown) / static_cast<double>(tokens);
}

// Loading a model file's bytes (parse, validate, checksum, index the vocabulary).
void BM_ModelLoad(benchmark::State& state) {
  const auto& bytes = model_bytes();
  if (bytes.empty()) {
    state.SkipWithError("no model");
    return;
  }
  for (auto _ : state) {
    auto m = kilter::pipeline::Model::load(bytes);
    if (!m.ok()) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(m);
  }
  state.counters["model_bytes"] = static_cast<double>(bytes.size());
}

BENCHMARK(BM_ClassifyEnglish);
BENCHMARK(BM_ClassifyFrench);
BENCHMARK(BM_ClassifyEnglishBrandTerms);
BENCHMARK(BM_ClassifyFrenchBrandTerms);
BENCHMARK(BM_ClassifyTrusted);
BENCHMARK(BM_NormalizeFrench);
BENCHMARK(BM_FastNormalizeFrench);
BENCHMARK(BM_FeaturizeEnglish);
BENCHMARK(BM_FeaturizeFrench);
BENCHMARK(BM_FeaturizeEnglishHot);
BENCHMARK(BM_FeaturizeFrenchHot);
BENCHMARK(BM_ModelEnglish);
BENCHMARK(BM_ModelFrench);
BENCHMARK(BM_ModelPredict)->Args({0, 4096})->Args({1, 4096})->Args({1, 65536})->Args({2, 4096});
BENCHMARK(BM_ModelLoad)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
