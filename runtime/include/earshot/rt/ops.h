// All inference kernels (int8 bit-exact with TFLite Micro's reference kernels,
// and float32). See docs/architecture.md, "runtime ops".
#pragma once

#include "earshot/rt/ops/add.h"
#include "earshot/rt/ops/conv2d.h"
#include "earshot/rt/ops/fully_connected.h"
#include "earshot/rt/ops/logistic.h"
#include "earshot/rt/ops/mul.h"
#include "earshot/rt/ops/pool2d.h"
#include "earshot/rt/ops/quant.h"
#include "earshot/rt/ops/quantize.h"
#include "earshot/rt/ops/recurrent.h"
#include "earshot/rt/ops/relu.h"
#include "earshot/rt/ops/softmax.h"
#include "earshot/rt/ops/sub.h"
#include "earshot/rt/ops/tanh.h"
