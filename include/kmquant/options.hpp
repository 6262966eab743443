// kmquant — the settings of a quantization, with their defaults.
#pragma once

#include <cstdint>

namespace kmquant {

/// The largest palette a result can have: indices are stored in one byte at most.
inline constexpr unsigned max_colors = 256;

/// How k-means runs. A plain struct: set the fields you care about, keep the rest.
struct Options {
  /// Seed of the k-means++ initialisation. The same image, k and seed always give the same
  /// palette and indices, byte for byte, on every platform (default 0).
  std::uint64_t seed = 0;

  /// Safety cap on Lloyd iterations. Lloyd stops earlier as soon as an iteration changes no
  /// assignment (convergence); Result::converged tells whether that happened (default 1000).
  unsigned max_iterations = 1000;
};

}  // namespace kmquant
