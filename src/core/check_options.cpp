// Checking the settings of a quantization before any work starts.
#include <string>

#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

void check_options(const Options& options) {
  if (options.effort < min_effort || options.effort > max_effort) {
    throw Error(ErrorKind::invalid_argument,
                "effort = " + std::to_string(options.effort) + " is out of range: effort must be " +
                    std::to_string(min_effort) + " to " + std::to_string(max_effort));
  }
  if (options.dither != Dither::none && options.dither != Dither::floyd_steinberg) {
    throw Error(ErrorKind::invalid_argument, "dither is not one of the Dither values");
  }
  // Written so that NaN fails too.
  if (!(options.dither_strength >= 0.0f && options.dither_strength <= 1.0f)) {
    throw Error(ErrorKind::invalid_argument,
                "dither strength = " + std::to_string(options.dither_strength) +
                    " is out of range: the strength must be 0 to 1");
  }
}

}  // namespace kmquant
