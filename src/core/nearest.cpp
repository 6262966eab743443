// SIMD kernel of the nearest-centroid search, compiled for several instruction sets (Highway);
// the best one the CPU supports is chosen at run time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/nearest.cpp"
#include "core/nearest.hpp"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <limits>

HWY_BEFORE_NAMESPACE();
namespace kmquant::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

NearestTwo NearestTwoKernel(const double* r, const double* g, const double* b, std::size_t padded,
                            double pr, double pg, double pb) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto point_r = hn::Set(d, pr);
  const auto point_g = hn::Set(d, pg);
  const auto point_b = hn::Set(d, pb);
  auto best = hn::Set(d, std::numeric_limits<double>::infinity());
  auto second = best;
  auto best_index = hn::Zero(d);
  auto index = hn::Iota(d, 0.0);
  const auto step = hn::Set(d, static_cast<double>(lanes));
  for (std::size_t j = 0; j < padded; j += lanes) {
    const auto dr = hn::Sub(point_r, hn::LoadU(d, r + j));
    const auto dg = hn::Sub(point_g, hn::LoadU(d, g + j));
    const auto db = hn::Sub(point_b, hn::LoadU(d, b + j));
    const auto distance = hn::Add(hn::Add(hn::Mul(dr, dr), hn::Mul(dg, dg)), hn::Mul(db, db));
    // Strictly closer only: within a lane, the earlier (lower-numbered) centroid wins a tie.
    const auto closer = hn::Lt(distance, best);
    second = hn::IfThenElse(closer, best, hn::Min(second, distance));
    best = hn::IfThenElse(closer, distance, best);
    best_index = hn::IfThenElse(closer, index, best_index);
    index = hn::Add(index, step);
  }
  constexpr std::size_t max_lanes = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double best_lanes[max_lanes];
  HWY_ALIGN double second_lanes[max_lanes];
  HWY_ALIGN double index_lanes[max_lanes];
  hn::Store(best, d, best_lanes);
  hn::Store(second, d, second_lanes);
  hn::Store(best_index, d, index_lanes);

  std::size_t winner = 0;  // lane of the smallest distance, the lowest centroid index on a tie
  for (std::size_t lane = 1; lane < lanes; ++lane) {
    if (best_lanes[lane] < best_lanes[winner] ||
        (best_lanes[lane] == best_lanes[winner] && index_lanes[lane] < index_lanes[winner])) {
      winner = lane;
    }
  }
  NearestTwo out;
  out.index = static_cast<std::uint32_t>(index_lanes[winner]);
  out.first = best_lanes[winner];
  out.second = second_lanes[winner];
  for (std::size_t lane = 0; lane < lanes; ++lane) {
    if (lane != winner && best_lanes[lane] < out.second) out.second = best_lanes[lane];
  }
  return out;
}

std::size_t FilterByBoundsKernel(std::size_t begin, std::size_t end, const std::uint32_t* labels,
                                 double* upper, double* lower, const BoundShift& shift,
                                 std::uint32_t* candidates) {
  const hn::ScalableTag<double> d;
  const hn::RebindToSigned<decltype(d)> d64;
  const hn::Rebind<std::int32_t, decltype(d)> d32;
  const std::size_t lanes = hn::Lanes(d);
  const auto max_drift = hn::Set(d, shift.max_drift);
  const auto second_max_drift = hn::Set(d, shift.second_max_drift);
  const auto farthest = hn::Set(d64, static_cast<std::int64_t>(shift.farthest));
  const auto margin = hn::Set(d, shift.margin);
  std::size_t count = 0;
  std::size_t i = begin;
  for (; i + lanes <= end; i += lanes) {
    const auto own =
        hn::PromoteTo(d64, hn::LoadU(d32, reinterpret_cast<const std::int32_t*>(labels + i)));
    const auto up = hn::Add(hn::LoadU(d, upper + i), hn::GatherIndex(d, shift.drift, own));
    const auto is_farthest = hn::RebindMask(d, hn::Eq(own, farthest));
    const auto low =
        hn::Sub(hn::LoadU(d, lower + i), hn::IfThenElse(is_farthest, second_max_drift, max_drift));
    hn::StoreU(up, d, upper + i);
    hn::StoreU(low, d, lower + i);
    const auto bound = hn::Max(hn::GatherIndex(d, shift.half_gap, own), low);
    if (hn::AllTrue(d, hn::Lt(hn::Add(up, margin), bound))) continue;
    for (std::size_t lane = 0; lane < lanes; ++lane) {  // the same test, lane by lane
      const std::size_t p = i + lane;
      if (!(upper[p] + shift.margin < std::max(shift.half_gap[labels[p]], lower[p]))) {
        candidates[count++] = static_cast<std::uint32_t>(p);
      }
    }
  }
  for (; i < end; ++i) {
    const std::uint32_t own = labels[i];
    upper[i] += shift.drift[own];
    lower[i] -= own == shift.farthest ? shift.second_max_drift : shift.max_drift;
    if (!(upper[i] + shift.margin < std::max(shift.half_gap[own], lower[i]))) {
      candidates[count++] = static_cast<std::uint32_t>(i);
    }
  }
  return count;
}

/// How many doubles one vector of this target holds.
std::size_t DoubleLanes() { return hn::Lanes(hn::ScalableTag<double>()); }

}  // namespace kmquant::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace kmquant::detail {

HWY_EXPORT(NearestTwoKernel);
HWY_EXPORT(DoubleLanes);
HWY_EXPORT(FilterByBoundsKernel);

namespace {

// Far enough that a dummy centroid is never nearest nor second-nearest while a real one is
// there, yet its squared distance (~3e60) stays finite.
constexpr double far_away = 1e30;

/// k rounded up to whole vectors of the instruction set chosen for this CPU.
std::size_t padded(std::size_t k) {
  static const std::size_t lanes = HWY_DYNAMIC_DISPATCH(DoubleLanes)();
  return (k + lanes - 1) / lanes * lanes;
}

}  // namespace

CentroidTable::CentroidTable(std::span<const Centroid> centroids)
    : size_(centroids.size()),
      r_(padded(centroids.size()), far_away),
      g_(padded(centroids.size()), far_away),
      b_(padded(centroids.size()), far_away) {
  for (std::size_t j = 0; j < centroids.size(); ++j) set(j, centroids[j]);
}

void CentroidTable::set(std::size_t j, const Centroid& centroid) noexcept {
  r_[j] = centroid[0];
  g_[j] = centroid[1];
  b_[j] = centroid[2];
}

NearestTwo nearest_two(const Rgb8& colour, const CentroidTable& table) {
  return HWY_DYNAMIC_DISPATCH(NearestTwoKernel)(table.r(), table.g(), table.b(),
                                                table.padded_size(), colour.r, colour.g, colour.b);
}

std::size_t filter_by_bounds(std::size_t begin, std::size_t end,
                             std::span<const std::uint32_t> labels, std::span<double> upper,
                             std::span<double> lower, const BoundShift& shift,
                             std::uint32_t* candidates) {
  return HWY_DYNAMIC_DISPATCH(FilterByBoundsKernel)(begin, end, labels.data(), upper.data(),
                                                    lower.data(), shift, candidates);
}

}  // namespace kmquant::detail
#endif  // HWY_ONCE
