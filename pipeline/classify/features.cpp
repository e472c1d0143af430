// Placeholder featurizer: whitespace-separated, lower-cased words of the text. The real
// one (normalisation, hashtags, links, prices, codes, kind, brand terms) replaces it.
#include "pipeline/classify/features.h"

#include <vector>

namespace kilter::pipeline {

struct Featurizer::Impl {
  std::string buf;
  std::vector<std::string_view> tokens;
};

Featurizer::Featurizer() : impl_(std::make_unique<Impl>()) {}
Featurizer::~Featurizer() = default;

std::span<const std::string_view> Featurizer::run(const Event& post,
                                                  std::span<const std::string> /*brand_terms*/) {
  auto& b = impl_->buf;
  b.clear();
  for (char c : post.text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
    b.push_back(space ? ' ' : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  impl_->tokens.clear();
  std::size_t i = 0;
  while (i < b.size()) {
    while (i < b.size() && b[i] == ' ') ++i;
    std::size_t j = i;
    while (j < b.size() && b[j] != ' ') ++j;
    if (j > i) impl_->tokens.emplace_back(b.data() + i, j - i);
    i = j;
  }
  return impl_->tokens;
}

}  // namespace kilter::pipeline
