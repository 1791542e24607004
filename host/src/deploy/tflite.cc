#include "earshot/deploy/tflite.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "earshot/error.h"
#include "earshot/fileio.h"
#include "tflite_generated.h"  // flatc output of host/schema/tflite.fbs

namespace earshot::deploy {
namespace fb = earshot::tflite;

namespace {

fb::BuiltinOperator builtin(OpKind k) {
  switch (k) {
    case OpKind::kConv2D: return fb::BuiltinOperator_CONV_2D;
    case OpKind::kFullyConnected: return fb::BuiltinOperator_FULLY_CONNECTED;
    case OpKind::kMaxPool2D: return fb::BuiltinOperator_MAX_POOL_2D;
    case OpKind::kAvgPool2D: return fb::BuiltinOperator_AVERAGE_POOL_2D;
    case OpKind::kReshape: return fb::BuiltinOperator_RESHAPE;
    case OpKind::kSoftmax: return fb::BuiltinOperator_SOFTMAX;
    case OpKind::kLogistic: return fb::BuiltinOperator_LOGISTIC;
    case OpKind::kTanh: return fb::BuiltinOperator_TANH;
    case OpKind::kRelu: return fb::BuiltinOperator_RELU;
    case OpKind::kRelu6: return fb::BuiltinOperator_RELU6;
    case OpKind::kQuantize: return fb::BuiltinOperator_QUANTIZE;
    case OpKind::kDequantize: return fb::BuiltinOperator_DEQUANTIZE;
  }
  return fb::BuiltinOperator_ADD;
}

bool from_builtin(int32_t code, OpKind* k) {
  static const std::pair<int32_t, OpKind> table[] = {
      {fb::BuiltinOperator_CONV_2D, OpKind::kConv2D},
      {fb::BuiltinOperator_FULLY_CONNECTED, OpKind::kFullyConnected},
      {fb::BuiltinOperator_MAX_POOL_2D, OpKind::kMaxPool2D},
      {fb::BuiltinOperator_AVERAGE_POOL_2D, OpKind::kAvgPool2D},
      {fb::BuiltinOperator_RESHAPE, OpKind::kReshape},
      {fb::BuiltinOperator_SOFTMAX, OpKind::kSoftmax},
      {fb::BuiltinOperator_LOGISTIC, OpKind::kLogistic},
      {fb::BuiltinOperator_TANH, OpKind::kTanh},
      {fb::BuiltinOperator_RELU, OpKind::kRelu},
      {fb::BuiltinOperator_RELU6, OpKind::kRelu6},
      {fb::BuiltinOperator_QUANTIZE, OpKind::kQuantize},
      {fb::BuiltinOperator_DEQUANTIZE, OpKind::kDequantize},
  };
  for (const auto& [c, kind] : table) {
    if (c == code) {
      *k = kind;
      return true;
    }
  }
  return false;
}

// Operator versions as TensorFlow's converter sets them for these types.
int32_t op_version(OpKind k, bool int8) {
  if (!int8) return 1;
  switch (k) {
    case OpKind::kConv2D: return 3;
    case OpKind::kFullyConnected: return 4;
    case OpKind::kReshape: return 1;
    default: return 2;
  }
}

fb::TensorType tensor_type(DType t) {
  switch (t) {
    case DType::kFloat32: return fb::TensorType_FLOAT32;
    case DType::kInt8: return fb::TensorType_INT8;
    case DType::kInt32: return fb::TensorType_INT32;
  }
  return fb::TensorType_FLOAT32;
}

fb::ActivationFunctionType fused_type(Fused f) {
  switch (f) {
    case Fused::kNone: return fb::ActivationFunctionType_NONE;
    case Fused::kRelu: return fb::ActivationFunctionType_RELU;
    case Fused::kReluN1To1: return fb::ActivationFunctionType_RELU_N1_TO_1;
    case Fused::kRelu6: return fb::ActivationFunctionType_RELU6;
  }
  return fb::ActivationFunctionType_NONE;
}

}  // namespace

std::vector<uint8_t> write_tflite(const Graph& g) {
  g.validate("write_tflite");
  flatbuffers::FlatBufferBuilder fbb(4096);

  // Buffer 0 is the empty sentinel; each constant tensor has its own buffer.
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
  buffers.push_back(fb::CreateBuffer(fbb));
  std::vector<uint32_t> buffer_of(g.tensors.size(), 0);
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorInfo& t = g.tensors[i];
    if (!t.is_constant()) continue;
    fbb.ForceVectorAlignment(t.data.size(), sizeof(uint8_t), 16);
    auto data = fbb.CreateVector(t.data);
    buffer_of[i] = static_cast<uint32_t>(buffers.size());
    buffers.push_back(fb::CreateBuffer(fbb, data));
  }

  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorInfo& t = g.tensors[i];
    flatbuffers::Offset<fb::QuantizationParameters> q = 0;
    if (!t.scale.empty()) {
      q = fb::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &t.scale, &t.zero_point,
                                                 fb::QuantizationDetails_NONE, 0, t.quantized_dimension);
    }
    tensors.push_back(fb::CreateTensorDirect(fbb, &t.shape, tensor_type(t.type), buffer_of[i], t.name.c_str(), q));
  }

  std::vector<std::pair<OpKind, bool>> codes;  // in order of first use
  std::vector<flatbuffers::Offset<fb::Operator>> ops;
  for (const Op& op : g.ops) {
    const bool int8 = g.tensors[static_cast<size_t>(op.outputs[0])].type == DType::kInt8 ||
                      op.kind == OpKind::kDequantize;
    std::pair<OpKind, bool> key{op.kind, int8};
    uint32_t code = 0;
    while (code < codes.size() && codes[code] != key) ++code;
    if (code == codes.size()) codes.push_back(key);

    fb::BuiltinOptions type = fb::BuiltinOptions_NONE;
    flatbuffers::Offset<void> options = 0;
    const auto padding = op.padding == Padding::kSame ? fb::Padding_SAME : fb::Padding_VALID;
    switch (op.kind) {
      case OpKind::kConv2D:
        type = fb::BuiltinOptions_Conv2DOptions;
        options = fb::CreateConv2DOptions(fbb, padding, op.stride_w, op.stride_h, fused_type(op.fused), op.dilation_w,
                                          op.dilation_h).Union();
        break;
      case OpKind::kFullyConnected:
        type = fb::BuiltinOptions_FullyConnectedOptions;
        options = fb::CreateFullyConnectedOptions(fbb, fused_type(op.fused)).Union();
        break;
      case OpKind::kMaxPool2D:
      case OpKind::kAvgPool2D:
        type = fb::BuiltinOptions_Pool2DOptions;
        options = fb::CreatePool2DOptions(fbb, padding, op.stride_w, op.stride_h, op.filter_w, op.filter_h,
                                          fused_type(op.fused)).Union();
        break;
      case OpKind::kSoftmax:
        type = fb::BuiltinOptions_SoftmaxOptions;
        options = fb::CreateSoftmaxOptions(fbb, op.beta).Union();
        break;
      case OpKind::kReshape:
        type = fb::BuiltinOptions_ReshapeOptions;
        options = fb::CreateReshapeOptionsDirect(fbb, &g.tensors[static_cast<size_t>(op.outputs[0])].shape).Union();
        break;
      default:
        break;
    }
    ops.push_back(fb::CreateOperatorDirect(fbb, code, &op.inputs, &op.outputs, type, options));
  }

  std::vector<flatbuffers::Offset<fb::OperatorCode>> opcodes;
  for (const auto& [kind, int8] : codes) {
    const int32_t b = builtin(kind);
    opcodes.push_back(fb::CreateOperatorCode(fbb, static_cast<int8_t>(b < 127 ? b : 127), 0, op_version(kind, int8),
                                             static_cast<fb::BuiltinOperator>(b)));
  }
  auto subgraph = fb::CreateSubGraphDirect(fbb, &tensors, &g.inputs, &g.outputs, &ops, "main");
  std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs = {subgraph};
  auto model = fb::CreateModelDirect(fbb, 3, &opcodes, &subgraphs, g.description.c_str(), &buffers);
  fb::FinishModelBuffer(fbb, model);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Graph read_tflite(const uint8_t* data, size_t size, const std::string& where) {
  auto fail = [&where](const std::string& what) -> void { throw Error(where + ": " + what); };
  if (data == nullptr || size < 8) fail("too short for a .tflite file (" + std::to_string(size) + " bytes)");
  if (!flatbuffers::BufferHasIdentifier(data, fb::ModelIdentifier())) {
    fail("not a TensorFlow Lite file (the identifier at bytes 4..7 is not \"TFL3\")");
  }
  flatbuffers::Verifier verifier(data, size, 64, 1000000);
  if (!fb::VerifyModelBuffer(verifier)) {
    fail("the flatbuffer is malformed (an offset or length points outside the file); the file is truncated or corrupt");
  }
  const fb::Model* m = fb::GetModel(data);
  if (m->version() != 3) fail("schema version " + std::to_string(m->version()) + " (only 3 is supported)");
  if (m->subgraphs() == nullptr || m->subgraphs()->size() != 1) fail("expected exactly one subgraph");
  if (m->buffers() == nullptr) fail("no buffers table");
  const fb::SubGraph* sg = m->subgraphs()->Get(0);
  if (sg->tensors() == nullptr || sg->operators() == nullptr || sg->inputs() == nullptr || sg->outputs() == nullptr) {
    fail("the subgraph lacks tensors, operators, inputs or outputs");
  }

  Graph g;
  if (m->description()) g.description = m->description()->str();
  for (uint32_t i = 0; i < sg->tensors()->size(); ++i) {
    const fb::Tensor* ft = sg->tensors()->Get(i);
    const std::string tname = "tensor " + std::to_string(i);
    TensorInfo t;
    if (ft->name()) t.name = ft->name()->str();
    if (ft->shape() == nullptr) fail(tname + " has no shape");
    t.shape.assign(ft->shape()->begin(), ft->shape()->end());
    switch (ft->type()) {
      case fb::TensorType_FLOAT32: t.type = DType::kFloat32; break;
      case fb::TensorType_INT8: t.type = DType::kInt8; break;
      case fb::TensorType_INT32: t.type = DType::kInt32; break;
      default: fail(tname + " has type " + std::to_string(ft->type()) + " (float32, int8 and int32 are supported)");
    }
    if (ft->buffer() >= m->buffers()->size()) {
      fail(tname + " refers to buffer " + std::to_string(ft->buffer()) + " of " + std::to_string(m->buffers()->size()));
    }
    const fb::Buffer* b = m->buffers()->Get(ft->buffer());
    if (b->data() != nullptr) t.data.assign(b->data()->begin(), b->data()->end());
    if (const fb::QuantizationParameters* q = ft->quantization()) {
      if (q->scale()) t.scale.assign(q->scale()->begin(), q->scale()->end());
      if (const auto* zp = q->zero_point()) {
        // The verifier checks only the length field's alignment, so a damaged
        // file may hold these int64 values misaligned: copy bytes, do not load.
        t.zero_point.resize(zp->size());
        if (zp->size() > 0) std::memcpy(t.zero_point.data(), zp->Data(), zp->size() * sizeof(int64_t));
      }
      t.quantized_dimension = q->quantized_dimension();
    }
    g.tensors.push_back(std::move(t));
  }
  g.inputs.assign(sg->inputs()->begin(), sg->inputs()->end());
  g.outputs.assign(sg->outputs()->begin(), sg->outputs()->end());

  const auto* codes = m->operator_codes();
  for (uint32_t k = 0; k < sg->operators()->size(); ++k) {
    const fb::Operator* fo = sg->operators()->Get(k);
    const std::string oname = "operator " + std::to_string(k);
    if (codes == nullptr || fo->opcode_index() >= codes->size()) fail(oname + " has an operator code index out of range");
    const fb::OperatorCode* code = codes->Get(fo->opcode_index());
    const int32_t builtin_code = std::max<int32_t>(code->deprecated_builtin_code(), code->builtin_code());
    Op op;
    if (!from_builtin(builtin_code, &op.kind)) {
      fail(oname + " uses builtin operator " + std::to_string(builtin_code) + ", which earshot does not run");
    }
    if (fo->inputs() == nullptr || fo->outputs() == nullptr) fail(oname + " lacks inputs or outputs");
    op.inputs.assign(fo->inputs()->begin(), fo->inputs()->end());
    op.outputs.assign(fo->outputs()->begin(), fo->outputs()->end());
    auto need = [&](const void* options) {
      if (options == nullptr) fail(oname + " (" + op_name(op.kind) + ") lacks its options table");
    };
    auto fused = [&](fb::ActivationFunctionType a) {
      switch (a) {
        case fb::ActivationFunctionType_NONE: return Fused::kNone;
        case fb::ActivationFunctionType_RELU: return Fused::kRelu;
        case fb::ActivationFunctionType_RELU_N1_TO_1: return Fused::kReluN1To1;
        case fb::ActivationFunctionType_RELU6: return Fused::kRelu6;
        default: fail(oname + " has an unsupported fused activation " + std::to_string(a));
      }
      return Fused::kNone;
    };
    auto padding = [&](fb::Padding p) {
      if (p != fb::Padding_SAME && p != fb::Padding_VALID) fail(oname + " has padding " + std::to_string(p));
      return p == fb::Padding_SAME ? Padding::kSame : Padding::kValid;
    };
    switch (op.kind) {
      case OpKind::kConv2D: {
        const auto* o = fo->builtin_options_as_Conv2DOptions();
        need(o);
        op.padding = padding(o->padding());
        op.stride_w = o->stride_w();
        op.stride_h = o->stride_h();
        op.dilation_w = o->dilation_w_factor();
        op.dilation_h = o->dilation_h_factor();
        op.fused = fused(o->fused_activation_function());
        break;
      }
      case OpKind::kFullyConnected: {
        const auto* o = fo->builtin_options_as_FullyConnectedOptions();
        need(o);
        if (o->weights_format() != fb::FullyConnectedOptionsWeightsFormat_DEFAULT) fail(oname + " has shuffled weights");
        if (o->keep_num_dims()) fail(oname + " uses keep_num_dims, which earshot does not support");
        op.fused = fused(o->fused_activation_function());
        break;
      }
      case OpKind::kMaxPool2D:
      case OpKind::kAvgPool2D: {
        const auto* o = fo->builtin_options_as_Pool2DOptions();
        need(o);
        op.padding = padding(o->padding());
        op.stride_w = o->stride_w();
        op.stride_h = o->stride_h();
        op.filter_w = o->filter_width();
        op.filter_h = o->filter_height();
        op.fused = fused(o->fused_activation_function());
        break;
      }
      case OpKind::kSoftmax: {
        const auto* o = fo->builtin_options_as_SoftmaxOptions();
        need(o);
        op.beta = o->beta();
        break;
      }
      default:
        break;
    }
    // Reshape may carry a second (shape) input; the output tensor's shape rules.
    if (op.kind == OpKind::kReshape && op.inputs.size() == 2) op.inputs.resize(1);
    g.ops.push_back(std::move(op));
  }
  for (int32_t out : g.outputs) {
    g.output_names.push_back(out >= 0 && static_cast<size_t>(out) < g.tensors.size() ? g.tensors[static_cast<size_t>(out)].name
                                                                                     : std::string());
  }
  g.validate(where);
  return g;
}

void save_tflite(const std::filesystem::path& path, const Graph& g) {
  const std::vector<uint8_t> bytes = write_tflite(g);
  write_text_file(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Graph load_tflite(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path.string() + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return read_tflite(bytes.data(), bytes.size(), path.string());
}

}  // namespace earshot::deploy
