// Counting the unique colours of an image: one pass over the pixels marks them in a bit set of
// the colour space, a second gives each pixel its colour's rank and counts it.
#include "core/histogram.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>

#include "base/large_buffer.hpp"
#include "base/parallel.hpp"
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

}  // namespace detail

namespace {

using detail::HugePageArray;

/// Images this large are counted in parts on several threads.
constexpr std::size_t min_pixels_per_part = std::size_t{1} << 20;

/// Images this small are counted by sorting their colours: cheaper than clearing and scanning
/// the bit set of the whole colour space (2 MiB, over a millisecond), and the same histogram.
constexpr std::size_t max_pixels_to_sort = std::size_t{1} << 14;

std::uint32_t key_of_pixel(const Image& rgb, std::size_t i) {
  const std::uint8_t* pixel = rgb.pixels.data() + 3 * i;
  return detail::pack_rgb(pixel[0], pixel[1], pixel[2]);
}

Histogram count_by_sorting(const Image& rgb) {
  const std::size_t n = rgb.pixel_count();
  std::vector<std::uint32_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key_of_pixel(rgb, i);
  std::vector<std::uint32_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  Histogram histogram;
  for (std::uint32_t key : sorted) histogram.colors.push_back(detail::unpack_rgb(key));
  histogram.counts.assign(sorted.size(), 0);
  histogram.pixel_color.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto rank = static_cast<std::uint32_t>(
        std::lower_bound(sorted.begin(), sorted.end(), keys[i]) - sorted.begin());
    histogram.pixel_color[i] = rank;
    ++histogram.counts[rank];
  }
  return histogram;
}

/// One bit for each of the 2^24 colours: 2^18 words of 64.
constexpr std::size_t presence_words = std::size_t{1} << 18;

/// The colours that occur, as bits of the whole colour space, and per word of 64 colours how
/// many occurring colours come before its first: a colour's rank is then one popcount away.
/// Both are fixed tables of megabytes, touched all over: in 2 MiB pages where the system allows.
struct RankedColors {
  HugePageArray<std::uint64_t> present;
  HugePageArray<std::uint32_t> rank_before;
};

/// Mark the colours of pixels [begin, end) in a bit set of the colour space.
void mark_colors(const Image& rgb, std::size_t begin, std::size_t end,
                 HugePageArray<std::uint64_t>& present) {
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint32_t key = key_of_pixel(rgb, i);
    present[key >> 6] |= std::uint64_t{1} << (key & 63);
  }
}

/// Join the other parts' bit sets into `ranked.present` and rank its words; returns how many
/// colours there are. Inlined into both variants below.
inline std::uint32_t rank_words(RankedColors& ranked,
                                const std::vector<HugePageArray<std::uint64_t>>& parts) {
  std::uint32_t rank = 0;
  for (std::size_t w = 0; w < presence_words; ++w) {
    std::uint64_t present = ranked.present[w];
    for (std::size_t p = 1; p < parts.size(); ++p) present |= parts[p][w];
    ranked.present[w] = present;
    ranked.rank_before[w] = rank;
    rank += static_cast<std::uint32_t>(std::popcount(present));
  }
  return rank;
}

/// Give pixels [begin, end) their colour's rank among all occurring colours (in key order),
/// counting them. Inlined into both variants below.
inline void rank_pixels(const RankedColors& ranked, const Image& rgb, std::size_t begin,
                        std::size_t end, std::uint32_t* pixel_color, std::uint32_t* counts) {
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint32_t key = key_of_pixel(rgb, i);
    const std::size_t word = key >> 6;
    const std::uint64_t below = (std::uint64_t{1} << (key & 63)) - 1;
    const std::uint32_t rank =
        ranked.rank_before[word] +
        static_cast<std::uint32_t>(std::popcount(ranked.present[word] & below));
    pixel_color[i] = rank;
    ++counts[rank];
  }
}

// The x86-64 baseline has no popcount instruction: std::popcount is a library call there, a
// tenth of the rank pass's work. CPUs that have the instruction (all since 2008) get variants
// that use it, chosen at run time.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("popcnt"))) std::uint32_t rank_words_popcnt(
    RankedColors& ranked, const std::vector<HugePageArray<std::uint64_t>>& parts) {
  return rank_words(ranked, parts);
}

__attribute__((target("popcnt"))) void rank_pixels_popcnt(const RankedColors& ranked,
                                                          const Image& rgb, std::size_t begin,
                                                          std::size_t end,
                                                          std::uint32_t* pixel_color,
                                                          std::uint32_t* counts) {
  rank_pixels(ranked, rgb, begin, end, pixel_color, counts);
}

bool cpu_has_popcnt() {
  static const bool has_popcnt = __builtin_cpu_supports("popcnt") != 0;
  return has_popcnt;
}

std::uint32_t rank_words_for_this_cpu(RankedColors& ranked,
                                      const std::vector<HugePageArray<std::uint64_t>>& parts) {
  return cpu_has_popcnt() ? rank_words_popcnt(ranked, parts) : rank_words(ranked, parts);
}

void rank_pixels_for_this_cpu(const RankedColors& ranked, const Image& rgb, std::size_t begin,
                              std::size_t end, std::uint32_t* pixel_color, std::uint32_t* counts) {
  if (cpu_has_popcnt()) {
    rank_pixels_popcnt(ranked, rgb, begin, end, pixel_color, counts);
  } else {
    rank_pixels(ranked, rgb, begin, end, pixel_color, counts);
  }
}
#else
std::uint32_t rank_words_for_this_cpu(RankedColors& ranked,
                                      const std::vector<HugePageArray<std::uint64_t>>& parts) {
  return rank_words(ranked, parts);
}

void rank_pixels_for_this_cpu(const RankedColors& ranked, const Image& rgb, std::size_t begin,
                              std::size_t end, std::uint32_t* pixel_color, std::uint32_t* counts) {
  rank_pixels(ranked, rgb, begin, end, pixel_color, counts);
}
#endif

/// Join the parts' bit sets (into the first part's), rank the words, and list the colours
/// themselves in key order.
RankedColors rank_colors(std::vector<HugePageArray<std::uint64_t>>& parts,
                         std::vector<Rgb8>& colors) {
  RankedColors ranked{std::move(parts.front()), HugePageArray<std::uint32_t>(presence_words)};
  const std::uint32_t rank = rank_words_for_this_cpu(ranked, parts);
  colors.reserve(rank);
  for (std::size_t w = 0; w < presence_words; ++w) {
    for (std::uint64_t bits = ranked.present[w]; bits != 0; bits &= bits - 1) {
      colors.push_back(detail::unpack_rgb(
          static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)))));
    }
  }
  return ranked;
}

}  // namespace

// The colours are found as bits of a bit set of the whole colour space (2 MiB), which leaves
// them sorted by key, and a colour's rank is a popcount: no hashing, no sort, and a result that
// depends neither on the order of the pixels nor on how the image was split.
Histogram count_colors(const Image& rgb, unsigned threads) {
  detail::check_rgb_image(rgb);
  const std::size_t n = rgb.pixel_count();
  if (n <= max_pixels_to_sort) return count_by_sorting(rgb);
  const std::size_t part_count =
      std::clamp<std::size_t>(n / min_pixels_per_part, 1, detail::resolve_threads(threads));
  const auto part_begin = [&](std::size_t p) { return p * n / part_count; };

  std::vector<HugePageArray<std::uint64_t>> present;
  present.reserve(part_count);
  for (std::size_t p = 0; p < part_count; ++p) present.emplace_back(presence_words);
  detail::parallel_for(part_count, threads, [&](std::size_t p) {
    mark_colors(rgb, part_begin(p), part_begin(p + 1), present[p]);
  });
  Histogram histogram;
  const RankedColors ranked = rank_colors(present, histogram.colors);
  present.clear();

  // Each pixel's colour by rank, counting as we go.
  detail::reserve_large(histogram.pixel_color, n);
  histogram.pixel_color.resize(n);
  std::vector<std::vector<std::uint32_t>> part_counts(part_count);
  detail::parallel_for(part_count, threads, [&](std::size_t p) {
    std::vector<std::uint32_t>& counts = part_counts[p];
    counts.assign(histogram.colors.size(), 0);
    rank_pixels_for_this_cpu(ranked, rgb, part_begin(p), part_begin(p + 1),
                             histogram.pixel_color.data(), counts.data());
  });
  histogram.counts = std::move(part_counts.front());
  for (std::size_t p = 1; p < part_count; ++p) {
    for (std::size_t c = 0; c < histogram.colors.size(); ++c) {
      histogram.counts[c] += part_counts[p][c];
    }
  }
  return histogram;
}

}  // namespace kmquant
