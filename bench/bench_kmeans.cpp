// K-means (kmquant::quantize with the histogram already counted) for each k from 2 to 256 on
// the sample photo, and the default sweep, k = 2, 4, 8, 16, 32, sharing one histogram.
#include <benchmark/benchmark.h>

#include <array>

#include "inputs.hpp"

namespace kmquant::bench {
namespace {

void quantize_sample(benchmark::State& state) {
  const auto k = static_cast<unsigned>(state.range(0));
  const Image& rgb = sample_image();
  const Histogram& histogram = sample_histogram();
  Result result;
  for ([[maybe_unused]] auto _ : state) {
    result = quantize(rgb, histogram, k);
    benchmark::DoNotOptimize(result.indices.data());
  }
  // The same every iteration (the seed is fixed); shown so a faster core can be seen to
  // reach the same optimum.
  state.counters["lloyd_iterations"] = result.iterations;
  state.counters["mse"] = result.mse;
}

void sweep_sample(benchmark::State& state) {
  constexpr std::array<unsigned, 5> ks = {2, 4, 8, 16, 32};
  const Image& rgb = sample_image();
  const Histogram& histogram = sample_histogram();
  for ([[maybe_unused]] auto _ : state) {
    const std::vector<Result> results = sweep(rgb, histogram, ks);
    benchmark::DoNotOptimize(results.data());
  }
}

BENCHMARK(quantize_sample)->RangeMultiplier(2)->Range(2, 256)->Unit(benchmark::kMillisecond);
BENCHMARK(sweep_sample)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kmquant::bench
