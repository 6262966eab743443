// Counting the unique colours of an image: one pass over the pixels into an open-addressing
// hash table keyed by packed RGB, then the unique colours sorted so that the histogram (and
// everything computed from it) does not depend on hash order.
#include "core/histogram.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>

#include "core/parallel.hpp"
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

namespace {

/// Images this large are counted in parts on several threads.
constexpr std::size_t min_pixels_per_part = std::size_t{1} << 20;

/// One part of the image counted on its own: per pixel an id into its own table.
struct CountedPart {
  std::size_t begin = 0;
  std::size_t end = 0;
  detail::ColorTable table;
};

}  // namespace

Histogram count_colors(const Image& rgb, unsigned threads) {
  detail::check_rgb_image(rgb);
  const std::size_t n = rgb.pixel_count();
  Histogram histogram;
  histogram.pixel_color.resize(n);

  const std::size_t part_count =
      std::clamp<std::size_t>(n / min_pixels_per_part, 1, detail::resolve_threads(threads));
  std::vector<CountedPart> parts(part_count);
  detail::parallel_for(part_count, threads, [&](std::size_t p) {
    CountedPart& part = parts[p];
    part.begin = p * n / part_count;
    part.end = (p + 1) * n / part_count;
    const std::uint8_t* pixel = rgb.pixels.data() + 3 * part.begin;
    for (std::size_t i = part.begin; i < part.end; ++i, pixel += 3) {
      histogram.pixel_color[i] = part.table.id_of(detail::pack_rgb(pixel[0], pixel[1], pixel[2]));
    }
  });

  // The unique colours of all parts, sorted by value: the histogram then does not depend on
  // hash order nor on how the image was split.
  std::vector<std::uint32_t> keys;
  for (const CountedPart& part : parts) {
    keys.insert(keys.end(), part.table.keys_by_id().begin(), part.table.keys_by_id().end());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  histogram.colors.resize(keys.size());
  for (std::size_t r = 0; r < keys.size(); ++r) histogram.colors[r] = detail::unpack_rgb(keys[r]);

  // Renumber each part's pixels by rank, counting as we go.
  std::vector<std::vector<std::uint32_t>> part_counts(part_count);
  detail::parallel_for(part_count, threads, [&](std::size_t p) {
    const CountedPart& part = parts[p];
    const std::vector<std::uint32_t>& local = part.table.keys_by_id();
    std::vector<std::uint32_t> rank(local.size());
    for (std::size_t id = 0; id < local.size(); ++id) {
      rank[id] = static_cast<std::uint32_t>(std::lower_bound(keys.begin(), keys.end(), local[id]) -
                                            keys.begin());
    }
    std::vector<std::uint32_t>& counts = part_counts[p];
    counts.assign(keys.size(), 0);
    for (std::size_t i = part.begin; i < part.end; ++i) {
      std::uint32_t& id = histogram.pixel_color[i];
      id = rank[id];
      ++counts[id];
    }
  });
  histogram.counts = std::move(part_counts.front());
  for (std::size_t p = 1; p < part_count; ++p) {
    for (std::size_t c = 0; c < keys.size(); ++c) histogram.counts[c] += part_counts[p][c];
  }
  return histogram;
}

}  // namespace kmquant
