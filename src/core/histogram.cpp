// Counting the unique colours of an image: one pass over the pixels into an open-addressing
// hash table keyed by packed RGB, then the unique colours sorted so that the histogram (and
// everything computed from it) does not depend on hash order.
#include "core/histogram.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>

#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace detail {

void check_rgb_image(const Image& image) {
  if (image.channels != 3) {
    throw Error(ErrorKind::invalid_argument,
                "expected an RGB image (3 channels), got " + std::to_string(image.channels));
  }
  if (image.width == 0 || image.height == 0) {
    throw Error(ErrorKind::invalid_argument, "the image is empty (0 pixels)");
  }
  if (image.pixels.size() != image.pixel_count() * 3) {
    throw Error(ErrorKind::invalid_argument, "the pixel buffer does not match width × height × 3");
  }
}

namespace {

constexpr std::uint32_t empty_slot = 0xFFFFFFFFu;  // no packed 24-bit colour has this value

/// Open-addressing hash map from packed colour to a dense id (ids in first-seen order).
class ColorTable {
 public:
  ColorTable() { rehash(1u << 12); }

  std::uint32_t id_of(std::uint32_t key) {
    std::size_t slot = home_slot(key);
    while (keys_[slot] != key) {
      if (keys_[slot] == empty_slot) return insert_at(slot, key);
      slot = (slot + 1) & mask_;
    }
    return ids_[slot];
  }

  [[nodiscard]] const std::vector<std::uint32_t>& keys_by_id() const { return keys_by_id_; }

 private:
  [[nodiscard]] std::size_t home_slot(std::uint32_t key) const {
    // Fibonacci hashing: multiply spreads the packed channels over the high bits.
    return static_cast<std::size_t>((key * 2654435769u) >> shift_) & mask_;
  }

  std::uint32_t insert_at(std::size_t slot, std::uint32_t key) {
    const auto id = static_cast<std::uint32_t>(keys_by_id_.size());
    keys_[slot] = key;
    ids_[slot] = id;
    keys_by_id_.push_back(key);
    if (keys_by_id_.size() * 2 > keys_.size()) rehash(keys_.size() * 2);  // load ≤ 1/2
    return id;
  }

  void rehash(std::size_t capacity) {
    keys_.assign(capacity, empty_slot);
    ids_.assign(capacity, 0);
    mask_ = capacity - 1;
    shift_ = 32u - static_cast<unsigned>(std::countr_zero(capacity));
    for (std::uint32_t id = 0; id < keys_by_id_.size(); ++id) {
      std::size_t slot = home_slot(keys_by_id_[id]);
      while (keys_[slot] != empty_slot) slot = (slot + 1) & mask_;
      keys_[slot] = keys_by_id_[id];
      ids_[slot] = id;
    }
  }

  std::vector<std::uint32_t> keys_;
  std::vector<std::uint32_t> ids_;
  std::vector<std::uint32_t> keys_by_id_;
  std::size_t mask_ = 0;
  unsigned shift_ = 0;
};

}  // namespace
}  // namespace detail

Histogram count_colors(const Image& rgb) {
  detail::check_rgb_image(rgb);
  const std::size_t n = rgb.pixel_count();
  Histogram histogram;
  histogram.pixel_color.resize(n);

  detail::ColorTable table;
  const std::uint8_t* p = rgb.pixels.data();
  for (std::size_t i = 0; i < n; ++i, p += 3) {
    histogram.pixel_color[i] = table.id_of(detail::pack_rgb(p[0], p[1], p[2]));
  }

  // Sort the unique colours by value and renumber the pixels accordingly.
  const std::vector<std::uint32_t>& keys = table.keys_by_id();
  std::vector<std::uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  std::vector<std::uint32_t> rank(keys.size());
  histogram.colors.resize(keys.size());
  for (std::uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    histogram.colors[r] = detail::unpack_rgb(keys[order[r]]);
  }
  histogram.counts.assign(keys.size(), 0);
  for (std::uint32_t& id : histogram.pixel_color) {
    id = rank[id];
    ++histogram.counts[id];
  }
  return histogram;
}

}  // namespace kmquant
