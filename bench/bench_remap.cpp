// Building the quantized image from a result's palette and indices (Result::to_image): the
// remap's per-pixel step as the public API exposes it. (The label lookup through the histogram
// runs inside quantize and is timed there.)
#include <benchmark/benchmark.h>

#include "inputs.hpp"

namespace kmquant::bench {
namespace {

void to_image_of(benchmark::State& state, const Result& (*result)()) {
  const Result& quantized = result();
  for ([[maybe_unused]] auto _ : state) {
    const Image image = quantized.to_image();
    benchmark::DoNotOptimize(image.pixels.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(quantized.indices.size()));
}

const Result& sample_k16() { return sample_result(16); }

BENCHMARK_CAPTURE(to_image_of, kodim23_k16, sample_k16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(to_image_of, synthetic_14_6mp_k32, large_result)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kmquant::bench
