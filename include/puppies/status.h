#pragma once
/// @file status.h
/// Status and Result<T>: how every puppies call reports success or failure.
/// No exception crosses the public C++ API.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "puppies/export.h"

namespace puppies {

/// Stable error codes, a subset of absl's canonical codes. The numeric values and the names
/// returned by CodeName() are stable and may be persisted or sent over the wire.
///
/// Choosing a code (absl's guidance):
/// - kInvalidArgument: the input is wrong regardless of database state (bad username syntax,
///   empty/oversized text, invalid UTF-8, malformed cursor, limit out of range, 0 ids).
/// - kNotFound: a referenced user or post does not exist (or was deleted).
/// - kAlreadyExists: the object to create exists (duplicate username).
/// - kPermissionDenied: the caller may not do this to that object (not the author, blocked).
/// - kFailedPrecondition: the system is not in a state for this call (engine closed, database
///   from a newer format).
/// - kAborted: a retryable conflict.
/// - kResourceExhausted: a configured limit other than input size was hit.
/// - kIOError: the file system failed, or the database is locked by another Engine or process.
/// - kCorruption: stored data is damaged.
/// - kInternal: a bug in puppies.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,
  kNotFound = 2,
  kAlreadyExists = 3,
  kPermissionDenied = 4,
  kFailedPrecondition = 5,
  kAborted = 6,
  kResourceExhausted = 7,
  kIOError = 8,
  kCorruption = 9,
  kInternal = 10,
};

/// The stable lower-case name of a code, e.g. "not_found". Never returns null.
PUPPIES_EXPORT const char* CodeName(StatusCode code);

/// The outcome of an operation: OK, or a code and a human-readable message.
/// Messages are lower-case, without a trailing period, and name the offending value.
class [[nodiscard]] PUPPIES_EXPORT Status {
 public:
  /// Creates an OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status Aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  /// The message without the code name; empty for OK.
  const std::string& message() const { return message_; }

  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsPermissionDenied() const { return code_ == StatusCode::kPermissionDenied; }
  bool IsFailedPrecondition() const { return code_ == StatusCode::kFailedPrecondition; }
  bool IsAborted() const { return code_ == StatusCode::kAborted; }
  bool IsResourceExhausted() const { return code_ == StatusCode::kResourceExhausted; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsInternal() const { return code_ == StatusCode::kInternal; }

  /// "OK", or "<code name>: <message>", e.g. "not_found: user 42 not found".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// Either a value of type T or a non-OK Status.
/// REQUIRES: a Result is never built from an OK status (that is a bug; it asserts).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result built from an OK status");
    if (status_.ok()) status_ = Status::Internal("result built from an ok status");
  }

  bool ok() const { return value_.has_value(); }
  /// OK when a value is held, else the error.
  const Status& status() const { return status_; }

  /// REQUIRES: ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace puppies
