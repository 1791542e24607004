// Pictures for people: a feature matrix as a heat map PNG.
#pragma once

#include <filesystem>

#include "earshot/features.h"

namespace earshot {

// Time runs left to right, feature bins bottom to top; values are mapped from
// their min..max onto a perceptual colour ramp. Each cell is `scale` pixels.
void write_heatmap_png(const std::filesystem::path& path, const FeatureMatrix& m, int scale = 0);

}  // namespace earshot
