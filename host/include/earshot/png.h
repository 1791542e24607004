// Pictures for people: a feature matrix as a heat map PNG.
#pragma once

#include <filesystem>

#include "earshot/features.h"

namespace earshot {

// Time runs left to right (long inputs are max-pooled to at most 1600
// columns), feature bins bottom to top; values between the 1st and 99.5th
// percentile map onto the magma colour ramp. scale > 0 fixes the cell size.
void write_heatmap_png(const std::filesystem::path& path, const FeatureMatrix& m, int scale = 0);

}  // namespace earshot
