// Quality targets: a bisection over k for the fewest colours that reach a PSNR.
#include "kmquant/quality.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "core/rgba_histogram.hpp"
#include "core/transparent.hpp"
#include "kmquant/error.hpp"

namespace kmquant {

void check_quality_target(const QualityTarget& target) {
  if (target.max_colors < 1 || target.max_colors > max_colors) {
    throw Error(ErrorKind::invalid_argument, "max colours = " + std::to_string(target.max_colors) +
                                                 " is out of range: it must be 1 to " +
                                                 std::to_string(max_colors));
  }
  // +infinity is a valid target: lossless (an MSE target of 0).
  const auto valid = [](double psnr) { return !std::isnan(psnr) && psnr >= 0; };
  if (!valid(target.target_psnr) || !valid(target.minimum_psnr)) {
    throw Error(ErrorKind::invalid_argument, "a quality target must be a PSNR of 0 dB or more");
  }
  if (target.minimum_psnr > target.target_psnr) {
    throw Error(ErrorKind::invalid_argument,
                "the minimum quality must not exceed the target quality");
  }
}

namespace {

std::string decibels(double psnr) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.2f dB", psnr);
  return text.data();
}

/// The results of the ks tried so far: no k is quantized twice.
class Trials {
 public:
  explicit Trials(std::function<Result(unsigned)> quantizer) : quantizer_(std::move(quantizer)) {}

  const Result& at(unsigned k) {
    auto found = results_.find(k);
    if (found == results_.end()) found = results_.emplace(k, quantizer_(k)).first;
    return found->second;
  }

  Result take(unsigned k) {
    (void)at(k);
    return std::move(results_.at(k));
  }

 private:
  std::function<Result(unsigned)> quantizer_;
  std::map<unsigned, Result> results_;
};

/// The search itself over 1..top (see the header), quantizing with `trials`.
Result search(const QualityTarget& target, unsigned top, Trials& trials) {
  const auto reaches = [&](unsigned k) { return trials.at(k).psnr >= target.target_psnr; };
  if (!reaches(top)) {
    const double best = trials.at(top).psnr;
    if (best >= target.minimum_psnr) return trials.take(top);
    throw Error(ErrorKind::quality, std::to_string(top) + " colours reach " + decibels(best) +
                                        " PSNR, below the minimum of " +
                                        decibels(target.minimum_psnr));
  }
  // Bisection: `high` always reaches the target and, once `low` has moved, low − 1 does not.
  // It ends at low == high, so the k returned reaches the target and k − 1 was quantized and
  // does not: a local minimum, checked on both sides, whatever the shape of PSNR(k).
  unsigned low = 1;
  unsigned high = top;
  while (low < high) {
    const unsigned middle = low + (high - low) / 2;
    if (reaches(middle)) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return trials.take(high);
}

}  // namespace

Result quantize_to_quality(const Image& rgb, const Histogram& histogram,
                           const QualityTarget& target, const Options& options) {
  check_quality_target(target);
  Trials trials([&](unsigned k) { return quantize(rgb, histogram, k, options); });
  // At `unique` colours the result is lossless (infinite PSNR): no k above it is needed.
  const auto unique = static_cast<unsigned>(
      std::min<std::size_t>(histogram.colors.size(), std::size_t{target.max_colors}));
  return search(target, std::max(unique, 1u), trials);
}

Result quantize_to_quality(const Image& image, const QualityTarget& target,
                           const Options& options) {
  check_quality_target(target);
  if (!image.has_alpha()) return quantize_to_quality(image, count_colors(image), target, options);
  check_options(options);
  detail::check_rgba_image(image);
  if (detail::is_opaque(image)) {
    const Image rgb = detail::drop_alpha(image);
    return quantize_to_quality(rgb, count_colors(rgb), target, options);
  }
  const detail::TransparentImage transparent(image, options);
  Trials trials([&](unsigned k) {
    check_k(k);
    return transparent.quantize(k);
  });
  const auto unique = static_cast<unsigned>(
      std::min<std::size_t>(transparent.unique_colors(), std::size_t{target.max_colors}));
  return search(target, std::max(unique, 1u), trials);
}

}  // namespace kmquant
