// Counting the unique colours of an RGBA image: an open-addressing hash table keyed by the
// packed colour, then the colours sorted so nothing depends on hash order.
#include "core/rgba_histogram.hpp"

#include <algorithm>
#include <string>

#include "core/histogram.hpp"
#include "kmquant/error.hpp"

namespace kmquant::detail {
namespace {

constexpr std::uint64_t empty_slot = ~std::uint64_t{0};  // no packed 32-bit colour is this

std::uint32_t pack_rgba(const std::uint8_t* p) noexcept {
  if (p[3] == 0) return 0;  // every fully transparent pixel is (0, 0, 0, 0)
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

Rgba8 unpack_rgba(std::uint32_t key) noexcept {
  return {static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16),
          static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
}

/// Packed colour → dense id in first-seen order; load factor at most 1/2.
class RgbaTable {
 public:
  RgbaTable() { rehash(std::size_t{1} << 12); }

  std::uint32_t id_of(std::uint32_t key) {
    std::size_t slot = home(key);
    while (keys_[slot] != key) {
      if (keys_[slot] == empty_slot) return insert_at(slot, key);
      slot = (slot + 1) & mask_;
    }
    return ids_[slot];
  }

  [[nodiscard]] const std::vector<std::uint32_t>& keys_by_id() const { return by_id_; }

 private:
  [[nodiscard]] std::size_t home(std::uint32_t key) const {
    return static_cast<std::size_t>((std::uint64_t{key} * 0x9E3779B97F4A7C15ull) >> 40) & mask_;
  }

  std::uint32_t insert_at(std::size_t slot, std::uint32_t key) {
    const auto id = static_cast<std::uint32_t>(by_id_.size());
    keys_[slot] = key;
    ids_[slot] = id;
    by_id_.push_back(key);
    if (by_id_.size() * 2 > keys_.size()) rehash(keys_.size() * 2);
    return id;
  }

  void rehash(std::size_t capacity) {
    keys_.assign(capacity, empty_slot);
    ids_.assign(capacity, 0);
    mask_ = capacity - 1;
    for (std::uint32_t id = 0; id < by_id_.size(); ++id) {
      std::size_t slot = home(by_id_[id]);
      while (keys_[slot] != empty_slot) slot = (slot + 1) & mask_;
      keys_[slot] = by_id_[id];
      ids_[slot] = id;
    }
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> ids_;
  std::vector<std::uint32_t> by_id_;
  std::size_t mask_ = 0;
};

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
  histogram.pixel_color.resize(n);
  RgbaTable table;
  // Neighbouring pixels often repeat a colour: remember the last one.
  std::uint32_t last_key = pack_rgba(rgba.pixels.data());
  std::uint32_t last_id = table.id_of(last_key);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t key = pack_rgba(rgba.pixels.data() + 4 * i);
    if (key != last_key) {
      last_key = key;
      last_id = table.id_of(key);
    }
    histogram.pixel_color[i] = last_id;
  }
  std::vector<std::uint32_t> keys = table.keys_by_id();
  std::sort(keys.begin(), keys.end());
  std::vector<std::uint32_t> rank(keys.size());
  for (std::size_t id = 0; id < keys.size(); ++id) {
    rank[id] = static_cast<std::uint32_t>(
        std::lower_bound(keys.begin(), keys.end(), table.keys_by_id()[id]) - keys.begin());
  }
  histogram.counts.assign(keys.size(), 0);
  for (std::uint32_t& color : histogram.pixel_color) {
    color = rank[color];
    ++histogram.counts[color];
  }
  histogram.colors.reserve(keys.size());
  for (std::uint32_t key : keys) histogram.colors.push_back(unpack_rgba(key));
  return histogram;
}

}  // namespace kmquant::detail
