#include "core/transparent.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "base/radix_sort.hpp"
#include "core/dither.hpp"
#include "core/premultiplied.hpp"

namespace kmquant::detail {
namespace {

std::uint32_t key_of(const Color& c) noexcept {
  return (std::uint32_t{c.r} << 24) | (std::uint32_t{c.g} << 16) | (std::uint32_t{c.b} << 8) |
         std::uint32_t{c.t};
}

Color color_of(std::uint32_t key) noexcept {
  return {static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16),
          static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
}

}  // namespace

TransparentPoints transparent_points(const RgbaHistogram& histogram) {
  TransparentPoints points;
  const std::size_t n = histogram.colors.size();
  points.has_transparent = n > 0 && histogram.colors.front() == Rgba8{};
  const std::size_t first = points.has_transparent ? 1 : 0;
  // (point key, colour) records sorted by key: equal points side by side.
  std::vector<std::uint64_t> records(n - first);
  for (std::size_t i = first; i < n; ++i) {
    records[i - first] = (std::uint64_t{key_of(search_point(histogram.colors[i]))} << 32) | i;
  }
  std::vector<std::uint64_t> scratch;
  sort_by_high_half(records, scratch);
  points.point_of_colour.assign(n, 0);
  for (std::size_t r = 0; r < records.size(); ++r) {
    const auto key = static_cast<std::uint32_t>(records[r] >> 32);
    if (r == 0 || key != static_cast<std::uint32_t>(records[r - 1] >> 32)) {
      points.colors.push_back(color_of(key));
      points.weights.push_back(0);
    }
    const auto i = static_cast<std::uint32_t>(records[r]);
    points.point_of_colour[i] = static_cast<std::uint32_t>(points.colors.size() - 1);
    points.weights.back() += histogram.counts[i];
  }
  return points;
}

namespace {

/// The straight colour nearest the exact premultiplied mean of each group of histogram colours
/// (`group`: per colour, one of `groups`, or `none`), for the groups that have pixels; alike
/// colours are listed once. `group_entry` gets each group's place in the list.
constexpr std::uint32_t none = ~std::uint32_t{0};

std::vector<Rgba8> written_means(const RgbaHistogram& histogram,
                                 std::span<const std::uint32_t> group, std::size_t groups,
                                 std::vector<std::uint32_t>& group_entry) {
  // Exact sums of the pixels' premultiplied values in units of 1/255: c·a and 255·a.
  std::vector<std::array<std::int64_t, 4>> sums(groups, {0, 0, 0, 0});
  std::vector<std::int64_t> weights(groups, 0);
  for (std::size_t i = 0; i < histogram.colors.size(); ++i) {
    if (group[i] == none) continue;
    const Rgba8& c = histogram.colors[i];
    const std::int64_t w = histogram.counts[i];
    std::array<std::int64_t, 4>& sum = sums[group[i]];
    sum[0] += w * c.r * c.a;
    sum[1] += w * c.g * c.a;
    sum[2] += w * c.b * c.a;
    sum[3] += w * 255 * c.a;
    weights[group[i]] += w;
  }
  std::vector<Rgba8> entries;
  group_entry.assign(groups, none);
  for (std::size_t j = 0; j < groups; ++j) {
    if (weights[j] == 0) continue;
    Centroid mean{};
    for (std::size_t ch = 0; ch < 4; ++ch) {
      mean[ch] = static_cast<double>(sums[j][ch]) / static_cast<double>(weights[j]);
    }
    const Rgba8 colour = best_written_colour(mean);
    const auto found = std::find(entries.begin(), entries.end(), colour);
    group_entry[j] = static_cast<std::uint32_t>(found - entries.begin());
    if (found == entries.end()) entries.push_back(colour);
  }
  return entries;
}

std::int64_t squared_distance(const SpacePoint& a, const SpacePoint& b) noexcept {
  std::int64_t sum = 0;
  for (std::size_t ch = 0; ch < 4; ++ch) sum += (a[ch] - b[ch]) * (a[ch] - b[ch]);
  return sum;
}

/// Per entry: the squared distance to the nearest other entry (the largest value when alone).
std::vector<std::int64_t> nearest_other(std::span<const SpacePoint> entries) {
  std::vector<std::int64_t> out(entries.size(), std::numeric_limits<std::int64_t>::max());
  for (std::size_t e = 0; e < entries.size(); ++e) {
    for (std::size_t f = e + 1; f < entries.size(); ++f) {
      const std::int64_t d = squared_distance(entries[e], entries[f]);
      out[e] = std::min(out[e], d);
      out[f] = std::min(out[f], d);
    }
  }
  return out;
}

/// Per histogram colour in `group` (not none): its nearest entry (exact premultiplied distance,
/// ties: the lowest). A colour nearer its group's entry than half the way to that entry's
/// nearest other entry keeps it without a search: by the triangle inequality every other entry
/// is farther. Returns whether any colour's entry differs from its group's.
bool take_nearest(const RgbaHistogram& histogram, std::span<const Rgba8> entries,
                  std::span<const std::uint32_t> group_entry, std::vector<std::uint32_t>& group) {
  PaletteSpace space{true, {}};
  for (const Rgba8& c : entries) space.entries.push_back(space_point(true, c.r, c.g, c.b, c.a));
  const std::vector<std::int64_t> separation = nearest_other(space.entries);
  NearestEntry nearest(space);
  bool changed = false;
  for (std::size_t i = 0; i < histogram.colors.size(); ++i) {
    if (group[i] == none) continue;
    const Rgba8& c = histogram.colors[i];
    const SpacePoint point = space_point(true, c.r, c.g, c.b, c.a);
    const std::uint32_t own = group_entry[group[i]];
    const bool kept = 4 * squared_distance(point, space.entries[own]) < separation[own];
    const std::uint32_t entry = kept ? own : nearest(point);
    changed = changed || entry != own;
    group[i] = entry;
  }
  return changed;
}

/// Lloyd steps on the exact colours after the search on the rounded points: at most this many.
constexpr unsigned exact_steps = 2;

}  // namespace

IndexedColors transparent_palette(const RgbaHistogram& histogram, const TransparentPoints& points,
                                  std::span<const std::uint32_t> labels, std::size_t clusters,
                                  bool fixed_transparent) {
  const std::size_t first = points.has_transparent ? 1 : 0;
  std::vector<std::uint32_t> group(histogram.colors.size(), 0);
  for (std::size_t i = first; i < histogram.colors.size(); ++i) {
    group[i] = labels[points.point_of_colour[i]];
  }
  if (first == 1 && fixed_transparent) group[0] = none;
  // The search ran on rounded points: a few Lloyd steps on the exact colours (each entry the
  // written colour nearest its colours' exact mean, each colour its nearest entry) finish it;
  // none raises the error.
  std::vector<std::uint32_t> group_entry;
  std::vector<Rgba8> entries = written_means(histogram, group, clusters, group_entry);
  for (unsigned step = 0;; ++step) {
    const bool changed = take_nearest(histogram, entries, group_entry, group);
    if (!changed || step == exact_steps) break;
    entries = written_means(histogram, group, entries.size(), group_entry);
  }
  // Only the entries some colour took, in their order.
  std::vector<std::uint32_t> used(entries.size(), none);
  for (const std::uint32_t g : group) {
    if (g != none) used[g] = 0;
  }
  IndexedColors out;
  if (fixed_transparent) {
    out.palette.push_back({0, 0, 0});
    out.alpha.push_back(0);
  }
  for (std::size_t e = 0; e < entries.size(); ++e) {
    if (used[e] == none) continue;
    used[e] = static_cast<std::uint32_t>(out.palette.size());
    out.palette.push_back({entries[e].r, entries[e].g, entries[e].b});
    out.alpha.push_back(entries[e].a);
  }
  out.color_index.resize(histogram.colors.size());
  for (std::size_t i = 0; i < histogram.colors.size(); ++i) {
    out.color_index[i] = static_cast<std::uint8_t>(group[i] == none ? 0 : used[group[i]]);
  }
  return out;
}

}  // namespace kmquant::detail
