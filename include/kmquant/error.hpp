// kmquant — errors: one exception type whose message names the file and the reason.
#pragma once

#include <stdexcept>
#include <string>

namespace kmquant {

/// What kind of failure an Error is; the CLI maps each kind to its own exit code
/// (docs/errors.md lists them).
enum class ErrorKind {
  invalid_argument,  ///< a setting out of range (k outside 1..256, empty k list, ...)
  input,             ///< an input file is missing, unreadable, truncated, corrupt or unsupported
  output,            ///< an output file or folder cannot be written
  limit,             ///< an input exceeds a configured limit (pixels, width, height, bytes)
  quality,           ///< a quality target's minimum cannot be reached (see quality.hpp)
};

/// The one exception type kmquant throws. what() is a complete one-line message such as
/// "photo.png: not a PNG, JPEG or WebP file" — it names the file where there is one.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace kmquant
