// The one entry point to the start methods, and the set of starts the search tries.
#include "core/starts.hpp"

#include <optional>

#include "base/parallel.hpp"

namespace kmquant::detail {

std::vector<Centroid> make_start(const WeightedColors& points, const StartSpec& spec) {
  switch (spec.method) {
    case StartMethod::variance_split:
      return variance_split(points, spec.k);
    case StartMethod::kmeans_plus_plus:
      return kmeans_plus_plus(points, spec.k, spec.seed, spec.candidates);
  }
  return {};
}

std::vector<Centroid> make_start(const SeedingSpace& space, const StartSpec& spec) {
  if (spec.method == StartMethod::kmeans_plus_plus) {
    return kmeans_plus_plus(space, spec.k, spec.seed, spec.candidates);
  }
  return make_start(space.points(), spec);
}

std::vector<std::vector<Centroid>> make_starts(const WeightedColors& points, unsigned k,
                                               unsigned restarts, unsigned candidates,
                                               std::uint64_t seed, unsigned threads) {
  std::vector<std::vector<Centroid>> starts(std::size_t{1} + restarts);
  const std::optional<SeedingSpace> space =
      restarts > 0 ? std::optional<SeedingSpace>(points) : std::nullopt;
  parallel_for(starts.size(), threads, [&](std::size_t s) {
    if (s == 0) {
      starts[0] = make_start(points, {StartMethod::variance_split, k});
      starts[0].resize(k, starts[0].front());
    } else {
      const auto r = static_cast<unsigned>(s - 1);
      starts[s] =
          make_start(*space, {StartMethod::kmeans_plus_plus, k, restart_seed(seed, r), candidates});
    }
  });
  return starts;
}

}  // namespace kmquant::detail
