// SSIM's window filter, per Highway target: included by nearest.cpp inside each target's namespace
// (foreach_target.h compiles it once a target), so it is chosen with the other SIMD kernels.
// No include guard, as Highway's -inl.h headers: each target needs its own copy.

// NOLINTBEGIN(misc-definitions-in-headers): one definition per target namespace, in one file
void FilterWindowKernel(const double* weights, const double* const* rows, double* out,
                        std::size_t n) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    auto sum = hn::Mul(hn::Set(d, weights[0]), hn::LoadU(d, rows[0] + i));
    for (std::size_t t = 1; t < window_taps; ++t) {
      sum = hn::Add(sum, hn::Mul(hn::Set(d, weights[t]), hn::LoadU(d, rows[t] + i)));
    }
    hn::StoreU(sum, d, out + i);
  }
  for (; i < n; ++i) {
    double sum = weights[0] * rows[0][i];
    for (std::size_t t = 1; t < window_taps; ++t) sum += weights[t] * rows[t][i];
    out[i] = sum;
  }
}
// NOLINTEND(misc-definitions-in-headers)
