#include "earshot/png.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "earshot/error.h"
#include "earshot/fileio.h"

namespace earshot {
namespace {

// A few stops of the magma ramp, interpolated linearly.
void magma(double t, uint8_t* rgb) {
  static const double kStops[][3] = {{0, 0, 4},      {59, 15, 112},   {140, 41, 129},
                                     {222, 73, 104}, {254, 159, 109}, {252, 253, 191}};
  t = std::clamp(t, 0.0, 1.0) * 5.0;
  const int i = std::min(4, static_cast<int>(t));
  const double f = t - i;
  for (int c = 0; c < 3; ++c) rgb[c] = static_cast<uint8_t>(std::lround(kStops[i][c] * (1 - f) + kStops[i + 1][c] * f));
}

}  // namespace

void write_heatmap_png(const std::filesystem::path& path, const FeatureMatrix& m, int scale) {
  if (m.frames == 0 || m.features == 0) throw Error(path.string(), 0, "nothing to draw: no frames");
  // Long inputs: each column shows the max over a span of frames (events stay visible).
  const size_t max_cols = 1600;
  const size_t span = (m.frames + max_cols - 1) / max_cols;
  const size_t cols = (m.frames + span - 1) / span;
  const size_t cell_h = scale > 0 ? static_cast<size_t>(scale) : std::clamp<size_t>(400 / m.features, 1, 8);
  const size_t cell_w = scale > 0 ? static_cast<size_t>(scale) : std::clamp<size_t>(800 / cols, 1, 8);
  const size_t w = cols * cell_w;
  const size_t h = m.features * cell_h;
  std::vector<float> pooled(cols * m.features, -INFINITY);
  for (size_t t = 0; t < m.frames; ++t) {
    for (size_t f = 0; f < m.features; ++f) {
      float& v = pooled[(t / span) * m.features + f];
      v = std::max(v, m.data[t * m.features + f]);
    }
  }
  // Contrast from robust percentiles, so one loud click does not wash out the picture.
  std::vector<float> sorted = pooled;
  std::sort(sorted.begin(), sorted.end());
  const double lo = sorted[sorted.size() / 100];
  const double hi = sorted[std::min(sorted.size() - 1, sorted.size() * 995 / 1000)];
  const double range = std::max(1e-12, hi - lo);
  std::vector<uint8_t> pixels(w * h * 3);
  for (size_t y = 0; y < h; ++y) {
    const size_t bin = m.features - 1 - y / cell_h;
    for (size_t x = 0; x < w; ++x) {
      magma((pooled[(x / cell_w) * m.features + bin] - lo) / range, &pixels[(y * w + x) * 3]);
    }
  }
  write_atomically(path, [&](const std::filesystem::path& tmp) {
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) throw Error(tmp.string(), 0, "cannot open for writing");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png == nullptr ? nullptr : png_create_info_struct(png);
    if (png == nullptr || info == nullptr || setjmp(png_jmpbuf(png))) {
      png_destroy_write_struct(&png, &info);
      std::fclose(f);
      throw Error(tmp.string(), 0, "PNG encoding failed");
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, static_cast<png_uint_32>(w), static_cast<png_uint_32>(h), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < h; ++y) png_write_row(png, &pixels[y * w * 3]);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    if (std::fclose(f) != 0) throw Error(tmp.string(), 0, "write failed (disk full?)");
  });
}

}  // namespace earshot
