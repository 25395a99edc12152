// Errors as values. An Error carries what failed (one sentence a person can
// act on), an optional hint (what to do about it) and the errno if any.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace kscope {

class Error {
 public:
  explicit Error(std::string message, std::string hint = {}, int err = 0)
      : message_(std::move(message)), hint_(std::move(hint)), errno_(err) {}

  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }
  int errno_value() const { return errno_; }

  // "message: strerror(errno) (hint)"; the parts that are empty are left out.
  std::string to_string() const {
    std::string out = message_;
    if (errno_ != 0) {
      out += ": ";
      out += std::strerror(errno_);
    }
    if (!hint_.empty()) {
      out += " (";
      out += hint_;
      out += ")";
    }
    return out;
  }

  // A copy with more context in front: "context: message".
  Error with_context(const std::string& context) const {
    return Error(context + ": " + message_, hint_, errno_);
  }

 private:
  std::string message_;
  std::string hint_;
  int errno_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

// Converts libbpf's conventions (negative errno returns, or NULL with errno
// set) into an Error in one place.
inline Error libbpf_error(const std::string& what, long rc, std::string hint = {}) {
  int err = rc < 0 ? static_cast<int>(-rc) : (errno != 0 ? errno : EINVAL);
  return Error(what, std::move(hint), err);
}

}  // namespace kscope
