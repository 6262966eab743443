// What the fuzz targets share: checking a property, and the Errors an input may rightly raise.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "kmquant/error.hpp"

namespace kmquant::fuzz {

/// Abort, which libFuzzer reports as a crash with the input that caused it, unless `property`
/// holds.
inline void require(bool property, const char* what) {
  if (property) return;
  std::fprintf(stderr, "fuzz: property violated: %s\n", what);
  std::abort();
}

/// An Error is a right answer to a bad input only if it is of an expected kind and its message
/// is one line that starts with the input's name.
inline void require_clean_error(const Error& error, ErrorKind expected_a, ErrorKind expected_b,
                                const std::string& name) {
  require(error.kind() == expected_a || error.kind() == expected_b, "an unexpected ErrorKind");
  const std::string message = error.what();
  require(message.starts_with(name + ": ") && message.size() > name.size() + 2,
          "the message names the input and gives a reason");
  require(message.find('\n') == std::string::npos, "the message is one line");
}

}  // namespace kmquant::fuzz
