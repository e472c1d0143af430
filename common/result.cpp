#include "common/result.h"

namespace kilter {

std::string_view to_string(Errc c) {
  switch (c) {
    case Errc::failed:
      return "failed";
    case Errc::unavailable:
      return "unavailable";
    case Errc::busy:
      return "busy";
    case Errc::no_space:
      return "no_space";
    case Errc::io:
      return "io";
    case Errc::corruption:
      return "corruption";
  }
  std::abort();  // not an Errc: a broken invariant
}

}  // namespace kilter
