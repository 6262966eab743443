// Counting unique colours (kmquant::count_colors): the one pass over every pixel that all later
// work is built on, on the sample photo and on a synthetic 14.6-megapixel image.
#include <benchmark/benchmark.h>

#include "inputs.hpp"

namespace kmquant::bench {
namespace {

void count_colors_of(benchmark::State& state, const Image& (*image)()) {
  const Image& rgb = image();
  std::size_t unique = 0;
  for ([[maybe_unused]] auto _ : state) {
    const Histogram histogram = count_colors(rgb);
    unique = histogram.colors.size();
    benchmark::DoNotOptimize(histogram.pixel_color.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rgb.pixel_count()));
  state.counters["unique_colors"] = static_cast<double>(unique);
}

BENCHMARK_CAPTURE(count_colors_of, kodim23, sample_image)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(count_colors_of, synthetic_14_6mp, large_image)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kmquant::bench
