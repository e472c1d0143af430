// Lexicon terms as training examples: each `category weight term` line of a lexicon
// (pipeline/classify/lexicons, or a team's own file) becomes a one-term labelled post,
// so that the curated vocabulary reaches the model as prior knowledge. A corpus of a few
// thousand posts leaves many everyday words unseen; on the dev split these examples
// raised accuracy from 0.892 to 0.908 and, on the old held-out set, from 0.938 to 0.982
// (docs/classifier.md, "Training").
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "pipeline/train/train.h"

namespace kilter::pipeline {

// The examples of one lexicon's text, read by the lexicon parser (lex::for_each_entry):
// a malformed line is an Error naming `id_prefix` and the line. `lang` ("en", "fr", or
// empty for a lexicon of no language) is given to every example; entries of weight 0
// (switched off) are left out.
Result<std::vector<LabelledPost>> lexicon_examples(std::string_view text, std::string_view lang,
                                                   std::string_view id_prefix);

// The examples of every lexicon shipped in the binary.
Result<std::vector<LabelledPost>> shipped_lexicon_examples();

}  // namespace kilter::pipeline
