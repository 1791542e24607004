// earshot export --format cpp for a recurrent model: the step kernel's
// params, rt::RecurrentStream's config and the head's tail (generate_cpp)
// as C++, plus the export's test vectors as C arrays for the firmware.
#include <cinttypes>
#include <cstdio>

#include "codegen_ctx.h"
#include "earshot/deploy/codegen.h"
#include "earshot/error.h"

namespace earshot::deploy {

namespace {

// The constant tensor `t` of `g` declared as `name` (and name_scale).
std::string constant_of(const Graph& g, int32_t t, const std::string& name) {
  return t < 0 ? std::string() : constant_decl(g.tensors[static_cast<size_t>(t)], name);
}

const Op& fc_writing(const Graph& g, const std::string& out_name) {
  for (const Op& op : g.ops) {
    if (op.kind == OpKind::kFullyConnected && g.tensors[static_cast<size_t>(op.outputs[0])].name == out_name) return op;
  }
  throw Error("export --format cpp: the step graph has no FULLY_CONNECTED writing '" + out_name + "'");
}

// One RnnDense: its arrays in `decl`, its literal returned.
std::string dense(const Graph& g, const std::string& out_name, const rt::RnnDense& d, const std::string& id,
                  std::string& decl) {
  const Op& op = fc_writing(g, out_name);
  decl += constant_of(g, op.inputs[1], id + "_w");
  decl += constant_of(g, op.inputs[2], id + "_b");
  char b[256];
  std::snprintf(b, sizeof b, "{%s_w, %s, %s_w_scale, %d, %s}", id.c_str(),
                op.inputs[2] >= 0 ? (id + "_b").c_str() : "nullptr", id.c_str(), d.filter_scale_count,
                cpp_float(d.output_scale).c_str());
  return b;
}

}  // namespace

GeneratedModel generate_recurrent_cpp(const RecurrentGraphs& q, const std::vector<std::string>& class_names,
                                      const std::string& name, const std::string& source) {
  const RecurrentRuntime rr = recurrent_runtime(q);
  GeneratedModel m = generate_cpp(rr.tail, nullptr, class_names, name + "_head", source);
  const rt::RecurrentStreamConfig cfg = rr.config();
  size_t stream_bytes = 0;
  if (rt::RecurrentStream::required_bytes(cfg, &stream_bytes) != rt::Status::kOk) {
    throw Error("export --format cpp: the recurrent stream refuses the model");
  }
  const bool gru = q.cell == rt::RecurrentCell::kGru;
  const bool flatten = q.reduce == rt::RecurrentReduce::kFlatten;
  char b[1024];

  std::string h = "\n// ---- the recurrent part: rt::RecurrentStream runs the step per input and\n";
  h += "// reduces the sequence; earshot_graph above is the head after that reduction.\n";
  h += "#include \"earshot/rt/recurrent_stream.h\"\n\n";
  h += "earshot::rt::RecurrentStreamConfig earshot_recurrent_config();\n";
  h += "// Class names, one per output of the first head.\nextern const char* const earshot_class_names[];\n";
  std::snprintf(b, sizeof b,
                "#define EARSHOT_RECURRENT_STEPS %d       // steps per clip\n"
                "#define EARSHOT_RECURRENT_INPUT_DEPTH %d // one-hot codes (push_index) or values per step (push)\n"
                "#define EARSHOT_RECURRENT_ONE_HOT %d\n"
                "#define EARSHOT_RECURRENT_UNITS %d\n"
                "#define EARSHOT_RECURRENT_STREAM_BYTES %zu  // rt::RecurrentStream::required_bytes\n",
                q.steps, q.input_depth, q.one_hot ? 1 : 0, q.units, stream_bytes);
  h += b;
  m.header += h;

  std::string decl;
  std::string params;
  const Graph& s = q.step;
  if (gru) {
    const rt::GruParams& p = rr.gru;
    const char* gates[3] = {"z", "r", "n"};
    std::string x[3], hh[3];
    for (int k = 0; k < 3; ++k) {
      x[k] = dense(s, std::string(gates[k]) + "/x", p.x[k], std::string("gru_") + gates[k] + "_x", decl);
      hh[k] = dense(s, std::string(gates[k]) + "/h", p.h[k], std::string("gru_") + gates[k] + "_h", decl);
    }
    std::snprintf(b, sizeof b, "const rt::GruParams kGru = {%d, %d, %s, %s, %d,\n", p.input_depth, p.units,
                  p.reset_after ? "true" : "false", cpp_float(p.input_scale).c_str(), p.one_hot_value);
    params += b;
    params += "    {" + x[0] + ",\n     " + x[1] + ",\n     " + x[2] + "},\n";
    params += "    {" + hh[0] + ",\n     " + hh[1] + ",\n     " + hh[2] + "},\n";
    std::snprintf(b, sizeof b, "    {%s, %s, %s}, %s, %s, %s};\n", cpp_float(p.pre_scale[0]).c_str(),
                  cpp_float(p.pre_scale[1]).c_str(), cpp_float(p.pre_scale[2]).c_str(),
                  cpp_float(p.reset_scale).c_str(), cpp_float(p.diff_scale).c_str(), cpp_float(p.keep_scale).c_str());
    params += b;
  } else {
    const rt::RnnParams& p = rr.rnn;
    const std::string x = dense(s, "xw", p.x, "rnn_x", decl), hh = dense(s, "hu", p.h, "rnn_h", decl);
    std::snprintf(b, sizeof b, "const rt::RnnParams kRnn = {%d, %d, %s, %d,\n", p.input_depth, p.units,
                  cpp_float(p.input_scale).c_str(), p.one_hot_value);
    params += b;
    params += "    " + x + ",\n    " + hh + ",\n    " + cpp_float(p.pre_scale) + "};\n";
  }
  if (flatten) {
    const Op& fc = q.head.ops.at(0);
    decl += constant_of(q.head, fc.inputs[1], "head_fc_w");
    decl += constant_of(q.head, fc.inputs[2], "head_fc_b");
  }

  std::string cc = "\n// ---- the recurrent part (earshot_model.h)\nnamespace {\n\n" + decl + "\n" + params + "\n";
  cc += "}  // namespace\n\n";
  cc += "const char* const earshot_class_names[] = {";
  for (const std::string& c : class_names) cc += "\"" + c + "\", ";
  cc += "};\n\n";
  cc += "earshot::rt::RecurrentStreamConfig earshot_recurrent_config() {\n";
  cc += "  earshot::rt::RecurrentStreamConfig c;\n";
  cc += gru ? "  c.cell = rt::RecurrentCell::kGru;\n  c.gru = &kGru;\n"
            : "  c.cell = rt::RecurrentCell::kSimpleRnn;\n  c.rnn = &kRnn;\n";
  std::snprintf(b, sizeof b, "  c.one_hot = %s;\n  c.steps = %d;\n", q.one_hot ? "true" : "false", q.steps);
  cc += b;
  if (flatten) {
    const Op& fc = q.head.ops.at(0);
    cc += "  c.reduce = rt::RecurrentReduce::kFlatten;\n";
    cc += "  c.fc = rt::FullyConnectedParams" + fully_connected_literal(cfg.fc, "head_fc_w_scale") + ";\n";
    cc += "  c.fc_weights = head_fc_w;\n";
    cc += std::string("  c.fc_bias = ") + (fc.inputs[2] >= 0 ? "head_fc_b" : "nullptr") + ";\n";
  } else {
    cc += "  c.reduce = rt::RecurrentReduce::kLastState;\n";
  }
  cc += "  return c;\n}\n";
  // The tail's source already opened `namespace { namespace rt = ... }` and closed it.
  m.source += "namespace rt = earshot::rt;\n" + cc;
  return m;
}

std::string recurrent_vectors_c(const RecurrentGraphs& q, const std::vector<int16_t>& inputs,
                                const std::vector<int16_t>& outputs, size_t clips) {
  std::string c = "// Generated by earshot export --format cpp: test clips and the outputs the\n";
  c += "// board must print for them (rt::RecurrentStream + earshot_graph, raw integers).\n";
  c += "#include <stddef.h>\n#include <stdint.h>\n\n";
  char b[1024];
  std::snprintf(b, sizeof b,
                "const size_t earshot_vector_clips = %zu;\nconst size_t earshot_vector_step_values = %d;\n"
                "const size_t earshot_vector_outputs = %zu;\n",
                clips, q.one_hot ? 1 : q.input_depth, clips ? outputs.size() / clips : 0);
  c += b;
  auto array = [&](const char* name, const std::vector<int16_t>& v) {
    c += std::string("const int16_t ") + name + "[] = {";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i % 24 == 0) c += "\n   ";
      std::snprintf(b, sizeof b, " %d,", v[i]);
      c += b;
    }
    c += "\n};\n";
  };
  array("earshot_vector_input", inputs);
  array("earshot_vector_output", outputs);
  return c;
}

}  // namespace earshot::deploy
