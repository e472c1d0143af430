// Recoverable failures cross module boundaries as values, never as exceptions.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kilter {

// What a caller can do about a failure: the code says whether trying the same
// thing again can help (RocksDB's Status::IsTryAgain, Redpanda's errc).
enum class Errc : std::uint8_t {
  failed = 0,   // the operation cannot succeed as asked (bad input, a bug, refused): don't retry
  unavailable,  // a peer or resource is away for now (a broker, a busy lock): retry later
  busy,         // a previous operation is still in flight: retry once it is answered
  no_space,     // the disk is full: fail-stop (storage/README.md); freeing space is the fix
  io,           // the disk failed a read or write: fail-stop
  corruption,   // stored data cannot be read back: fail-stop
};
std::string_view to_string(Errc c);
// True when the same call may succeed later without anyone changing anything.
constexpr bool retriable(Errc c) {
  return c == Errc::unavailable || c == Errc::busy;
}
// The code of a failed system call's errno: ENOSPC/EDQUOT no_space, EIO (and
// EROFS) io, EAGAIN/EINTR/EBUSY/ETIMEDOUT unavailable, anything else failed.
Errc errc_from_errno(int err);

struct Error {
  std::string message;
  Errc code = Errc::failed;
  bool retriable() const { return kilter::retriable(code); }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &value(); }
  const Error& error() const {
    if (ok()) std::abort();  // asking a success for its error is a broken invariant
    return std::get<1>(v_);
  }

 private:
  T& checked() {
    if (!ok()) std::abort();
    return std::get<0>(v_);
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) std::abort();
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> ok() {
  return {};
}

}  // namespace kilter
