#include "pipeline/train/lexicon_examples.h"

#include <charconv>
#include <string>

#include "pipeline/classify/classifier.h"
#include "pipeline/classify/lexicon.h"

namespace kilter::pipeline {

namespace {

using lex::next_field;
using lex::trim;

std::string without_star(std::string_view s) {
  std::string out(s);
  std::erase(out, '*');
  return out;
}

}  // namespace

std::vector<LabelledPost> lexicon_examples(std::string_view text, std::string_view lang,
                                           std::string_view id_prefix) {
  std::vector<LabelledPost> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto category = parse_category(next_field(line));
    auto weight_text = next_field(line);
    auto term = trim(line);
    float weight = 0;
    auto [p, ec] =
        std::from_chars(weight_text.data(), weight_text.data() + weight_text.size(), weight);
    if (!category || ec != std::errc{} || p != weight_text.data() + weight_text.size() ||
        !(weight > 0) || term.empty())
      continue;
    LabelledPost post;
    post.id = std::string(id_prefix) + "-" + std::to_string(line_no);
    post.lang = std::string(lang);
    post.label = *category;
    post.prior = true;
    if (term.starts_with("domain:")) {
      // "shop.*" is a host whose first label is "shop"; any domain will do for the rest.
      auto host = without_star(term.substr(7));
      if (host.ends_with('.')) host += "example";
      post.text = "https://" + host + "/";
      post.links = {post.text};
    } else if (term.starts_with("path:")) {
      post.text = "https://site.example" + without_star(term.substr(5));
      post.links = {post.text};
    } else {
      post.text = without_star(term);
    }
    out.push_back(std::move(post));
  }
  return out;
}

std::vector<LabelledPost> shipped_lexicon_examples() {
  std::vector<LabelledPost> out;
  for (const auto& [name, text] : shipped_lexicons()) {
    auto lang = name == "common" ? std::string_view{} : name;
    auto part = lexicon_examples(text, lang, std::string("lexicon-") + std::string(name));
    for (auto& p : part) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace kilter::pipeline
