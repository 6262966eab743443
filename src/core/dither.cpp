// Nearest-entry search, Floyd–Steinberg error diffusion and the written image's error.
#include "core/dither.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/parallel.hpp"

namespace kmquant::detail {
namespace {

constexpr std::size_t min_rows_per_band = 64;

std::int64_t squared_distance(const SpacePoint& a, const SpacePoint& b) noexcept {
  std::int64_t sum = 0;
  for (std::size_t c = 0; c < 4; ++c) sum += (a[c] - b[c]) * (a[c] - b[c]);
  return sum;
}

bool image_has_transparency(const Image& image) {
  if (image.channels != 4) return false;
  for (std::size_t i = 3; i < image.pixels.size(); i += 4) {
    if (image.pixels[i] != 255) return true;
  }
  return false;
}

/// The nearest integer of a value ≥ 0, halves rounded up (as std::lround, without its libm
/// call: the fractional part of a float below 2^24 is exact).
std::int64_t round_half_up(float value) noexcept {
  const auto whole = static_cast<std::int64_t>(value);
  return value - static_cast<float>(whole) >= 0.5f ? whole + 1 : whole;
}

/// The pixel's point in the space.
SpacePoint pixel_point(const Image& image, bool premultiplied, std::size_t pixel) noexcept {
  const std::uint8_t* p = image.pixels.data() + pixel * image.channels;
  return space_point(premultiplied, p[0], p[1], p[2], image.channels == 4 ? p[3] : 255);
}

bool transparent(const Image& image, std::size_t pixel) noexcept {
  return image.channels == 4 && image.pixels[pixel * 4 + 3] == 0;
}

/// Error diffusion over the whole image, one row after another (the order is the algorithm).
std::vector<std::uint8_t> floyd_steinberg(const Image& image, const PaletteSpace& space,
                                          float strength) {
  const std::size_t width = image.width;
  const float top = space.premultiplied ? 65025.0f : 255.0f;
  const std::size_t channels = space.premultiplied ? 4 : 3;
  // Error arriving at this row and the next, with one spare pixel either side.
  std::vector<std::array<float, 4>> here(width + 2, std::array<float, 4>{});
  std::vector<std::array<float, 4>> below(width + 2, std::array<float, 4>{});
  std::vector<std::uint8_t> indices(image.pixel_count());
  NearestEntry nearest(space);
  for (std::size_t y = 0; y < image.height; ++y) {
    const bool forward = y % 2 == 0;
    std::fill(below.begin(), below.end(), std::array<float, 4>{});
    for (std::size_t step = 0; step < width; ++step) {
      const std::size_t x = forward ? step : width - 1 - step;
      const std::size_t pixel = y * width + x;
      if (transparent(image, pixel)) {
        indices[pixel] = nearest(SpacePoint{});
        continue;
      }
      const SpacePoint original = pixel_point(image, space.premultiplied, pixel);
      std::array<float, 4> target{};
      SpacePoint key{};
      for (std::size_t c = 0; c < channels; ++c) {
        target[c] = std::clamp(static_cast<float>(original[c]) + here[x + 1][c], 0.0f, top);
        key[c] = round_half_up(target[c]);
      }
      const std::uint8_t chosen = nearest(key);
      indices[pixel] = chosen;
      const SpacePoint& written = space.entries[chosen];
      // Neighbours in the buffers (offset by the spare pixel): ahead, and below behind/ahead.
      const std::size_t ahead = forward ? x + 2 : x;
      const std::size_t behind = forward ? x : x + 2;
      for (std::size_t c = 0; c < channels; ++c) {
        const float error = (target[c] - static_cast<float>(written[c])) * strength;
        here[ahead][c] += error * (7.0f / 16.0f);
        below[behind][c] += error * (3.0f / 16.0f);
        below[x + 1][c] += error * (5.0f / 16.0f);
        below[ahead][c] += error * (1.0f / 16.0f);
      }
    }
    std::swap(here, below);
  }
  return indices;
}

/// Each pixel its nearest entry: rows are independent, so bands of rows run in parallel, one
/// band (and one set of cell lists) per thread.
std::vector<std::uint8_t> nearest_entries(const Image& image, const PaletteSpace& space,
                                          unsigned threads) {
  std::vector<std::uint8_t> indices(image.pixel_count());
  const std::size_t bands =
      std::clamp<std::size_t>(image.height / min_rows_per_band, 1, resolve_threads(threads));
  parallel_for(bands, threads, [&](std::size_t band) {
    NearestEntry nearest(space);
    const std::size_t begin = band * image.height / bands * image.width;
    const std::size_t end = (band + 1) * image.height / bands * image.width;
    for (std::size_t pixel = begin; pixel < end; ++pixel) {
      indices[pixel] = nearest(pixel_point(image, space.premultiplied, pixel));
    }
  });
  return indices;
}

}  // namespace

SpacePoint space_point(bool premultiplied, std::uint8_t r, std::uint8_t g, std::uint8_t b,
                       std::uint8_t a) noexcept {
  if (!premultiplied) return {r, g, b, 0};
  const std::int64_t alpha = a;
  return {r * alpha, g * alpha, b * alpha, 255 * alpha};
}

PaletteSpace palette_space(const Image& image, std::span<const Rgb8> palette,
                           std::span<const std::uint8_t> alpha) {
  PaletteSpace space;
  space.premultiplied = image_has_transparency(image) ||
                        std::any_of(alpha.begin(), alpha.end(), [](auto a) { return a != 255; });
  space.entries.reserve(palette.size());
  for (std::size_t i = 0; i < palette.size(); ++i) {
    const std::uint8_t a = alpha.empty() ? 255 : alpha[i];
    space.entries.push_back(
        space_point(space.premultiplied, palette[i].r, palette[i].g, palette[i].b, a));
  }
  return space;
}

NearestEntry::NearestEntry(const PaletteSpace& space)
    : entries_(space.entries),
      channels_(space.premultiplied ? 4 : 3),
      top_(space.premultiplied ? 65025 : 255),
      bits_(space.premultiplied ? 16 : 8),
      all_(space.entries.size()) {
  std::iota(all_.begin(), all_.end(), std::uint8_t{0});
  // Opaque: 16³ coarse cells of 16 values, 32³ fine cells of 8. Premultiplied: 8⁴ coarse
  // cells of 8192 values, 16⁴ fine cells of 4096. The fine grid's cell table must stay small
  // enough for the cache: dithered targets hop between cells, and 64³ cells of 4 (2 MB) made
  // Floyd–Steinberg on the 14.6-MP image 1.7× slower than 32³ for k = 16 (1.3× for k = 256).
  make_grid(coarse_, space.premultiplied ? 13 : 4);
  make_grid(fine_, space.premultiplied ? 12 : 3);
}

void NearestEntry::make_grid(Grid& grid, unsigned shift) const {
  grid.shift = shift;
  std::size_t cells = 1;
  for (std::size_t c = 0; c < channels_; ++c) cells <<= bits_ - shift;
  grid.cells.assign(cells, Cell{});
}

std::size_t NearestEntry::cell_of(const Grid& grid, const SpacePoint& point) const noexcept {
  std::size_t cell = 0;
  for (std::size_t c = 0; c < channels_; ++c) {
    cell = (cell << (bits_ - grid.shift)) | static_cast<std::size_t>(point[c] >> grid.shift);
  }
  return cell;
}

void NearestEntry::fill(Grid& grid, std::size_t cell, const SpacePoint& point,
                        std::span<const std::uint8_t> from) {
  SpacePoint low{};
  SpacePoint high{};
  for (std::size_t c = 0; c < channels_; ++c) {
    low[c] = point[c] >> grid.shift << grid.shift;
    high[c] = std::min(top_, low[c] + (std::int64_t{1} << grid.shift) - 1);
  }
  std::vector<std::int64_t> least(from.size());
  std::int64_t bound = -1;  // the smallest greatest distance from the cell to an entry
  for (std::size_t i = 0; i < from.size(); ++i) {
    std::int64_t near = 0;
    std::int64_t far = 0;
    for (std::size_t c = 0; c < channels_; ++c) {
      const std::int64_t v = entries_[from[i]][c];
      const std::int64_t inside = std::clamp(v, low[c], high[c]) - v;
      const std::int64_t outside = std::max(v - low[c], high[c] - v);
      near += inside * inside;
      far += outside * outside;
    }
    least[i] = near;
    if (bound < 0 || far < bound) bound = far;
  }
  const std::size_t begin = grid.candidates.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (least[i] <= bound) grid.candidates.push_back(from[i]);
  }
  grid.cells[cell] = {static_cast<std::uint32_t>(begin),
                      static_cast<std::uint32_t>(grid.candidates.size() - begin)};
}

std::uint8_t NearestEntry::operator()(const SpacePoint& point) {
  const std::size_t cell = cell_of(fine_, point);
  if (fine_.cells[cell].size == 0) {
    const std::size_t parent = cell_of(coarse_, point);
    if (coarse_.cells[parent].size == 0) fill(coarse_, parent, point, all_);
    const Cell& from = coarse_.cells[parent];
    fill(fine_, cell, point,
         std::span<const std::uint8_t>(coarse_.candidates).subspan(from.begin, from.size));
  }
  const Cell& found = fine_.cells[cell];
  const std::uint8_t* list = fine_.candidates.data() + found.begin;
  // The list is in index order: a later entry must be strictly nearer to win a tie.
  std::uint8_t best = list[0];
  std::int64_t best_distance = squared_distance(point, entries_[best]);
  for (std::size_t i = 1; i < found.size; ++i) {
    const std::int64_t d = squared_distance(point, entries_[list[i]]);
    if (d < best_distance) {
      best_distance = d;
      best = list[i];
    }
  }
  return best;
}

std::vector<std::uint8_t> map_to_palette(const Image& image, const PaletteSpace& space,
                                         Dither dither, float strength, unsigned threads) {
  if (dither == Dither::none || strength == 0.0f) return nearest_entries(image, space, threads);
  return floyd_steinberg(image, space, strength);
}

double written_mse(const Image& image, const PaletteSpace& space,
                   std::span<const std::uint8_t> indices) {
  std::uint64_t sum = 0;
  for (std::size_t pixel = 0; pixel < indices.size(); ++pixel) {
    const SpacePoint original = pixel_point(image, space.premultiplied, pixel);
    sum += static_cast<std::uint64_t>(squared_distance(original, space.entries[indices[pixel]]));
  }
  const double pixels = static_cast<double>(indices.size());
  return space.premultiplied ? static_cast<double>(sum) / (255.0 * 255.0 * 4.0 * pixels)
                             : static_cast<double>(sum) / (3.0 * pixels);
}

}  // namespace kmquant::detail
