#include "common/result.h"

#include <cerrno>

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

Errc errc_from_errno(int err) {
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Errc::no_space;
    case EIO:
    case EROFS:
      return Errc::io;
    case EAGAIN:
    case EINTR:
    case EBUSY:
    case ETIMEDOUT:
      return Errc::unavailable;
    default:
      return Errc::failed;
  }
}

}  // namespace kilter
