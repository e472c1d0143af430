// The `classifier` section: method, model path (resolved against the configuration's
// directory), and the errors of each key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace kilter::config {
namespace {

using ::testing::HasSubstr;

LoadResult load(const std::string& yaml) {
  return load_string(yaml, "k.yaml", "/srv/kilter");
}

const ConfigError* find(const LoadResult& r, std::string_view key) {
  for (const auto& e : r.errors)
    if (e.key == key) return &e;
  return nullptr;
}

TEST(ClassifierConfig, DefaultsToTheShippedModel) {
  auto r = load("source: {file: e.ndjson}\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->classifier.method, ClassifierMethod::model);
  EXPECT_EQ(r.config->classifier.model, "");
}

TEST(ClassifierConfig, ModelPathIsResolvedAgainstTheConfigDirectory) {
  auto r = load("source: {file: e.ndjson}\nclassifier: {model: models/acme.kltm}\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->classifier.model, "/srv/kilter/models/acme.kltm");
  auto abs = load("source: {file: e.ndjson}\nclassifier: {model: /opt/m.kltm}\n");
  ASSERT_TRUE(abs.config);
  EXPECT_EQ(abs.config->classifier.model, "/opt/m.kltm");
}

TEST(ClassifierConfig, MinConfidenceDefaultsByMethod) {
  auto model = load("source: {file: e.ndjson}\n");
  ASSERT_TRUE(model.config);
  EXPECT_EQ(model.config->classifier.effective_min_confidence(), 0.5);
  auto lexicon = load("source: {file: e.ndjson}\nclassifier: {method: lexicon}\n");
  ASSERT_TRUE(lexicon.config);
  EXPECT_EQ(lexicon.config->classifier.effective_min_confidence(), 0.0);
  auto set = load("source: {file: e.ndjson}\nclassifier: {min_confidence: 0}\n");
  ASSERT_TRUE(set.config);
  EXPECT_EQ(set.config->classifier.effective_min_confidence(), 0.0);
}

TEST(ClassifierConfig, LexiconMethod) {
  auto r = load("source: {file: e.ndjson}\nclassifier: {method: lexicon, languages: [fr]}\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->classifier.method, ClassifierMethod::lexicon);
  EXPECT_EQ(r.config->classifier.languages, std::vector<std::string>{"fr"});
}

TEST(ClassifierConfig, ErrorsNameTheKeyAndLine) {
  auto r = load(R"(source: {file: e.ndjson}
classifier:
  method: neural
  model: ""
  min_confidence: 1.5
)");
  ASSERT_EQ(r.errors.size(), 3u);
  ASSERT_TRUE(find(r, "classifier.method"));
  EXPECT_EQ(find(r, "classifier.method")->line, 3);
  EXPECT_THAT(find(r, "classifier.method")->message, HasSubstr("model"));
  ASSERT_TRUE(find(r, "classifier.model"));
  EXPECT_EQ(find(r, "classifier.model")->line, 4);
  EXPECT_EQ(find(r, "classifier.min_confidence")->message, "must be between 0 and 1");
}

TEST(ClassifierConfig, AModelFileWithTheLexiconMethodIsAnError) {
  auto r = load("source: {file: e.ndjson}\nclassifier: {method: lexicon, model: m.kltm}\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].key, "classifier.model");
  EXPECT_THAT(r.errors[0].message, HasSubstr("method: lexicon"));
}

}  // namespace
}  // namespace kilter::config
