// rt::Fft / rt::RealFft against a float64 DFT for many lengths (the golden
// tests compare 16 lengths with NumPy), and the fast paths' contracts:
// powers of two >= 16 take the Stockham radix-4 path, RealFft::forward_bins()
// gives exactly forward()'s values for any bin range.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "earshot/rt/fft.h"

namespace {

namespace rt = earshot::rt;

constexpr double kPi = 3.14159265358979323846;
// SNR floors against float64: the radix-4 path measures 137-145 dB on these
// inputs; the generic O(p^2) butterfly for primes (257) about 130 dB.
constexpr double kFastMinSnrDb = 133.0;
constexpr double kGenericMinSnrDb = 125.0;

struct Lcg {
  uint32_t s;
  float next() {
    s = s * 1664525u + 1013904223u;
    return static_cast<float>((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
  }
};

// SNR in dB of `got` against the float64 DFT of x (complex, n points).
double dft_snr(const std::vector<double>& xr, const std::vector<double>& xi, int bins, const std::vector<float>& gr,
               const std::vector<float>& gi) {
  const int n = static_cast<int>(xr.size());
  double sig = 0.0, err = 0.0;
  for (int k = 0; k < bins; ++k) {
    double re = 0.0, im = 0.0;
    for (int j = 0; j < n; ++j) {
      const double ph = -2.0 * kPi * static_cast<double>((static_cast<int64_t>(j) * k) % n) / n;
      re += xr[j] * std::cos(ph) - xi[j] * std::sin(ph);
      im += xr[j] * std::sin(ph) + xi[j] * std::cos(ph);
    }
    sig += re * re + im * im;
    err += (re - gr[k]) * (re - gr[k]) + (im - gi[k]) * (im - gi[k]);
  }
  return err == 0.0 ? 300.0 : 10.0 * std::log10(sig / err);
}

// Lengths: every power of two 2 .. 4096 (the fast path from 16 on, radix-2
// last stage for odd log2), mixed radices, primes, seed 004's 1102.
const std::vector<int> kLengths = {2,  4,  8,  16,  32,  64,  128, 256,  512, 1024, 2048, 4096, 6,   12,
                                   24, 48, 96, 100, 360, 400, 480, 1000, 7,   11,   13,   97,   257, 1102};

TEST(RuntimeFftFast, ComplexMatchesDftEveryLength) {
  for (const int n : kLengths) {
    rt::Fft f;
    std::vector<uint8_t> mem(rt::Fft::required_bytes(n));
    ASSERT_EQ(f.init(n, mem.data(), mem.size()), rt::Status::kOk) << n;
    const bool pow2 = (n & (n - 1)) == 0;
    EXPECT_EQ(f.split_path(), pow2 && n >= 16) << n;
    Lcg g{static_cast<uint32_t>(n)};
    std::vector<rt::Complex> in(static_cast<size_t>(n)), out(static_cast<size_t>(n));
    std::vector<double> xr(static_cast<size_t>(n)), xi(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      in[i] = {g.next(), g.next()};
      xr[i] = in[i].re;
      xi[i] = in[i].im;
    }
    std::vector<rt::Complex> scratch(static_cast<size_t>(f.scratch_complex()));
    ASSERT_EQ(f.forward(in.data(), out.data(), scratch.empty() ? nullptr : scratch.data()), rt::Status::kOk) << n;
    std::vector<float> gr(static_cast<size_t>(n)), gi(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      gr[i] = out[i].re;
      gi[i] = out[i].im;
    }
    EXPECT_GE(dft_snr(xr, xi, n, gr, gi), f.split_path() ? kFastMinSnrDb : kGenericMinSnrDb) << "n=" << n;
  }
}

TEST(RuntimeFftFast, FastPathNeedsScratch) {
  rt::Fft f;
  std::vector<uint8_t> mem(rt::Fft::required_bytes(64));
  ASSERT_EQ(f.init(64, mem.data(), mem.size()), rt::Status::kOk);
  EXPECT_TRUE(f.split_path());
  EXPECT_EQ(f.scratch_complex(), 64);
  std::vector<rt::Complex> in(64), out(64);
  EXPECT_EQ(f.forward(in.data(), out.data()), rt::Status::kInvalidArgument);
}

TEST(RuntimeFftFast, RealMatchesDftAndBinsMatchForward) {
  for (const int n : kLengths) {
    if (n < 2) continue;
    rt::RealFft f;
    std::vector<uint8_t> mem(rt::RealFft::required_bytes(n));
    ASSERT_EQ(f.init(n, mem.data(), mem.size()), rt::Status::kOk) << n;
    const int bins = f.bins();
    const bool pow2 = (n & (n - 1)) == 0;
    Lcg g{static_cast<uint32_t>(3 * n + 1)};
    std::vector<float> x(static_cast<size_t>(n));
    std::vector<double> xr(static_cast<size_t>(n)), xi(static_cast<size_t>(n), 0.0);
    for (int i = 0; i < n; ++i) xr[i] = x[i] = g.next();
    std::vector<rt::Complex> work(static_cast<size_t>(f.work_complex()));
    std::vector<rt::Complex> out(static_cast<size_t>(bins));
    ASSERT_EQ(f.forward(x.data(), out.data(), work.data()), rt::Status::kOk) << n;
    std::vector<float> gr(static_cast<size_t>(bins)), gi(static_cast<size_t>(bins));
    for (int k = 0; k < bins; ++k) {
      gr[k] = out[k].re;
      gi[k] = out[k].im;
    }
    const bool fast = pow2 && n >= 32;  // the inner n/2-point FFT takes the fast path
    EXPECT_GE(dft_snr(xr, xi, bins, gr, gi), fast ? kFastMinSnrDb : kGenericMinSnrDb) << "n=" << n;
    EXPECT_EQ(out[0].im, 0.0f) << n;
    if (n % 2 == 0) {
      EXPECT_EQ(out[bins - 1].im, 0.0f) << n;
    }

    // Every kind of range: from 0, to the end, inside, one bin, all bins.
    const int ranges[][2] = {{0, bins},        {0, 1},
                             {bins - 1, bins}, {0, bins / 3 + 1},
                             {1, bins},        {bins / 4, bins / 2 + 1},
                             {bins / 2, bins}, {3 < bins ? 3 : 0, bins}};
    for (const auto& r : ranges) {
      const int k0 = r[0], k1 = r[1];
      if (k1 <= k0) continue;
      std::vector<float> re(static_cast<size_t>(k1 - k0)), im(static_cast<size_t>(k1 - k0));
      ASSERT_EQ(f.forward_bins(x.data(), k0, k1, re.data(), im.data(), work.data()), rt::Status::kOk);
      for (int k = k0; k < k1; ++k) {
        EXPECT_EQ(std::memcmp(&re[k - k0], &out[k].re, sizeof(float)), 0) << "n=" << n << " k=" << k;
        EXPECT_EQ(std::memcmp(&im[k - k0], &out[k].im, sizeof(float)), 0) << "n=" << n << " k=" << k;
      }
    }
    std::vector<float> re(static_cast<size_t>(bins)), im(static_cast<size_t>(bins));
    // A window and an offset applied while packing equal the same done beforehand;
    // power_bins() is re * re + im * im of those bins.
    std::vector<float> window(static_cast<size_t>(n)), pre(static_cast<size_t>(n));
    const float offset = 0.25f;
    for (int i = 0; i < n; ++i) {
      window[i] = 0.5f + 0.5f * g.next();
      pre[i] = (x[i] - offset) * window[i];
    }
    rt::RealFft::Frame frame;
    frame.samples = x.data();
    frame.window = window.data();
    frame.offset = offset;
    std::vector<rt::Complex> want(static_cast<size_t>(bins));
    ASSERT_EQ(f.forward(pre.data(), want.data(), work.data()), rt::Status::kOk);
    ASSERT_EQ(f.forward_bins(frame, 0, bins, re.data(), im.data(), work.data()), rt::Status::kOk);
    std::vector<float> power(static_cast<size_t>(bins));
    const int p0 = bins / 3;
    ASSERT_EQ(f.power_bins(frame, p0, bins, power.data(), work.data()), rt::Status::kOk);
    for (int k = 0; k < bins; ++k) {
      EXPECT_EQ(std::memcmp(&re[k], &want[k].re, sizeof(float)), 0) << "n=" << n << " k=" << k;
      EXPECT_EQ(std::memcmp(&im[k], &want[k].im, sizeof(float)), 0) << "n=" << n << " k=" << k;
      if (k >= p0) {
        const float pw = want[k].re * want[k].re + want[k].im * want[k].im;
        EXPECT_EQ(std::memcmp(&power[k - p0], &pw, sizeof(float)), 0) << "n=" << n << " k=" << k;
      }
    }
    EXPECT_EQ(f.forward_bins(x.data(), 0, bins + 1, re.data(), im.data(), work.data()), rt::Status::kInvalidArgument);
    EXPECT_EQ(f.forward_bins(x.data(), 2, 2, re.data(), im.data(), work.data()), rt::Status::kInvalidArgument);
    EXPECT_EQ(f.forward_bins(x.data(), -1, 2, re.data(), im.data(), work.data()), rt::Status::kInvalidArgument);
  }
}

// A pure tone lands in its bin on the fast path (a check by hand, not by DFT).
TEST(RuntimeFftFast, ToneLandsInItsBin) {
  const int n = 256;
  rt::RealFft f;
  std::vector<uint8_t> mem(rt::RealFft::required_bytes(n));
  ASSERT_EQ(f.init(n, mem.data(), mem.size()), rt::Status::kOk);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = static_cast<float>(std::cos(2.0 * kPi * 10.0 * i / n));
  std::vector<rt::Complex> work(static_cast<size_t>(f.work_complex()));
  std::vector<float> re(static_cast<size_t>(f.bins())), im(static_cast<size_t>(f.bins()));
  ASSERT_EQ(f.forward_bins(x.data(), 0, f.bins(), re.data(), im.data(), work.data()), rt::Status::kOk);
  for (int k = 0; k < f.bins(); ++k) {
    const double mag = std::hypot(re[k], im[k]);
    if (k == 10) {
      EXPECT_NEAR(mag, n / 2.0, 1e-3);
    } else {
      EXPECT_LT(mag, 1e-3) << k;
    }
  }
}

}  // namespace
