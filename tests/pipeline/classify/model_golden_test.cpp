// The model classifier's outputs, pinned: every post of the corpus
// (pipeline/classify/corpus/*/*.ndjson) and of tests/data/*.ndjson is classified with a
// frozen model (tests/data/model_golden.kltm, a copy of a shipped model, so that
// retraining does not move it) and compared with tests/data/model_golden.tsv: category,
// confidence bit for bit and the matched terms. Speed work on the featurizer, the model's
// arithmetic or the explanation must leave every output as it was.
//
// Posts are keyed by a hash of their NDJSON line: posts added to the corpus later are
// not in the golden file and are skipped; the test asserts that most golden posts were
// found. An intended change of outputs (a new feature token, say) regenerates the file:
//   KILTER_UPDATE_GOLDEN=1 build/tests/classify_tests --gtest_filter='ModelGolden.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/classify/model.h"
#include "pipeline/ingest/decoder.h"

namespace kilter::pipeline {
namespace {

namespace fs = std::filesystem;

const std::string kModel = std::string(KILTER_TEST_DATA) + "/model_golden.kltm";
const std::string kGolden = std::string(KILTER_TEST_DATA) + "/model_golden.tsv";

std::vector<fs::path> input_files() {
  std::vector<fs::path> out;
  const fs::path corpus = fs::path(KILTER_SOURCE_DIR) / "pipeline/classify/corpus";
  for (const auto& split : fs::directory_iterator(corpus)) {
    if (!split.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(split.path()))
      if (f.path().extension() == ".ndjson") out.push_back(f.path());
  }
  for (const auto& f : fs::directory_iterator(KILTER_TEST_DATA))
    if (f.path().extension() == ".ndjson") out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

// FNV-1a 64 of a line: the post's key.
std::string key_of(std::string_view line) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : line) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// "category<TAB>confidence bits<TAB>term|term|..."
std::string output_of(const Classification& c) {
  char conf[9];
  std::snprintf(conf, sizeof conf, "%08x", std::bit_cast<std::uint32_t>(c.confidence));
  std::string out(to_string(c.category));
  out.append("\t").append(conf).append("\t");
  for (std::size_t i = 0; i < c.matched.size(); ++i) {
    if (i) out.push_back('|');
    out.append(c.matched[i]);
  }
  return out;
}

TEST(ModelGolden, EveryCorpusPostClassifiesAsBefore) {
  auto model = Model::load_file(kModel);
  ASSERT_TRUE(model.ok()) << kModel;
  auto shared = std::make_shared<const Model>(std::move(*model));
  ClassifierOptions opts;
  opts.min_confidence = 0.5;  // kilterd's default with a model: the unclassified path too
  auto classifier = make_model_classifier(shared, opts);
  ASSERT_TRUE(classifier.ok());

  // key -> (where, output), in input order for the golden file.
  std::vector<std::pair<std::string, std::string>> now;  // key, output
  std::map<std::string, std::string> where;
  Decoder decoder(1 << 20);
  std::size_t posts = 0;
  for (const auto& file : input_files()) {
    std::ifstream in(file);
    ASSERT_TRUE(in) << file;
    std::string line;
    std::size_t lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      Event ev;
      if (!decoder.decode(line, ev).ok || ev.type != EventType::post) continue;
      ev.category.reset();  // the label: classify the post, not trust it
      auto key = key_of(line);
      if (where.contains(key)) continue;  // the same line twice: one record
      where[key] = file.filename().string() + ":" + std::to_string(lineno);
      now.emplace_back(key, output_of((*classifier)->classify(ev, {})));
      ++posts;
    }
  }
  ASSERT_GT(posts, 1000u);

  if (std::getenv("KILTER_UPDATE_GOLDEN")) {
    std::ofstream out(kGolden);
    for (const auto& [key, output] : now) out << key << '\t' << output << '\n';
    ASSERT_TRUE(out.good()) << kGolden;
    GTEST_SKIP() << "wrote " << now.size() << " records to " << kGolden;
  }

  std::ifstream in(kGolden);
  ASSERT_TRUE(in) << kGolden << " (KILTER_UPDATE_GOLDEN=1 writes it)";
  std::map<std::string, std::string> golden;
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    golden[line.substr(0, tab)] = line.substr(tab + 1);
  }
  std::size_t compared = 0, differ = 0;
  for (const auto& [key, output] : now) {
    auto it = golden.find(key);
    if (it == golden.end()) continue;  // a post added after the golden file was made
    ++compared;
    if (it->second != output && ++differ <= 20)
      ADD_FAILURE() << where[key] << ": was\n  " << it->second << "\nnow\n  " << output;
  }
  EXPECT_EQ(differ, 0u) << "of " << compared << " posts";
  // Most golden posts are still in the corpus (otherwise the check says little).
  EXPECT_GE(compared * 10, golden.size() * 9) << compared << " of " << golden.size();
}

}  // namespace
}  // namespace kilter::pipeline
