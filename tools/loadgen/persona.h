// Who posts: an account and the company it speaks for.
#pragma once

#include <string>
#include <vector>

#include "tools/loadgen/phrases.h"

namespace kilter::loadgen {

struct Persona {
  std::string id;                     // account id; people's accounts start with "exec-"
  std::string company;                // display name, for {company}
  std::string domain;                 // web domain for links, e.g. "acme.example"
  std::vector<std::string> products;  // for {product}; at least one
  Lang lang = Lang::en;
  double other_lang = 0;  // share of posts written in the other language
  std::uint8_t sector = kTech;
  bool person = false;  // a person speaking for the company, not the brand itself
};

}  // namespace kilter::loadgen
