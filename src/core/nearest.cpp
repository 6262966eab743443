// SIMD kernels of the nearest-centroid search (and SSIM's window filter, window_filter-inl.h),
// compiled for several instruction sets (Highway); the best one the CPU supports is chosen at
// run time.
//
// The choice is made here, from the CPU's features, rather than by HWY_DYNAMIC_DISPATCH: that
// needs libhwy.so, and libhwy 1.0.3 (Debian 12's) measures a timer's resolution whenever it is
// loaded, 6.3 ms added to every start of kmquant (measured: an empty program takes 0.8 ms, 7.1 ms
// linked to libhwy). Upstream moved that measurement out of the library's start-up in 2025
// (google/highway pull request 2440). The kernels themselves are Highway's, compiled per target
// by foreach_target.h as before, and need only its headers.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/nearest.cpp"
#include "core/nearest.hpp"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <limits>

#include "core/window_filter.hpp"

HWY_BEFORE_NAMESPACE();
namespace kmquant::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Every kernel comes in two versions: with_t adds the fourth channel's dt·dt last, as
// squared_distance does; without it, the operations are exactly the 3-channel ones (the fourth
// channel is 0 throughout and left out, so opaque results keep their bits and their speed).

template <bool with_t>
NearestTwo NearestTwoTyped(const double* r, const double* g, const double* b, const double* t,
                           std::size_t padded, double pr, double pg, double pb, double pt) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto point_r = hn::Set(d, pr);
  const auto point_g = hn::Set(d, pg);
  const auto point_b = hn::Set(d, pb);
  const auto point_t = hn::Set(d, pt);
  auto best = hn::Set(d, std::numeric_limits<double>::infinity());
  auto second = best;
  auto best_index = hn::Zero(d);
  auto index = hn::Iota(d, 0.0);
  const auto step = hn::Set(d, static_cast<double>(lanes));
  for (std::size_t j = 0; j < padded; j += lanes) {
    const auto dr = hn::Sub(point_r, hn::LoadU(d, r + j));
    const auto dg = hn::Sub(point_g, hn::LoadU(d, g + j));
    const auto db = hn::Sub(point_b, hn::LoadU(d, b + j));
    auto distance = hn::Add(hn::Add(hn::Mul(dr, dr), hn::Mul(dg, dg)), hn::Mul(db, db));
    if constexpr (with_t) {
      const auto dt = hn::Sub(point_t, hn::LoadU(d, t + j));
      distance = hn::Add(distance, hn::Mul(dt, dt));
    }
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

NearestTwo NearestTwoKernel(const double* r, const double* g, const double* b, const double* t,
                            std::size_t padded, double pr, double pg, double pb, double pt) {
  return t == nullptr ? NearestTwoTyped<false>(r, g, b, t, padded, pr, pg, pb, pt)
                      : NearestTwoTyped<true>(r, g, b, t, padded, pr, pg, pb, pt);
}

/// The search of NearestTwoKernel for `groups` vectors of colours at once, a colour in each
/// lane: the centroids are visited in order, as the scalar loop visits them, and each lane
/// keeps its own nearest two, so no lanes need comparing at the end. Two groups interleave two
/// independent chains of compares (each step of one waits on the compare before it).
template <bool with_t, std::size_t groups, class D>
HWY_INLINE void NearestTwoGroups(D d, const double* HWY_RESTRICT r, const double* HWY_RESTRICT g,
                                 const double* HWY_RESTRICT b, const double* HWY_RESTRICT t,
                                 std::size_t k, const double* pr, const double* pg,
                                 const double* pb, const double* pt, std::int32_t* index,
                                 double* first, double* second) {
  using V = hn::Vec<D>;
  const std::size_t lanes = hn::Lanes(d);
  std::array<V, groups> point_r;
  std::array<V, groups> point_g;
  std::array<V, groups> point_b;
  std::array<V, groups> point_t;
  std::array<V, groups> best;
  std::array<V, groups> runner_up;
  std::array<V, groups> best_index;
  for (std::size_t q = 0; q < groups; ++q) {
    point_r[q] = hn::LoadU(d, pr + q * lanes);
    point_g[q] = hn::LoadU(d, pg + q * lanes);
    point_b[q] = hn::LoadU(d, pb + q * lanes);
    if constexpr (with_t) point_t[q] = hn::LoadU(d, pt + q * lanes);
    best[q] = hn::Set(d, std::numeric_limits<double>::infinity());
    runner_up[q] = best[q];
    best_index[q] = hn::Zero(d);
  }
  for (std::size_t j = 0; j < k; ++j) {
    const auto centre_r = hn::Set(d, r[j]);
    const auto centre_g = hn::Set(d, g[j]);
    const auto centre_b = hn::Set(d, b[j]);
    const auto centre_t = hn::Set(d, with_t ? t[j] : 0.0);
    const auto number = hn::Set(d, static_cast<double>(j));
    for (std::size_t q = 0; q < groups; ++q) {
      const auto dr = hn::Sub(point_r[q], centre_r);
      const auto dg = hn::Sub(point_g[q], centre_g);
      const auto db = hn::Sub(point_b[q], centre_b);
      auto distance = hn::Add(hn::Add(hn::Mul(dr, dr), hn::Mul(dg, dg)), hn::Mul(db, db));
      if constexpr (with_t) {
        const auto dt = hn::Sub(point_t[q], centre_t);
        distance = hn::Add(distance, hn::Mul(dt, dt));
      }
      const auto closer = hn::Lt(distance, best[q]);  // strictly: the lower number wins a tie
      runner_up[q] = hn::IfThenElse(closer, best[q], hn::Min(runner_up[q], distance));
      best[q] = hn::IfThenElse(closer, distance, best[q]);
      best_index[q] = hn::IfThenElse(closer, number, best_index[q]);
    }
  }
  const hn::Rebind<std::int32_t, D> d32;
  for (std::size_t q = 0; q < groups; ++q) {
    hn::StoreU(best[q], d, first + q * lanes);
    hn::StoreU(runner_up[q], d, second + q * lanes);
    hn::StoreU(hn::DemoteTo(d32, best_index[q]), d32, index + q * lanes);
  }
}

template <bool with_t>
void NearestTwoBatchTyped(const double* r, const double* g, const double* b, const double* t,
                          std::size_t k, const double* pr, const double* pg, const double* pb,
                          const double* pt, std::size_t n, std::int32_t* index, double* first,
                          double* second) {
  const hn::ScalableTag<double> d;
  constexpr std::size_t groups = 2;
  const std::size_t step = groups * hn::Lanes(d);
  std::size_t i = 0;
  for (; i + step <= n; i += step) {
    NearestTwoGroups<with_t, groups>(d, r, g, b, t, k, pr + i, pg + i, pb + i,
                                     with_t ? pt + i : nullptr, index + i, first + i, second + i);
  }
  if (i == n) return;
  // The last few colours, padded with copies of the first (their answers are dropped).
  constexpr std::size_t max_step = groups * HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN std::array<double, max_step> tail_r;
  HWY_ALIGN std::array<double, max_step> tail_g;
  HWY_ALIGN std::array<double, max_step> tail_b;
  HWY_ALIGN std::array<double, max_step> tail_t;
  HWY_ALIGN std::array<double, max_step> tail_first;
  HWY_ALIGN std::array<double, max_step> tail_second;
  HWY_ALIGN std::array<std::int32_t, max_step> tail_index;
  tail_r.fill(pr[0]);
  tail_g.fill(pg[0]);
  tail_b.fill(pb[0]);
  std::copy(pr + i, pr + n, tail_r.begin());
  std::copy(pg + i, pg + n, tail_g.begin());
  std::copy(pb + i, pb + n, tail_b.begin());
  if constexpr (with_t) {
    tail_t.fill(pt[0]);
    std::copy(pt + i, pt + n, tail_t.begin());
  }
  NearestTwoGroups<with_t, groups>(d, r, g, b, t, k, tail_r.data(), tail_g.data(), tail_b.data(),
                                   with_t ? tail_t.data() : nullptr, tail_index.data(),
                                   tail_first.data(), tail_second.data());
  std::copy_n(tail_index.begin(), n - i, index + i);
  std::copy_n(tail_first.begin(), n - i, first + i);
  std::copy_n(tail_second.begin(), n - i, second + i);
}

void NearestTwoBatchKernel(const double* r, const double* g, const double* b, const double* t,
                           std::size_t k, const double* pr, const double* pg, const double* pb,
                           const double* pt, std::size_t n, std::int32_t* index, double* first,
                           double* second) {
  if (t == nullptr) {
    NearestTwoBatchTyped<false>(r, g, b, t, k, pr, pg, pb, pt, n, index, first, second);
  } else {
    NearestTwoBatchTyped<true>(r, g, b, t, k, pr, pg, pb, pt, n, index, first, second);
  }
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
    const auto holds = hn::Lt(hn::Add(up, margin), bound);
    if (hn::AllTrue(d, holds)) continue;
    // The lanes whose test fails, as bits: no second test lane by lane.
    const auto fails = hn::Not(holds);
    std::array<std::uint8_t, 8> bytes{};  // lane l is bit l % 8 of byte l / 8
    hn::StoreMaskBits(d, fails, bytes.data());
    std::uint64_t bits = 0;
    for (std::size_t b = 0; b < (lanes + 7) / 8; ++b) bits |= std::uint64_t{bytes[b]} << (8 * b);
    for (; bits != 0; bits &= bits - 1) {
      candidates[count++] = static_cast<std::uint32_t>(
          i + static_cast<std::size_t>(hwy::Num0BitsBelowLS1Bit_Nonzero64(bits)));
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

// The k-means++ kernels take the points' arrays by value: copies of the pointers, which the
// stores through `nearest` provably leave alone.

/// |point i − c|² in scalar code, for the kernels' tails: the vector lanes' operations.
template <bool with_t>
HWY_INLINE double ScalarGap(ChannelArrays p, std::size_t i, const Centroid& c) {
  const double dr = p.r[i] - c[0];
  const double dg = p.g[i] - c[1];
  const double db = p.b[i] - c[2];
  double gap = dr * dr + dg * dg + db * db;
  if constexpr (with_t) {
    const double dt = p.t[i] - c[3];
    gap += dt * dt;
  }
  return gap;
}

/// |point − c|² for the points in the lanes from i on.
template <bool with_t, class D>
HWY_INLINE hn::Vec<D> VectorGap(D d, ChannelArrays p, std::size_t i, hn::Vec<D> centre_r,
                                hn::Vec<D> centre_g, hn::Vec<D> centre_b, hn::Vec<D> centre_t) {
  const auto dr = hn::Sub(hn::LoadU(d, p.r + i), centre_r);
  const auto dg = hn::Sub(hn::LoadU(d, p.g + i), centre_g);
  const auto db = hn::Sub(hn::LoadU(d, p.b + i), centre_b);
  auto gap = hn::Add(hn::Add(hn::Mul(dr, dr), hn::Mul(dg, dg)), hn::Mul(db, db));
  if constexpr (with_t) {
    const auto dt = hn::Sub(hn::LoadU(d, p.t + i), centre_t);
    gap = hn::Add(gap, hn::Mul(dt, dt));
  }
  return gap;
}

template <bool with_t>
double PotentialTyped(ChannelArrays p, const double* nearest, std::size_t n, const Centroid& c) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto centre_r = hn::Set(d, c[0]);
  const auto centre_g = hn::Set(d, c[1]);
  const auto centre_b = hn::Set(d, c[2]);
  const auto centre_t = hn::Set(d, c[3]);
  const double* w = p.w;
  auto sum = hn::Zero(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto gap = VectorGap<with_t>(d, p, i, centre_r, centre_g, centre_b, centre_t);
    sum = hn::Add(sum, hn::Mul(hn::LoadU(d, w + i), hn::Min(hn::LoadU(d, nearest + i), gap)));
  }
  double total = hn::GetLane(hn::SumOfLanes(d, sum));
  for (; i < n; ++i) total += w[i] * std::min(nearest[i], ScalarGap<with_t>(p, i, c));
  return total;
}

double PotentialKernel(const ChannelArrays& points, const double* nearest, std::size_t n,
                       const Centroid& c) {
  return points.t == nullptr ? PotentialTyped<false>(points, nearest, n, c)
                             : PotentialTyped<true>(points, nearest, n, c);
}

template <bool with_t>
void AddCentreTyped(ChannelArrays p, double* nearest, std::size_t n, const Centroid& c,
                    const SeedingStep& step) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto centre_r = hn::Set(d, c[0]);
  const auto centre_g = hn::Set(d, c[1]);
  const auto centre_b = hn::Set(d, c[2]);
  const auto centre_t = hn::Set(d, c[3]);
  const double* w = p.w;
  for (std::size_t begin = 0; begin < n; begin += seeding_block) {
    const std::size_t end = std::min(n, begin + seeding_block);
    auto sum = hn::Zero(d);
    auto farthest = hn::Zero(d);
    std::size_t i = begin;
    for (; i + lanes <= end; i += lanes) {
      const auto gap = VectorGap<with_t>(d, p, i, centre_r, centre_g, centre_b, centre_t);
      const auto before = hn::LoadU(d, nearest + i);
      const auto least = hn::Min(before, gap);
      const auto weight = hn::LoadU(d, w + i);
      hn::StoreU(least, d, nearest + i);
      hn::StoreU(hn::Mul(weight, hn::Sub(before, least)), d, step.lowered + i);
      sum = hn::Add(sum, hn::Mul(weight, least));
      farthest = hn::Max(farthest, least);
    }
    double total = hn::GetLane(hn::SumOfLanes(d, sum));
    double most = hn::GetLane(hn::MaxOfLanes(d, farthest));
    for (; i < end; ++i) {
      const double least = std::min(nearest[i], ScalarGap<with_t>(p, i, c));
      step.lowered[i] = w[i] * (nearest[i] - least);
      nearest[i] = least;
      total += w[i] * least;
      most = std::max(most, least);
    }
    step.block_sums[begin / seeding_block] = total;
    step.block_farthest[begin / seeding_block] = most;
  }
}

void AddCentreKernel(const ChannelArrays& points, double* nearest, std::size_t n, const Centroid& c,
                     const SeedingStep& step) {
  if (points.t == nullptr) {
    AddCentreTyped<false>(points, nearest, n, c, step);
  } else {
    AddCentreTyped<true>(points, nearest, n, c, step);
  }
}

#include "core/window_filter-inl.h"

#define KMQUANT_STRINGIFY_INNER(name) #name
#define KMQUANT_STRINGIFY(name) KMQUANT_STRINGIFY_INNER(name)
/// This target's kernels. Nothing of the target's code runs until they are chosen.
const SimdKernels simd_kernels{KMQUANT_STRINGIFY(HWY_NAMESPACE),
                               HWY_LANES(double),
                               &NearestTwoKernel,
                               &NearestTwoBatchKernel,
                               &FilterByBoundsKernel,
                               &PotentialKernel,
                               &AddCentreKernel,
                               &FilterWindowKernel};

}  // namespace kmquant::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace kmquant::detail {
namespace {

/// The compiled targets this CPU runs, best first; the static target (the compiler's baseline,
/// which every CPU the binary starts on runs) last. Highway's x86 targets and the features each
/// needs (hwy/targets.cc): SSSE3; SSE4 adds SSE4.1, SSE4.2, CLMUL and AES; AVX2 adds AVX2, BMI,
/// BMI2, FMA, F16C and LZCNT; AVX3 adds AVX-512 F, VL, DQ and BW. __builtin_cpu_supports also
/// checks that the OS saves the wide registers. Every CPU with AVX2, BMI2 and FMA has F16C and
/// LZCNT, which the builtin cannot name in GCC 12 and Clang 14.
std::vector<const SimdKernels*> find_simd_kernels() {
  std::vector<const SimdKernels*> found;
#if HWY_ARCH_X86
  __builtin_cpu_init();
  const bool sse4 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
                    __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                    __builtin_cpu_supports("aes");
  const bool avx2 = sse4 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma");
  const bool avx3 = avx2 && __builtin_cpu_supports("avx512f") &&
                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                    __builtin_cpu_supports("avx512bw");
#if HWY_TARGETS & HWY_AVX3
  if (avx3 && HWY_AVX3 != HWY_STATIC_TARGET) found.push_back(&N_AVX3::simd_kernels);
#endif
#if HWY_TARGETS & HWY_AVX2
  if (avx2 && HWY_AVX2 != HWY_STATIC_TARGET) found.push_back(&N_AVX2::simd_kernels);
#endif
#if HWY_TARGETS & HWY_SSE4
  if (sse4 && HWY_SSE4 != HWY_STATIC_TARGET) found.push_back(&N_SSE4::simd_kernels);
#endif
#if HWY_TARGETS & HWY_SSSE3
  if (__builtin_cpu_supports("ssse3") && HWY_SSSE3 != HWY_STATIC_TARGET) {
    found.push_back(&N_SSSE3::simd_kernels);
  }
#endif
  (void)avx3;
#endif  // HWY_ARCH_X86
  found.push_back(&HWY_NAMESPACE::simd_kernels);
  return found;
}

const SimdKernels& chosen() {
  static const SimdKernels& best = *simd_kernels_this_cpu_runs().front();
  return best;
}

// Far enough that a dummy centroid is never nearest nor second-nearest while a real one is
// there, yet its squared distance (~3e60) stays finite. Its fourth channel is 0: the first
// three already put it out of reach.
constexpr double far_away = 1e30;

/// k rounded up to whole vectors of the instruction set chosen for this CPU (the widest).
std::size_t padded(std::size_t k) {
  const std::size_t lanes = chosen().lanes;
  return (k + lanes - 1) / lanes * lanes;
}

}  // namespace

std::span<const SimdKernels* const> simd_kernels_this_cpu_runs() {
  static const std::vector<const SimdKernels*> kernels = find_simd_kernels();
  return kernels;
}

CentroidTable::CentroidTable(std::span<const Centroid> centroids, unsigned channels)
    : size_(centroids.size()),
      channels_(channels),
      r_(padded(centroids.size()), far_away),
      g_(padded(centroids.size()), far_away),
      b_(padded(centroids.size()), far_away),
      t_(padded(centroids.size()), 0.0) {
  for (std::size_t j = 0; j < centroids.size(); ++j) set(j, centroids[j]);
}

// t_ is written whatever the channels (unread with 3): no branch in this hot setter.
void CentroidTable::set(std::size_t j, const Centroid& centroid) noexcept {
  r_[j] = centroid[0];
  g_[j] = centroid[1];
  b_[j] = centroid[2];
  t_[j] = centroid[3];
}

NearestTwo nearest_two(const Color& colour, const CentroidTable& table) {
  return chosen().nearest_two(table.r(), table.g(), table.b(), table.t(), table.padded_size(),
                              colour.r, colour.g, colour.b, colour.t);
}

void NearestTwoBatch::grow() {
  const std::size_t capacity = std::max<std::size_t>(64, 2 * r_.size());
  for (std::vector<double>* channel : {&r_, &g_, &b_, &t_}) channel->resize(capacity);
}

void NearestTwoBatch::search(const CentroidTable& table) {
  index_.resize(size_);
  first_.resize(size_);
  second_.resize(size_);
  const double* t = table.t();
  chosen().nearest_two_batch(table.r(), table.g(), table.b(), t, table.size(), r_.data(), g_.data(),
                             b_.data(), t == nullptr ? nullptr : t_.data(), size_, index_.data(),
                             first_.data(), second_.data());
}

void nearest_other_gaps(const CentroidTable& table, std::span<double> squared) {
  // Each centroid's nearest is itself (at 0, or a copy of it at 0 that comes first), so the
  // second nearest is the nearest other.
  const std::size_t k = table.size();
  std::vector<std::int32_t> index(k);
  std::vector<double> first(k);
  chosen().nearest_two_batch(table.r(), table.g(), table.b(), table.t(), k, table.r(), table.g(),
                             table.b(), table.t(), k, index.data(), first.data(), squared.data());
}

double potential_with(const ChannelArrays& points, const double* nearest, std::size_t n,
                      const Color& c) {
  return chosen().potential_with(points, nearest, n, to_centroid(c));
}

void add_centre(const ChannelArrays& points, double* nearest, std::size_t n, const Color& c,
                const SeedingStep& step) {
  chosen().add_centre(points, nearest, n, to_centroid(c), step);
}

std::size_t filter_by_bounds(std::size_t begin, std::size_t end,
                             std::span<const std::uint32_t> labels, std::span<double> upper,
                             std::span<double> lower, const BoundShift& shift,
                             std::uint32_t* candidates) {
  return chosen().filter_by_bounds(begin, end, labels.data(), upper.data(), lower.data(), shift,
                                   candidates);
}

void filter_window(const double* weights, const double* const* rows, double* out, std::size_t n) {
  chosen().filter_window(weights, rows, out, n);
}

}  // namespace kmquant::detail
#endif  // HWY_ONCE
