#include "earshot/deploy/tflite.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <algorithm>
#include <map>
#include <sstream>

#include "earshot/error.h"
#include "earshot/fileio.h"
#include "op_kind.h"

namespace earshot::deploy {
namespace {

fb::TensorType tensor_type(DType t) {
  switch (t) {
    case DType::kFloat32: return fb::TensorType_FLOAT32;
    case DType::kInt8: return fb::TensorType_INT8;
    case DType::kInt16: return fb::TensorType_INT16;
    case DType::kInt32: return fb::TensorType_INT32;
    case DType::kInt64: return fb::TensorType_INT64;
  }
  return fb::TensorType_FLOAT32;
}

bool from_tensor_type(fb::TensorType t, DType* out) {
  for (DType d : {DType::kFloat32, DType::kInt8, DType::kInt16, DType::kInt32, DType::kInt64}) {
    if (tensor_type(d) == t) {
      *out = d;
      return true;
    }
  }
  return false;
}

const OpKindInfo* from_builtin(int32_t code) {
  for (size_t i = 0; i < kOpKindCount; ++i) {
    const OpKindInfo& k = op_kind(static_cast<OpKind>(i));
    if (k.builtin == code) return &k;
  }
  return nullptr;
}

// TFLite has no tensor that keeps its value between invocations and is
// written by an ordinary op, so state goes into the file as an explicit input
// and output (a step model: the caller feeds each output back): state tensor s
// becomes a graph input (its value before the step) and the op that writes it
// writes a new tensor "<s>/next", appended after the other tensors and listed
// after the other outputs; later ops read that one. The metadata entry
// "earshot_state" ("in out" index pairs, one per line; out -1 when nothing
// writes the state) lets read_tflite() turn the pairs back into state.
constexpr const char* kStateMetadata = "earshot_state";

Graph state_as_io(const Graph& g, std::string* pairs) {
  Graph f = g;
  for (int32_t s : g.state_tensors()) {
    TensorInfo& t = f.tensors[static_cast<size_t>(s)];
    t.state = false;
    f.inputs.push_back(s);
    int32_t next = -1;
    for (Op& op : f.ops) {
      if (next >= 0) {
        for (int32_t& in : op.inputs) in = in == s ? next : in;
      }
      for (int32_t& out : op.outputs) {
        if (out != s) continue;
        TensorInfo n = f.tensors[static_cast<size_t>(s)];
        n.name += "/next";
        f.tensors.push_back(std::move(n));
        next = out = static_cast<int32_t>(f.tensors.size() - 1);
      }
    }
    if (next >= 0) {
      f.outputs.push_back(next);
      if (!f.output_names.empty()) f.output_names.push_back(f.tensors[static_cast<size_t>(next)].name);
    }
    *pairs += std::to_string(s) + " " + std::to_string(next) + "\n";
  }
  return f;
}

// Removes tensor t (nothing may refer to it any more) and renumbers the rest.
void erase_tensor(Graph& g, int32_t t) {
  g.tensors.erase(g.tensors.begin() + t);
  auto fix = [t](int32_t& i) {
    if (i > t) --i;
  };
  for (Op& op : g.ops) {
    for (int32_t& i : op.inputs) fix(i);
    for (int32_t& i : op.outputs) fix(i);
  }
  for (int32_t& i : g.inputs) fix(i);
  for (int32_t& i : g.outputs) fix(i);
}

}  // namespace

std::vector<uint8_t> write_tflite(const Graph& graph) {
  graph.validate("write_tflite");
  std::string state_pairs;
  const Graph g = state_as_io(graph, &state_pairs);
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

  std::vector<std::pair<OpKind, int32_t>> codes;  // (kind, version) in order of first use
  std::vector<flatbuffers::Offset<fb::Operator>> ops;
  for (const Op& op : g.ops) {
    const OpKindInfo& info = op_kind(op.kind);
    const std::pair<OpKind, int32_t> key{op.kind, info.version(g, op)};
    uint32_t code = 0;
    while (code < codes.size() && codes[code] != key) ++code;
    if (code == codes.size()) codes.push_back(key);
    fb::BuiltinOptions type = fb::BuiltinOptions_NONE;
    flatbuffers::Offset<void> options = 0;
    if (info.write_options != nullptr) {
      type = info.options_type;
      options = info.write_options(fbb, g, op);
    }
    ops.push_back(fb::CreateOperatorDirect(fbb, code, &op.inputs, &op.outputs, type, options));
  }

  std::vector<flatbuffers::Offset<fb::OperatorCode>> opcodes;
  for (const auto& [kind, version] : codes) {
    const int32_t b = op_kind(kind).builtin;
    opcodes.push_back(fb::CreateOperatorCode(fbb, static_cast<int8_t>(b < 127 ? b : 127), 0, version,
                                             static_cast<fb::BuiltinOperator>(b)));
  }
  auto subgraph = fb::CreateSubGraphDirect(fbb, &tensors, &g.inputs, &g.outputs, &ops, "main");
  std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs = {subgraph};

  // The signature names every input and output (the heads' names).
  auto tensor_map = [&](const std::vector<int32_t>& list, const std::vector<std::string>* names) {
    std::vector<flatbuffers::Offset<fb::TensorMap>> maps;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string& name =
          names != nullptr && i < names->size() ? (*names)[i] : g.tensors[static_cast<size_t>(list[i])].name;
      maps.push_back(fb::CreateTensorMapDirect(fbb, name.c_str(), static_cast<uint32_t>(list[i])));
    }
    return maps;
  };
  const auto sig_inputs = tensor_map(g.inputs, nullptr);
  const auto sig_outputs = tensor_map(g.outputs, g.output_names.empty() ? nullptr : &g.output_names);
  std::vector<flatbuffers::Offset<fb::SignatureDef>> signatures = {
      fb::CreateSignatureDefDirect(fbb, &sig_inputs, &sig_outputs, "serving_default", 0)};

  std::vector<flatbuffers::Offset<fb::Metadata>> metadata;
  if (!state_pairs.empty()) {
    const std::vector<uint8_t> bytes(state_pairs.begin(), state_pairs.end());
    metadata.push_back(fb::CreateMetadataDirect(fbb, kStateMetadata, static_cast<uint32_t>(buffers.size())));
    buffers.push_back(fb::CreateBuffer(fbb, fbb.CreateVector(bytes)));
  }
  auto model = fb::CreateModelDirect(fbb, 3, &opcodes, &subgraphs, g.description.c_str(), &buffers, nullptr,
                                     metadata.empty() ? nullptr : &metadata, &signatures);
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
    if (!from_tensor_type(ft->type(), &t.type)) {
      fail(tname + " has type " + std::to_string(ft->type()) +
           " (float32, int8, int16, int32 and int64 are supported)");
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
    if (codes == nullptr || fo->opcode_index() >= codes->size())
      fail(oname + " has an operator code index out of range");
    const fb::OperatorCode* code = codes->Get(fo->opcode_index());
    const int32_t builtin_code = std::max<int32_t>(code->deprecated_builtin_code(), code->builtin_code());
    const OpKindInfo* info = from_builtin(builtin_code);
    if (info == nullptr)
      fail(oname + " uses builtin operator " + std::to_string(builtin_code) + ", which earshot does not run");
    Op op;
    op.kind = info->kind;
    if (fo->inputs() == nullptr || fo->outputs() == nullptr) fail(oname + " lacks inputs or outputs");
    op.inputs.assign(fo->inputs()->begin(), fo->inputs()->end());
    op.outputs.assign(fo->outputs()->begin(), fo->outputs()->end());
    if (info->read_options != nullptr) {
      if (const std::string e = info->read_options(*fo, op); !e.empty()) fail(oname + " (" + info->name + ") " + e);
    }
    g.ops.push_back(std::move(op));
  }
  // Output names: the signature's when it names every output, else the tensors'.
  const auto* sigs = m->signature_defs();
  const fb::SignatureDef* sig = sigs != nullptr && sigs->size() > 0 ? sigs->Get(0) : nullptr;
  for (int32_t out : g.outputs) {
    std::string name = out >= 0 && static_cast<size_t>(out) < g.tensors.size()
                           ? g.tensors[static_cast<size_t>(out)].name
                           : std::string();
    if (sig != nullptr && sig->outputs() != nullptr) {
      for (const fb::TensorMap* t : *sig->outputs()) {
        if (t != nullptr && t->name() != nullptr && static_cast<int64_t>(t->tensor_index()) == out)
          name = t->name()->str();
      }
    }
    g.output_names.push_back(name);
  }
  g.validate(where);

  // State written as explicit inputs and outputs (write_tflite) becomes state again.
  if (m->metadata() != nullptr) {
    for (const fb::Metadata* md : *m->metadata()) {
      if (md == nullptr || md->name() == nullptr || md->name()->str() != kStateMetadata) continue;
      if (md->buffer() >= m->buffers()->size() || m->buffers()->Get(md->buffer())->data() == nullptr) {
        fail("the state metadata refers to a missing buffer");
      }
      const auto* bytes = m->buffers()->Get(md->buffer())->data();
      std::istringstream pairs(std::string(bytes->begin(), bytes->end()));
      std::vector<int32_t> drop;
      int64_t in = 0, out = 0;
      while (pairs >> in >> out) {
        auto pos = std::find(g.inputs.begin(), g.inputs.end(), in);
        if (pos == g.inputs.end()) fail("state tensor " + std::to_string(in) + " is not an input");
        g.inputs.erase(pos);
        g.tensors[static_cast<size_t>(in)].state = true;
        if (out < 0) continue;
        auto opos = std::find(g.outputs.begin(), g.outputs.end(), out);
        if (opos == g.outputs.end()) fail("state output " + std::to_string(out) + " is not an output");
        g.output_names.erase(g.output_names.begin() + (opos - g.outputs.begin()));
        g.outputs.erase(opos);
        for (Op& op : g.ops) {
          for (int32_t& i : op.inputs) i = i == out ? static_cast<int32_t>(in) : i;
          for (int32_t& i : op.outputs) i = i == out ? static_cast<int32_t>(in) : i;
        }
        drop.push_back(static_cast<int32_t>(out));
      }
      std::sort(drop.rbegin(), drop.rend());
      for (int32_t t : drop) erase_tensor(g, t);
      g.validate(where);
    }
  }
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
