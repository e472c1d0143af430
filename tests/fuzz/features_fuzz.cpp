// The featurizer on arbitrary bytes: the post's text is the input, its hashtags,
// mentions, links and brand terms its first lines. The fast tokenizer gives exactly
// normalize()'s tokens; no token is empty or holds whitespace; a second run on the same
// post gives the same tokens.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/classify/classifier.h"
#include "pipeline/classify/fast_text.h"
#include "pipeline/classify/features.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(kilter::pipeline::text::fast_normalize(input) == kilter::pipeline::normalize(input));

  std::vector<std::string_view> lines;
  for (std::size_t i = 0; i < input.size() && lines.size() < 4;) {
    auto nl = input.find('\n', i);
    if (nl == std::string_view::npos) nl = input.size();
    lines.push_back(input.substr(i, nl - i));
    i = nl + 1;
  }
  std::vector<std::string> raw_terms(lines.begin(),
                                     lines.begin() + std::min<std::size_t>(2, lines.size()));
  const auto terms = kilter::pipeline::normalize_terms(raw_terms);
  kilter::Event e;
  e.text = input;
  e.lang = lines.empty() ? std::string_view{} : lines[0];
  e.kind = static_cast<kilter::PostKind>(size % 5);
  e.hashtags = lines;
  e.mentions = lines;
  e.links = lines;

  static kilter::pipeline::Featurizer f;
  std::vector<std::string> first;
  for (auto t : f.run(e, terms)) {
    FUZZ_CHECK(!t.empty());
    FUZZ_CHECK(t.find_first_of(" \t\n\r\f\v") == std::string_view::npos);
    first.emplace_back(t);
  }
  auto again = f.run(e, terms);
  FUZZ_CHECK(again.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) FUZZ_CHECK(again[i] == first[i]);
  return 0;
}
