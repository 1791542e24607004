// The graph op kind registry and the helpers the op files share.
#include "op_kind.h"

#include <array>

#include "earshot/error.h"

namespace earshot::deploy {

namespace {

using KindFn = const OpKindInfo& (*)();

// In OpKind's order; a new kind is added here, to OpKind and to kOpKindCount.
constexpr KindFn kKinds[] = {
    &conv2d_op, &fully_connected_op, &max_pool2d_op, &avg_pool2d_op, &reshape_op, &softmax_op, &logistic_op, &tanh_op,
    &relu_op,   &relu6_op,           &quantize_op,   &dequantize_op, &add_op,     &mul_op,     &sub_op,
};
static_assert(std::size(kKinds) == kOpKindCount, "kOpKindCount (graph.h) must count the registry's op kinds");

}  // namespace

const OpKindInfo& op_kind(OpKind k) {
  static const std::array<const OpKindInfo*, kOpKindCount> all = [] {
    std::array<const OpKindInfo*, kOpKindCount> a{};
    for (size_t i = 0; i < kOpKindCount; ++i) {
      a[i] = &kKinds[i]();
      if (static_cast<size_t>(a[i]->kind) != i) throw std::logic_error("op kind registry out of OpKind's order");
    }
    return a;
  }();
  const size_t i = static_cast<size_t>(k);
  if (i >= kOpKindCount) throw Error("unknown op kind " + std::to_string(i));
  return *all[i];
}

const char* op_name(OpKind k) { return op_kind(k).name; }

void OpCheck::fail(const std::string& what) const { throw Error(prefix_ + what); }

void OpCheck::same_shape(const TensorInfo& a, const TensorInfo& b) const {
  check(a.shape == b.shape, "input " + shape_str(a.shape) + " and output " + shape_str(b.shape) + " differ");
}

void OpCheck::same_quantization(const TensorInfo& a, const TensorInfo& b) const {
  check(a.type == b.type && a.scale == b.scale && a.zero_point == b.zero_point, "input and output quantization differ");
}

void OpCheck::per_tensor(const TensorInfo& t) const {
  check(t.scale.size() <= 1, "activations must be quantized per tensor ('" + t.name + "')");
}

void OpCheck::fixed_output(const TensorInfo& y, float scale, int64_t zero_point) const {
  char b[96];
  std::snprintf(b, sizeof b, "%s output needs scale 1/%d, zero point %d", dtype_name(y.type),
                static_cast<int>(1.0f / scale + 0.5f), static_cast<int>(zero_point));
  check(y.scale[0] == scale && y.zero_point[0] == zero_point, b);
}

std::string shape_str(const std::vector<int32_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// rt::Activation's values are TFLite's ActivationFunctionType (quant.h); the
// compiler holds the two to it.
static_assert(static_cast<int>(rt::Activation::kNone) == fb::ActivationFunctionType_NONE &&
              static_cast<int>(rt::Activation::kRelu) == fb::ActivationFunctionType_RELU &&
              static_cast<int>(rt::Activation::kReluN1To1) == fb::ActivationFunctionType_RELU_N1_TO_1 &&
              static_cast<int>(rt::Activation::kRelu6) == fb::ActivationFunctionType_RELU6 &&
              static_cast<int>(rt::Activation::kTanh) == fb::ActivationFunctionType_TANH &&
              static_cast<int>(rt::Activation::kSignBit) == fb::ActivationFunctionType_SIGN_BIT);

fb::ActivationFunctionType fused_to_tflite(rt::Activation a) {
  return static_cast<fb::ActivationFunctionType>(static_cast<uint8_t>(a));
}

std::string fused_from_tflite(fb::ActivationFunctionType a, rt::Activation* out) {
  if (a == fb::ActivationFunctionType_NONE || a == fb::ActivationFunctionType_RELU ||
      a == fb::ActivationFunctionType_RELU_N1_TO_1 || a == fb::ActivationFunctionType_RELU6) {
    *out = static_cast<rt::Activation>(static_cast<uint8_t>(a));
    return "";
  }
  return "has an unsupported fused activation " + std::to_string(a);
}

std::string padding_from_tflite(fb::Padding p, Padding* out) {
  if (p != fb::Padding_SAME && p != fb::Padding_VALID) return "has padding " + std::to_string(p);
  *out = p == fb::Padding_SAME ? Padding::kSame : Padding::kValid;
  return "";
}

}  // namespace earshot::deploy
