// Post texts taken from labelled NDJSON files (`--texts`) instead of composed from
// the phrase pools: the demo plan stays the same, only the posts' words change, so
// the demo's verdicts can be checked on posts written independently of the
// generator (a held-out set, a corpus split).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/types.h"
#include "tools/loadgen/phrases.h"

namespace kilter::loadgen {

// One post of a labelled file: what the generator writes in place of a composed post.
struct TextPost {
  std::string text;
  PostKind kind = PostKind::unknown;  // unknown: the file's post had no `kind` (none is written)
  bool has_lang = false;              // whether the file's post had `lang` (else none is written)
  std::vector<std::string> hashtags;
  std::vector<std::string> mentions;
  std::vector<std::string> links;
};

// The posts of labelled files, by (category, language), in file order.
class Texts {
 public:
  // Reads each file in turn (see add()); errors name the file and line.
  static Result<Texts> load(std::span<const std::string> paths);

  // Adds the posts of `ndjson`, the contents of the file `source` (for messages).
  // Each non-empty line is one JSON object; lines whose `type` is not "post" are
  // skipped. A post needs `text`, a label (`category`, else `expected`: personal,
  // professional or promotional) and a language (`lang`, else `expected_lang`: en
  // or fr); `kind`, `hashtags`, `mentions` and `links` are taken when present. A
  // line that breaks these rules is an error naming `source:LINE`.
  Result<void> add(std::string_view ndjson, std::string_view source);

  std::span<const TextPost> pool(Category c, Lang l) const {
    return pools_[static_cast<std::size_t>(c)][static_cast<std::size_t>(l)];
  }
  std::size_t size() const;  // posts over all pools

 private:
  std::vector<TextPost> pools_[kClassifiedCategories][kLangs];
};

}  // namespace kilter::loadgen
