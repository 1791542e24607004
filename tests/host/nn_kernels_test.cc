// The float kernels behind the training layers (host/src/nn/kernels.h): each
// compiled variant (portable, and AVX2+FMA: skipped where this CPU lacks it)
// against a double reference; the portable optimizer updates bit-exact against the
// scalar Keras formulas; the direct convolution against im2col in the layer;
// global max pooling against the scalar rule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "../../host/src/nn/kernels.h"
#include "earshot/nn/layers.h"
#include "earshot/nn/rng.h"

namespace earshot::nn {
namespace {

// The tests that take a kernel set run once per compiled set (portable, and
// AVX2+FMA); the AVX2 set reports a skip where this CPU or build lacks it.
class NnKernelsVariant : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    k_ = GetParam() == "avx2" ? kern::avx2() : &kern::portable();
    if (k_ == nullptr) GTEST_SKIP() << "the AVX2+FMA kernels need an x86-64 build and a CPU with AVX2 and FMA";
  }
  const kern::Kernels* k_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Isa, NnKernelsVariant, ::testing::Values("portable", "avx2"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

std::vector<float> randoms(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = float(rng.normal());
  return v;
}

TEST(NnKernels, ActiveIsOneOfTheVariants) {
  const kern::Kernels& a = kern::active();
  const std::string name = a.name;
  EXPECT_TRUE(name == "portable" || name == "avx2") << name;
  if (name == "avx2") {
    EXPECT_EQ(&a, kern::avx2());
  }
}

TEST_P(NnKernelsVariant, DirectConvolutionMatchesReference) {
  const kern::Kernels* k = k_;
  struct Case {
    size_t batch, npos, pos_stride, ex_stride, K, C;
  };
  // Seed 002 (K 15, 8 filters, 32 positions of stride 3 in 108-float examples),
  // seed 001's two layers, filter counts that are not multiples of 8, odd rows.
  const Case cases[] = {{5, 32, 3, 108, 15, 8}, {3, 30, 48, 1536, 144, 8}, {4, 28, 8, 240, 24, 8},
                        {3, 7, 2, 20, 6, 3},    {2, 8, 4, 40, 12, 12},     {3, 5, 1, 9, 5, 17}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(k->name) + " K " + std::to_string(c.K) + " C " + std::to_string(c.C));
    ASSERT_LE((c.npos - 1) * c.pos_stride + c.K, c.ex_stride);  // patches stay inside their example
    const std::vector<float> x = randoms(c.batch * c.ex_stride, 1), w = randoms(c.K * c.C, 2), b = randoms(c.C, 3);
    const size_t rows = c.batch * c.npos;
    const std::vector<float> dz = randoms(rows * c.C, 4);
    const kern::Patches p{x.data(), c.batch, c.npos, c.pos_stride, c.ex_stride, c.K};
    auto row = [&](size_t r) { return x.data() + (r / c.npos) * c.ex_stride + (r % c.npos) * c.pos_stride; };
    std::vector<float> y(rows * c.C), dw(c.K * c.C, 0.5f);
    k->conv_forward(p, w.data(), b.data(), c.C, y.data());
    for (size_t r = 0; r < rows; ++r) {
      for (size_t o = 0; o < c.C; ++o) {
        double s = b[o];
        for (size_t i = 0; i < c.K; ++i) s += double(row(r)[i]) * w[i * c.C + o];
        ASSERT_NEAR(y[r * c.C + o], s, 1e-5 * (1.0 + std::fabs(s))) << r << "," << o;
      }
    }
    k->conv_weight_grad(p, dz.data(), c.C, dw.data(), true);
    std::vector<float> dw2(c.K * c.C, 7.0f);
    k->conv_weight_grad(p, dz.data(), c.C, dw2.data(), false);
    for (size_t i = 0; i < c.K; ++i) {
      for (size_t o = 0; o < c.C; ++o) {
        double s = 0;
        for (size_t r = 0; r < rows; ++r) s += double(row(r)[i]) * dz[r * c.C + o];
        ASSERT_NEAR(dw2[i * c.C + o], s, 1e-4 * (1.0 + std::fabs(s))) << i << "," << o;
        ASSERT_EQ(dw[i * c.C + o], 0.5f + dw2[i * c.C + o]);
      }
    }
  }
}

TEST_P(NnKernelsVariant, GemmMatchesReference) {
  const kern::Kernels* k = k_;
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    const size_t m = 13, n = 9, kk = 21, lda = (ta ? m : kk) + 2, ldb = (tb ? kk : n) + 1, ldc = n + 3;
    const std::vector<float> a = randoms((ta ? kk : m) * lda, 5), b = randoms((tb ? n : kk) * ldb, 6);
    std::vector<float> c(m * ldc, 1.0f);
    k->gemm(ta, tb, m, n, kk, a.data(), lda, b.data(), ldb, c.data(), ldc, true);
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j) {
        double s = 1.0;
        for (size_t q = 0; q < kk; ++q)
          s += double(ta ? a[q * lda + i] : a[i * lda + q]) * (tb ? b[j * ldb + q] : b[q * ldb + j]);
        ASSERT_NEAR(c[i * ldc + j], s, 1e-4 * (1.0 + std::fabs(s))) << k->name << " " << t;
      }
      for (size_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], 1.0f);  // padding untouched
    }
  }
}

// Seed 002's convolution (rows 3 floats apart, K 15) takes a path that loads
// each input once for the rows that share it (kernels_impl.inc). Its sums must
// be the generic kernel's, bit for bit (over k in order from zero, then the
// bias; fused or not as the build contracts them). 31 positions per example
// miss that path (not a multiple of the rows per block), so the same input
// read as 31 positions gives the generic kernel's rows to compare with.
TEST_P(NnKernelsVariant, OverlappingRowsEqualTheGenericKernel) {
  const kern::Kernels* k = k_;
  for (size_t C : {8, 16}) {
    for (bool with_bias : {false, true}) {
      SCOPED_TRACE(std::string(k->name) + " C " + std::to_string(C) + (with_bias ? " bias" : ""));
      const size_t B = 5, ex = 108, K = 15;
      const std::vector<float> x = randoms(B * ex, 21), w = randoms(K * C, 22), b = randoms(C, 23);
      std::vector<float> fast(B * 32 * C), generic(B * 31 * C);
      k->conv_forward(kern::Patches{x.data(), B, 32, 3, ex, K}, w.data(), with_bias ? b.data() : nullptr, C,
                      fast.data());
      k->conv_forward(kern::Patches{x.data(), B, 31, 3, ex, K}, w.data(), with_bias ? b.data() : nullptr, C,
                      generic.data());
      for (size_t e = 0; e < B; ++e) {
        EXPECT_EQ(0, std::memcmp(fast.data() + e * 32 * C, generic.data() + e * 31 * C, 31 * C * sizeof(float)))
            << "example " << e;
      }
    }
  }
}

// Global max pooling: every variant equals the scalar rule (a larger value or
// a NaN takes over; the first of equal maxima stays), bit for bit, including
// the positions, and the backward puts each gradient at its maximum.
TEST_P(NnKernelsVariant, GlobalMaxEqualsScalarRule) {
  const kern::Kernels* k = k_;
  const size_t B = 3;
  for (size_t C : {1, 3, 4, 8, 12, 17}) {
    for (size_t Pos : {1, 2, 32}) {
      std::vector<float> x = randoms(B * Pos * C, 40 + C * Pos);
      for (size_t i = 0; i < x.size(); i += 5) x[i] = std::round(x[i]);  // ties
      if (x.size() > 20) x[7] = x[19] = std::nanf("");
      std::vector<float> want(B * C);
      std::vector<uint32_t> want_at(B * C, 0);
      for (size_t b = 0; b < B; ++b) {
        for (size_t c = 0; c < C; ++c) {
          float o = x[b * Pos * C + c];
          for (size_t p = 1; p < Pos; ++p) {
            const float s = x[(b * Pos + p) * C + c];
            if (s > o || std::isnan(s)) o = s, want_at[b * C + c] = uint32_t(p);
          }
          want[b * C + c] = o;
        }
      }
      const std::vector<float> g = randoms(B * C, 7);
      std::vector<float> out(B * C, -1.0f), dx(B * Pos * C, 5.0f);
      std::vector<uint32_t> at(B * C, 99);
      k->global_max(x.data(), B, Pos, C, out.data(), at.data());
      EXPECT_EQ(0, std::memcmp(out.data(), want.data(), out.size() * sizeof(float))) << k->name << " C " << C;
      EXPECT_EQ(at, want_at) << k->name << " C " << C << " P " << Pos;
      k->global_max_backward(g.data(), at.data(), B, Pos, C, dx.data());
      for (size_t b = 0; b < B; ++b)
        for (size_t p = 0; p < Pos; ++p)
          for (size_t c = 0; c < C; ++c)
            EXPECT_EQ(dx[(b * Pos + p) * C + c], p == want_at[b * C + c] ? g[b * C + c] : 0.0f);
    }
  }
}

// The library's own flags have no FMA: the portable updates must equal plain
// scalar code. A build with FMA (EARSHOT_NATIVE=ON on such a CPU) may contract
// either side its own way, so there is nothing to compare.
TEST(NnKernels, PortableUpdatesEqualScalarFormulas) {
#if defined(__FMA__)
  GTEST_SKIP() << "built with FMA (-march=native): the scalar reference and the kernels may contract differently";
#else
  const size_t n = 37;  // a tail after every vector width
  const std::vector<float> g = randoms(n, 7);
  std::vector<float> p = randoms(n, 8), m = randoms(n, 9), v = randoms(n, 10);
  for (float& x : v) x = std::fabs(x);
  std::vector<float> p2 = p, m2 = m, v2 = v;
  const float a = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
  kern::portable().adam(p.data(), g.data(), m.data(), v.data(), n, a, b1, b2, eps);
  volatile float c1 = 1.0f - b1, c2 = 1.0f - b2;  // volatile: keep the scalar reference scalar
  for (size_t i = 0; i < n; ++i) {
    m2[i] = b1 * m2[i] + c1 * g[i];
    v2[i] = b2 * v2[i] + c2 * (g[i] * g[i]);
    p2[i] = p2[i] - a * m2[i] / (std::sqrt(v2[i]) + eps);
  }
  EXPECT_EQ(0, std::memcmp(p.data(), p2.data(), n * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(m.data(), m2.data(), n * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(v.data(), v2.data(), n * sizeof(float)));

  std::vector<float> q = randoms(n, 11), vel = randoms(n, 12), q2 = q, vel2 = vel;
  kern::portable().sgd(q.data(), g.data(), vel.data(), n, 0.01f, 0.9f, true);
  for (size_t i = 0; i < n; ++i) {
    vel2[i] = 0.9f * vel2[i] - 0.01f * g[i];
    q2[i] = q2[i] + 0.9f * vel2[i] - 0.01f * g[i];
  }
  EXPECT_EQ(0, std::memcmp(q.data(), q2.data(), n * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(vel.data(), vel2.data(), n * sizeof(float)));
#endif
}

TEST(NnKernels, DirectLayerMatchesIm2col) {
  // Seed 002's convolution and seed 001's second, float, through the active kernels.
  struct Case {
    bool conv2d;
    Shape in;
  };
  for (const Case& c : {Case{true, {36, 3, 1}}, Case{false, {30, 8}}}) {
    std::unique_ptr<ConvBase<float>> d, r;
    if (c.conv2d) {
      d = std::make_unique<Conv2D<float>>(8, std::array<size_t, 2>{5, 3}, std::array<size_t, 2>{1, 1}, Padding::kValid,
                                          Activation::kRelu, true);
      r = std::make_unique<Conv2D<float>>(8, std::array<size_t, 2>{5, 3}, std::array<size_t, 2>{1, 1}, Padding::kValid,
                                          Activation::kRelu, true);
    } else {
      d = std::make_unique<Conv1D<float>>(8, 3, 1, Padding::kValid, Activation::kRelu);
      r = std::make_unique<Conv1D<float>>(8, 3, 1, Padding::kValid, Activation::kRelu);
    }
    d->set_algo(ConvAlgo::kDirect);
    r->set_algo(ConvAlgo::kIm2col);
    Rng r1(4), r2(4);
    d->build(c.in, r1);
    r->build(c.in, r2);
    Shape xs = c.in;
    xs.insert(xs.begin(), 6);
    Tensor<float> x(xs);
    x.data = randoms(x.size(), 13);
    Tensor<float> yd, yr, dxd, dxr;
    d->forward(x, yd, true);
    r->forward(x, yr, true);
    ASSERT_EQ(yd.shape, yr.shape);
    for (size_t i = 0; i < yd.size(); ++i) ASSERT_NEAR(yd.data[i], yr.data[i], 1e-5f * (1 + std::fabs(yr.data[i])));
    Tensor<float> dyd(yd.shape);
    dyd.data = randoms(dyd.size(), 14);
    Tensor<float> dyr = dyd;
    d->accumulate_grads = false;  // writes: the 9s must go
    for (Param<float>* p : d->params()) std::fill(p->grad.data.begin(), p->grad.data.end(), 9.0f);
    d->backward(x, yd, dyd, dxd);
    r->backward(x, yr, dyr, dxr);
    for (size_t i = 0; i < dxd.size(); ++i) ASSERT_NEAR(dxd.data[i], dxr.data[i], 1e-5f * (1 + std::fabs(dxr.data[i])));
    for (size_t i = 0; i < d->kernel.grad.size(); ++i)
      ASSERT_NEAR(d->kernel.grad.data[i], r->kernel.grad.data[i], 1e-4f * (1 + std::fabs(r->kernel.grad.data[i])));
    for (size_t i = 0; i < d->bias.grad.size(); ++i)
      ASSERT_NEAR(d->bias.grad.data[i], r->bias.grad.data[i], 1e-4f * (1 + std::fabs(r->bias.grad.data[i])));
  }
}

}  // namespace
}  // namespace earshot::nn
