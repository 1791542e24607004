// Development stand-in for a generated model (earshot export --format cpp):
// the same declarations, a trivial model behind them. Not a real detector;
// the firmware build uses it only when no EARSHOT_MODEL_DIR is given.
#pragma once

#include "earshot/rt/detector.h"

extern const earshot::rt::CompiledModel earshot_model;
earshot::rt::DetectorConfig earshot_detector_config();
extern const char* const earshot_class_names[];
