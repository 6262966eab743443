// PNG writing — the indexed PNGs at their bit depths (k = 2: 1 bit, 16: 4 bits, 64 and 256:
// 8 bits) at PngEffort 1 (normal: compress's and the sweep's) and 2 (best: zopfli), the large
// one at normal on 1 and 2 threads, lossless WebP
// of the same results, and the truecolour original.png — and, for the whole-process budget,
// decoding the sample PNG from memory.
#include <benchmark/benchmark.h>

#include "inputs.hpp"

namespace kmquant::bench {
namespace {

void encode_indexed(benchmark::State& state, const Result& quantized, const PngSettings& settings) {
  std::size_t bytes = 0;
  for ([[maybe_unused]] auto _ : state) {
    const std::vector<std::uint8_t> png = encode_indexed_png(quantized, settings);
    bytes = png.size();
    benchmark::DoNotOptimize(png.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(quantized.indices.size()));
  state.counters["png_bytes"] = static_cast<double>(bytes);
}

void encode_indexed_sample(benchmark::State& state) {
  encode_indexed(state, sample_result(static_cast<unsigned>(state.range(0))),
                 {.effort = static_cast<PngEffort>(state.range(1))});
}

void encode_indexed_large(benchmark::State& state) {
  encode_indexed(state, large_result(), {.threads = static_cast<unsigned>(state.range(0))});
}

void encode_webp_sample(benchmark::State& state) {
  const Result& quantized = sample_result(static_cast<unsigned>(state.range(0)));
  std::size_t bytes = 0;
  for ([[maybe_unused]] auto _ : state) {
    const std::vector<std::uint8_t> webp = encode_webp_lossless(quantized);
    bytes = webp.size();
    benchmark::DoNotOptimize(webp.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(quantized.indices.size()));
  state.counters["webp_bytes"] = static_cast<double>(bytes);
}

void encode_truecolor(benchmark::State& state, const Image& (*image)()) {
  const Image& rgb = image();
  std::size_t bytes = 0;
  for ([[maybe_unused]] auto _ : state) {
    const std::vector<std::uint8_t> png = encode_png(rgb);
    bytes = png.size();
    benchmark::DoNotOptimize(png.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rgb.pixel_count()));
  state.counters["png_bytes"] = static_cast<double>(bytes);
}

void decode_sample(benchmark::State& state) {
  const std::vector<std::uint8_t>& bytes = sample_png_bytes();
  for ([[maybe_unused]] auto _ : state) {
    const LoadedImage loaded = decode_image(bytes, "kodim23.png");
    benchmark::DoNotOptimize(loaded.image.pixels.data());
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(sample_image().pixel_count()));
}

BENCHMARK(encode_indexed_sample)
    ->ArgsProduct({{2, 16, 64, 256}, {1, 2}})
    ->ArgNames({"k", "effort"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(encode_indexed_large)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(encode_webp_sample)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->ArgName("k")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode_truecolor, kodim23, sample_image)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode_truecolor, synthetic_14_6mp, large_image)->Unit(benchmark::kMillisecond);
BENCHMARK(decode_sample)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kmquant::bench
