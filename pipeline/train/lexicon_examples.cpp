#include "pipeline/train/lexicon_examples.h"

#include <string>

#include "pipeline/classify/classifier.h"
#include "pipeline/classify/lexicon.h"

namespace kilter::pipeline {

namespace {

std::string without_star(std::string_view s) {
  std::string out(s);
  std::erase(out, '*');
  return out;
}

}  // namespace

Result<std::vector<LabelledPost>> lexicon_examples(std::string_view text, std::string_view lang,
                                                   std::string_view id_prefix) {
  std::vector<LabelledPost> out;
  auto r = lex::for_each_entry(text, id_prefix, [&](const lex::Entry& e) -> Result<void> {
    if (!(e.weight > 0)) return ok();  // switched off
    LabelledPost post;
    post.id = std::string(id_prefix) + "-" + std::to_string(e.line);
    post.lang = std::string(lang);
    post.label = e.category;
    post.prior = true;
    if (e.term.starts_with("domain:")) {
      // "shop.*" is a host whose first label is "shop"; any domain will do for the rest.
      auto host = without_star(e.term.substr(7));
      if (host.ends_with('.')) host += "example";
      post.text = "https://" + host + "/";
      post.links = {post.text};
    } else if (e.term.starts_with("path:")) {
      post.text = "https://site.example" + without_star(e.term.substr(5));
      post.links = {post.text};
    } else {
      post.text = without_star(e.term);
    }
    out.push_back(std::move(post));
    return ok();
  });
  if (!r) return r.error();
  return out;
}

Result<std::vector<LabelledPost>> shipped_lexicon_examples() {
  std::vector<LabelledPost> out;
  for (const auto& [name, text] : shipped_lexicons()) {
    auto lang = name == "common" ? std::string_view{} : name;
    auto part = lexicon_examples(text, lang, std::string("lexicon-") + std::string(name));
    if (!part) return part.error();
    for (auto& p : *part) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace kilter::pipeline
