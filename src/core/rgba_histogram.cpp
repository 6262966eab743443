// Counting the unique colours of an RGBA image by sorting its pixels' packed colours (radix
// sort, in parts of bounded memory): the colours come out in key order, whatever the pixels'.
#include "core/rgba_histogram.hpp"

#include <algorithm>
#include <string>

#include "base/large_buffer.hpp"
#include "base/radix_sort.hpp"
#include "core/histogram.hpp"
#include "kmquant/error.hpp"

namespace kmquant::detail {
namespace {

std::uint32_t pack_rgba(const std::uint8_t* p) noexcept {
  if (p[3] == 0) return 0;  // every fully transparent pixel is (0, 0, 0, 0)
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

Rgba8 unpack_rgba(std::uint32_t key) noexcept {
  return {static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16),
          static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
}

/// Pixels counted per part: each part's (colour, pixel) records are sorted at once, so this
/// bounds the records' memory (16 bytes a pixel) at 16 MiB.
constexpr std::size_t pixels_per_part = std::size_t{1} << 20;

/// The records (key, n) of a sorted run listed once per key, n counting from `first`, and per
/// record of the run its key's number among them (written to number_of[low half]).
std::vector<std::uint64_t> distinct_keys(const std::vector<std::uint64_t>& sorted,
                                         std::uint32_t first, std::uint32_t* number_of) {
  std::vector<std::uint64_t> distinct;
  for (std::size_t r = 0; r < sorted.size(); ++r) {
    const std::uint64_t key = sorted[r] >> 32;
    if (r == 0 || key != sorted[r - 1] >> 32) {
      distinct.push_back((key << 32) | (first + distinct.size()));
    }
    number_of[static_cast<std::uint32_t>(sorted[r])] =
        static_cast<std::uint32_t>(first + distinct.size() - 1);
  }
  return distinct;
}

}  // namespace

void check_rgba_image(const Image& image) {
  if (image.channels != 4) {
    throw Error(ErrorKind::invalid_argument,
                "expected an RGBA image (4 channels), got " + std::to_string(image.channels));
  }
  if (image.width == 0 || image.height == 0) {
    throw Error(ErrorKind::invalid_argument, "the image is empty (0 pixels)");
  }
  if (image.pixels.size() != image.pixel_count() * 4) {
    throw Error(ErrorKind::invalid_argument, "the pixel buffer does not match width × height × 4");
  }
}

void check_image(const Image& image) {
  if (image.channels == 4) {
    check_rgba_image(image);
  } else if (image.channels == 3) {
    check_rgb_image(image);
  } else {
    throw Error(
        ErrorKind::invalid_argument,
        "expected an RGB or RGBA image (3 or 4 channels), got " + std::to_string(image.channels));
  }
}

bool is_opaque(const Image& rgba) noexcept {
  for (std::size_t i = 3; i < rgba.pixels.size(); i += 4) {
    if (rgba.pixels[i] != 255) return false;
  }
  return true;
}

Image drop_alpha(const Image& rgba) {
  Image rgb;
  rgb.width = rgba.width;
  rgb.height = rgba.height;
  rgb.channels = 3;
  rgb.pixels.resize(rgba.pixel_count() * 3);
  for (std::size_t p = 0; p < rgba.pixel_count(); ++p) {
    std::copy_n(rgba.pixels.data() + 4 * p, 3, rgb.pixels.data() + 3 * p);
  }
  return rgb;
}

RgbaHistogram count_rgba_colors(const Image& rgba) {
  check_rgba_image(rgba);
  const std::size_t n = rgba.pixel_count();
  RgbaHistogram histogram;
  reserve_large(histogram.pixel_color, n);
  histogram.pixel_color.resize(n);
  // Each part's pixels sorted by colour give them part-local colour numbers; the parts'
  // colours sorted together give each local number its rank among all colours.
  std::vector<std::uint64_t> records;
  std::vector<std::uint64_t> scratch;
  reserve_large(records, std::min(n, pixels_per_part));
  reserve_large(scratch, std::min(n, pixels_per_part));
  std::vector<std::uint64_t> part_colours;
  for (std::size_t begin = 0; begin < n; begin += pixels_per_part) {
    const std::size_t end = std::min(n, begin + pixels_per_part);
    records.resize(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      records[i - begin] =
          (std::uint64_t{pack_rgba(rgba.pixels.data() + 4 * i)} << 32) | (i - begin);
    }
    sort_by_high_half(records, scratch);
    const std::vector<std::uint64_t> distinct =
        distinct_keys(records, static_cast<std::uint32_t>(part_colours.size()),
                      histogram.pixel_color.data() + begin);
    part_colours.insert(part_colours.end(), distinct.begin(), distinct.end());
  }
  records.clear();
  records.shrink_to_fit();
  sort_by_high_half(part_colours, scratch);
  std::vector<std::uint32_t> rank(part_colours.size());
  const std::vector<std::uint64_t> colours = distinct_keys(part_colours, 0, rank.data());
  histogram.colors.reserve(colours.size());
  for (const std::uint64_t record : colours) {
    histogram.colors.push_back(unpack_rgba(static_cast<std::uint32_t>(record >> 32)));
  }
  histogram.counts.assign(colours.size(), 0);
  for (std::uint32_t& color : histogram.pixel_color) {
    color = rank[color];
    ++histogram.counts[color];
  }
  return histogram;
}

}  // namespace kmquant::detail
