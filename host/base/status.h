// Status and StatusOr: how every fallible operation inside the host reports an
// error. A Status is a code plus a message that says where it comes from
// ("loader: dlopen(x.so): ..."). Thread-safety: values; safe to copy across threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hyperion {

enum class StatusCode {
  kOk = 0,
  // Bad manifest, bad config, bad request: the caller must change its input.
  kInvalidArgument,
  // A named thing (file, plugin, instance, revision) does not exist.
  kNotFound,
  // Wrong state for the operation, or an ABI mismatch.
  kFailedPrecondition,
  // A reload (or other all-or-nothing operation) was rolled back.
  kAborted,
  // Temporarily impossible; retry later.
  kUnavailable,
  // A deadline passed before the work was done.
  kDeadlineExceeded,
  // A bug or unexpected condition, including misbehaving plugins.
  kInternal,
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message", or "OK".
  [[nodiscard]] std::string to_string() const;
  // Returns a status with the same code and "prefix: message".
  [[nodiscard]] Status with_prefix(const std::string& prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status ok_status() { return Status(); }
inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status deadline_exceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return value_.has_value(); }
  [[nodiscard]] const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace hyperion

// Returns early from the enclosing function when `expr` is not OK.
#define HYPERION_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::hyperion::Status hyperion_status_ = (expr); \
    if (!hyperion_status_.ok()) return hyperion_status_; \
  } while (0)
