// SSIM as Wang et al.'s ssim.m computes it: grey, downsample, Gaussian-windowed statistics.
#include "kmquant/ssim.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "core/luma.hpp"
#include "core/window_filter.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

constexpr std::size_t window_radius = 5;  // 11×11
constexpr std::size_t window_size = 2 * window_radius + 1;
constexpr double window_sigma = 1.5;
constexpr double c1 = (0.01 * 255) * (0.01 * 255);
constexpr double c2 = (0.03 * 255) * (0.03 * 255);

/// MATLAB's rgb2gray on uint8 — round(0.298936021293775·R + 0.587043074451121·G +
/// 0.114020904255103·B) — in 2^-40 fixed point from three tables: no weighted sum of 8-bit
/// values lies within 10^-9 of a half, so the fixed point's error (under 10^-9) never changes
/// the rounding; a unit test checks all 2^24 colours against the formula in double.
class LumaTables {
 public:
  LumaTables() {
    for (unsigned v = 0; v < 256; ++v) {
      r_[v] = fixed(0.298936021293775, v);
      g_[v] = fixed(0.587043074451121, v);
      b_[v] = fixed(0.114020904255103, v);
    }
  }
  [[nodiscard]] std::uint8_t operator()(std::uint8_t r, std::uint8_t g, std::uint8_t b) const {
    return static_cast<std::uint8_t>((r_[r] + g_[g] + b_[b] + half) >> fraction_bits);
  }

 private:
  static constexpr int fraction_bits = 40;
  static constexpr std::uint64_t half = std::uint64_t{1} << (fraction_bits - 1);
  static std::uint64_t fixed(double weight, unsigned value) {
    return static_cast<std::uint64_t>(std::llround(std::ldexp(weight * value, fraction_bits)));
  }
  std::array<std::uint64_t, 256> r_{}, g_{}, b_{};
};

const LumaTables& luma_tables() {
  static const LumaTables tables;
  return tables;
}

}  // namespace

std::uint8_t detail::matlab_luma(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  return luma_tables()(r, g, b);
}

namespace {

/// A channel of an RGBA pixel composited on white, as composite_on_white rounds it.
std::uint8_t on_white(std::uint8_t channel, std::uint8_t alpha) {
  const unsigned value = channel * alpha + 255u * (255u - alpha);
  return static_cast<std::uint8_t>((value + 127) / 255);
}

std::uint8_t pixel_luma(const LumaTables& luma, const std::uint8_t* pixel, std::uint32_t channels) {
  if (channels == 4) {
    return luma(on_white(pixel[0], pixel[3]), on_white(pixel[1], pixel[3]),
                on_white(pixel[2], pixel[3]));
  }
  return luma(pixel[0], pixel[1], pixel[2]);
}

/// The downsampling factor ssim.m picks: one output pixel per f×f for images over 256 a side.
std::uint32_t downsampling_factor(std::uint32_t width, std::uint32_t height) {
  const double f = std::round(static_cast<double>(std::min(width, height)) / 256.0);
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(f));
}

/// MATLAB's symmetric border: index −1 reads 0, index n reads n − 1 (0-based).
std::uint32_t reflect(std::int64_t index, std::uint32_t n) {
  while (index < 0 || index >= n) index = index < 0 ? -index - 1 : 2 * std::int64_t{n} - index - 1;
  return static_cast<std::uint32_t>(index);
}

/// The source positions (0-based) of output sample i: the f-box of ssim.m's imfilter, whose
/// centre sits at ⌊(f+1)/2⌋ (1-based), applied at every f-th position.
std::vector<std::uint32_t> box_sources(std::uint32_t n, std::uint32_t f) {
  const std::uint32_t samples = (n + f - 1) / f;
  const std::int64_t centre = (f + 1) / 2 - 1;  // 0-based
  std::vector<std::uint32_t> sources;
  sources.reserve(static_cast<std::size_t>(samples) * f);
  for (std::uint32_t i = 0; i < samples; ++i) {
    for (std::uint32_t j = 0; j < f; ++j) {
      sources.push_back(reflect(std::int64_t{i} * f + j - centre, n));
    }
  }
  return sources;
}

/// The downsampled grey image (row-major, ⌈w/f⌉ × ⌈h/f⌉) of a picture given by its luma rows:
/// row_luma(y, out) fills out[0..width) with row y's luma.
template <typename RowLuma>
std::vector<double> downsampled_luma(std::uint32_t width, std::uint32_t height, RowLuma row_luma) {
  const std::uint32_t f = downsampling_factor(width, height);
  const std::vector<std::uint32_t> columns = box_sources(width, f);
  const std::vector<std::uint32_t> rows = box_sources(height, f);
  const std::size_t out_width = columns.size() / f;
  const std::size_t out_height = rows.size() / f;
  std::vector<double> out(out_width * out_height, 0.0);
  std::vector<std::uint8_t> line(width);
  std::vector<std::uint32_t> column_sums(width);
  const double scale = 1.0 / (static_cast<double>(f) * f);
  for (std::size_t oy = 0; oy < out_height; ++oy) {
    std::fill(column_sums.begin(), column_sums.end(), 0u);
    for (std::uint32_t j = 0; j < f; ++j) {
      row_luma(rows[oy * f + j], line.data());
      for (std::uint32_t x = 0; x < width; ++x) column_sums[x] += line[x];
    }
    double* out_row = &out[oy * out_width];
    for (std::size_t ox = 0; ox < out_width; ++ox) {
      std::uint32_t sum = 0;
      for (std::uint32_t i = 0; i < f; ++i) sum += column_sums[columns[ox * f + i]];
      out_row[ox] = sum * scale;
    }
  }
  return out;
}

std::array<double, window_size> gaussian_window() {
  std::array<double, window_size> weights{};
  double sum = 0;
  for (std::size_t t = 0; t < window_size; ++t) {
    const double d = static_cast<double>(t) - static_cast<double>(window_radius);
    weights[t] = std::exp(-(d * d) / (2 * window_sigma * window_sigma));
    sum += weights[t];
  }
  for (double& weight : weights) weight /= sum;
  return weights;
}

/// Filter along a row, keeping the positions where the window fits wholly: out[i] =
/// Σ_t w[t]·in[t][i], in[t] being row t of the window's rows (vertically) or the row shifted by
/// t (horizontally); a SIMD kernel of the widest vectors this CPU has, with the plain loop's bits.
void filter(const std::array<double, window_size>& w,
            const std::array<const double*, window_size>& in, double* out, std::size_t out_width) {
  static_assert(window_size == detail::window_taps);
  detail::filter_window(w.data(), in.data(), out, out_width);
}

std::array<const double*, window_size> shifted(const double* row) {
  std::array<const double*, window_size> rows{};
  for (std::size_t t = 0; t < window_size; ++t) rows[t] = row + t;
  return rows;
}

/// Filter `Moments` rows per image row with the window, horizontally then vertically, keeping
/// the positions where the window fits wholly. make_rows(row, rows) writes image row `row`'s
/// Moments rows (width samples each); use(out_row, local) receives each output row's Moments
/// filtered rows (out_width samples each). Rows are filtered horizontally into a ring of the
/// last 11, which the vertical pass combines, so memory stays at 11 rows whatever the height.
template <std::size_t Moments, typename MakeRows, typename Use>
void filter_2d(std::size_t width, std::size_t height, const MakeRows& make_rows, const Use& use) {
  const std::array<double, window_size> w = gaussian_window();
  const std::size_t out_width = width - window_size + 1;
  // ring[(moment · 11 + slot) · out_width + i]
  std::vector<double> ring(Moments * window_size * out_width);
  std::vector<double> rows(Moments * width);
  std::vector<double> local(Moments * out_width);
  for (std::size_t row = 0; row < height; ++row) {
    make_rows(row, rows.data());
    const std::size_t slot = row % window_size;
    for (std::size_t m = 0; m < Moments; ++m) {
      filter(w, shifted(&rows[m * width]), &ring[(m * window_size + slot) * out_width], out_width);
    }
    if (row + 1 < window_size) continue;
    for (std::size_t m = 0; m < Moments; ++m) {
      std::array<const double*, window_size> window_rows{};  // oldest first
      for (std::size_t t = 0; t < window_size; ++t) {
        window_rows[t] = &ring[(m * window_size + (row + 1 + t) % window_size) * out_width];
      }
      filter(w, window_rows, &local[m * out_width], out_width);
    }
    use(row + 1 - window_size, local.data());
  }
}

}  // namespace

namespace detail {

/// E[x] and E[x²] under the window, at every position where it fits: the original's half of
/// SSIM's local statistics, the same for every image compared with it.
struct SsimMoments {
  std::vector<double> mean;
  std::vector<double> square;
};

}  // namespace detail

namespace {

detail::SsimMoments local_moments(const std::vector<double>& x, std::size_t width,
                                  std::size_t height) {
  detail::SsimMoments moments;
  if (width < window_size || height < window_size) return moments;
  const std::size_t out_width = width - window_size + 1;
  const std::size_t out_height = height - window_size + 1;
  moments.mean.resize(out_width * out_height);
  moments.square.resize(out_width * out_height);
  filter_2d<2>(
      width, height,
      [&](std::size_t row, double* rows) {
        for (std::size_t i = 0; i < width; ++i) {
          const double a = x[row * width + i];
          rows[i] = a;
          rows[width + i] = a * a;
        }
      },
      [&](std::size_t out_row, const double* local) {
        std::copy_n(local, out_width, &moments.mean[out_row * out_width]);
        std::copy_n(local + out_width, out_width, &moments.square[out_row * out_width]);
      });
  return moments;
}

/// Mean of the SSIM map over the windows that fit wholly in two grey images of width × height,
/// x's local moments made beforehand.
double mean_ssim(const std::vector<double>& x, const detail::SsimMoments& x_moments,
                 const std::vector<double>& y, std::size_t width, std::size_t height) {
  if (width < window_size || height < window_size) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t out_width = width - window_size + 1;
  double total = 0;
  filter_2d<3>(
      width, height,
      [&](std::size_t row, double* rows) {
        for (std::size_t i = 0; i < width; ++i) {
          const double a = x[row * width + i];
          const double b = y[row * width + i];
          rows[i] = b;
          rows[width + i] = b * b;
          rows[2 * width + i] = a * b;
        }
      },
      [&](std::size_t out_row, const double* local) {
        const double* x_mean = &x_moments.mean[out_row * out_width];
        const double* x_square = &x_moments.square[out_row * out_width];
        for (std::size_t i = 0; i < out_width; ++i) {
          const double mx = x_mean[i];
          const double my = local[i];
          const double vx = x_square[i] - mx * mx;
          const double vy = local[out_width + i] - my * my;
          const double cxy = local[2 * out_width + i] - mx * my;
          total +=
              ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
      });
  return total / static_cast<double>(out_width * (height - window_size + 1));
}

std::vector<double> image_luma(const Image& image) {
  const std::uint32_t channels = image.channels;
  if (channels != 3 && channels != 4) {
    throw Error(ErrorKind::invalid_argument, "SSIM needs an RGB or RGBA image");
  }
  const LumaTables& luma = luma_tables();
  return downsampled_luma(image.width, image.height, [&](std::uint32_t y, std::uint8_t* out) {
    const std::uint8_t* pixel = &image.pixels[static_cast<std::size_t>(y) * image.width * channels];
    for (std::uint32_t x = 0; x < image.width; ++x, pixel += channels) {
      out[x] = pixel_luma(luma, pixel, channels);
    }
  });
}

void check_same_size(std::uint32_t width, std::uint32_t height, std::uint32_t other_width,
                     std::uint32_t other_height) {
  if (width != other_width || height != other_height) {
    throw Error(ErrorKind::invalid_argument,
                "SSIM of images of different sizes: " + std::to_string(width) + "×" +
                    std::to_string(height) + " and " + std::to_string(other_width) + "×" +
                    std::to_string(other_height));
  }
}

}  // namespace

SsimReference::SsimReference(const Image& original)
    : width_(original.width), height_(original.height), reference_(image_luma(original)) {
  const std::uint32_t f = downsampling_factor(width_, height_);
  moments_ = std::make_shared<const detail::SsimMoments>(
      local_moments(reference_, (width_ + f - 1) / f, (height_ + f - 1) / f));
}

double SsimReference::operator()(const Image& image) const {
  check_same_size(width_, height_, image.width, image.height);
  const std::uint32_t f = downsampling_factor(width_, height_);
  return mean_ssim(reference_, *moments_, image_luma(image), (width_ + f - 1) / f,
                   (height_ + f - 1) / f);
}

double SsimReference::operator()(const Result& result) const {
  check_same_size(width_, height_, result.width, result.height);
  if (result.indices.size() != static_cast<std::size_t>(width_) * height_) {
    throw Error(ErrorKind::invalid_argument, "SSIM of a result without one index per pixel");
  }
  std::array<std::uint8_t, max_colors> palette_luma{};
  for (std::size_t i = 0; i < result.palette.size() && i < max_colors; ++i) {
    const Rgb8 c = result.palette[i];
    const std::uint8_t a = result.alpha.empty() ? 255 : result.alpha[i];
    const std::array<std::uint8_t, 4> pixel = {c.r, c.g, c.b, a};
    palette_luma[i] = pixel_luma(luma_tables(), pixel.data(), 4);
  }
  const std::vector<double> distorted =
      downsampled_luma(width_, height_, [&](std::uint32_t y, std::uint8_t* out) {
        const std::uint8_t* index = &result.indices[static_cast<std::size_t>(y) * width_];
        for (std::uint32_t x = 0; x < width_; ++x) out[x] = palette_luma[index[x]];
      });
  const std::uint32_t f = downsampling_factor(width_, height_);
  return mean_ssim(reference_, *moments_, distorted, (width_ + f - 1) / f, (height_ + f - 1) / f);
}

double structural_similarity(const Image& original, const Image& distorted) {
  return SsimReference(original)(distorted);
}

}  // namespace kmquant
