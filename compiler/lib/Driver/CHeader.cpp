//===- CHeader.cpp - The C header of a compiled network -------------------===//
//
// `hebbc -c --header`: declares the object's hebb_module and a create
// function, and lists in comments what a host program can name through the
// C API (state arrays, parameters with their SI values, signals, records).
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/Compiler.h"
#include "hebb/runtime/Json.h"
#include "hebb/runtime/Philox.h"

#include <cctype>
#include <map>
#include <optional>
#include <sstream>

using namespace hebb;

namespace {
/// Hidden fields and parameters the compiler adds (sums, event times,
/// initial values' constants) are not for hosts.
bool isHidden(const std::string &field) {
  return field.rfind("__", 0) == 0 || field.rfind("lastupdate", 0) == 0;
}

std::string upper(const std::string &s) {
  std::string out;
  for (char c : s)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void listFields(std::ostringstream &h, const std::string &object,
                const std::vector<rt::FieldSpec> &fields) {
  std::string line;
  for (const rt::FieldSpec &f : fields) {
    if (isHidden(f.name))
      continue;
    std::string item = "\"" + object + "." + f.name + "\"";
    if (f.scope != "element")
      item += " (@" + f.scope + ")";
    if (!line.empty() && line.size() + item.size() > 66) {
      h << " *       " << line << "\n";
      line.clear();
    }
    line += (line.empty() ? "" : ", ") + item;
  }
  if (!line.empty())
    h << " *       " << line << "\n";
}

void listParams(std::ostringstream &h, const std::string &object,
                const std::vector<rt::ParamSpec> &params) {
  for (const rt::ParamSpec &p : params) {
    if (isHidden(p.name)) // initial values' constants
      continue;
    h << " *       \"" << object << "." << p.name
      << "\" = " << rt::formatJsonNumber(p.value)
      << (p.unit.empty() || p.unit == "1" ? "" : " " + p.unit) << "\n";
  }
}
} // namespace

std::string hebb::networkHeader(const rt::NetworkSpec &spec,
                                const std::string &prefix) {
  std::ostringstream h;
  std::string guard = "HEBB_NETWORK_" + upper(prefix) + "_H";
  h << "/* The Hebb network '" << spec.name
    << "', compiled by hebbc -c. Do not edit.\n"
    << " *\n"
    << " * Link the object with the Hebb runtime:\n"
    << " *   cc app.c NETWORK.o -lhebb_runtime -lstdc++ -lm -lpthread\n"
    << " * and use it through hebb.h (docs/c-api.md):\n"
    << " *   hebb_network *net;\n"
    << " *   if (" << prefix
    << "_create(HEBB_DEFAULT_SEED, &net) != HEBB_OK) puts(hebb_last_error());\n"
    << " *\n";
  h << " * Time step " << rt::formatJsonNumber(spec.dt) << " s; seed "
    << spec.seed << " unless another is given.\n *\n";
  for (const rt::PopulationSpec &p : spec.populations) {
    h << " * Population " << p.name << ": " << p.size << " x " << p.model
      << "\n";
    listFields(h, p.name, p.fields);
    listParams(h, p.name, p.params);
  }
  for (const rt::ProjectionSpec &p : spec.projections) {
    h << " * Projection " << p.name << ": " << spec.populations[p.pre].name
      << " -> " << spec.populations[p.post].name << " (" << p.model << ")\n";
    listFields(h, p.name, p.fields);
    listParams(h, p.name, p.params);
  }
  if (!spec.signals.empty()) {
    h << " * Signals:";
    for (const auto &[name, value] : spec.signals)
      h << " \"" << name << "\"";
    h << "\n";
  }
  if (!spec.records.empty()) {
    h << " * Records:\n";
    for (size_t i = 0; i < spec.records.size(); ++i)
      h << " *       " << i << " \"" << spec.records[i].label << "\" ("
        << (spec.records[i].kind == rt::RecordSpec::Spikes ? "spikes" : "state")
        << ")\n";
  }
  h << " */\n\n"
    << "#ifndef " << guard << "\n#define " << guard << "\n\n"
    << "#include <hebb/hebb.h>\n\n"
    << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
    << "extern const hebb_module " << prefix << "_module;\n\n"
    << "/* Builds the network with `seed` (HEBB_DEFAULT_SEED: the file's). */\n"
    << "static inline hebb_status " << prefix
    << "_create(uint64_t seed, hebb_network **out) {\n"
    << "  return hebb_network_create(&" << prefix << "_module, seed, out);\n"
    << "}\n\n"
    << "#ifdef __cplusplus\n}\n#endif\n\n"
    << "#endif /* " << guard << " */\n";
  return h.str();
}

//===----------------------------------------------------------------------===//
// Rules alone (--kernel)
//===----------------------------------------------------------------------===//

namespace {
/// One array of a kernel's manifest as the caller provides it.
struct CArray {
  std::string member; // in the arrays struct
  std::string type;   // element type
  std::string size;   // element count, a C expression
  std::string what;   // for the comment
};

std::string floatType(bool f64) { return f64 ? "double" : "float"; }

const rt::FieldSpec *findField(const std::vector<rt::FieldSpec> &fields,
                               const std::string &name) {
  for (const rt::FieldSpec &f : fields)
    if (f.name == name)
      return &f;
  return nullptr;
}
} // namespace

std::string hebb::kernelHeader(const rt::NetworkSpec &spec,
                               const std::string &prefix,
                               const std::string &modelName) {
  std::string P = upper(prefix);
  bool synapse = !spec.projections.empty();
  const rt::ProjectionSpec *proj = synapse ? &spec.projections[0] : nullptr;
  const rt::PopulationSpec &pop =
      synapse ? spec.populations[proj->post] : spec.populations[0];
  const rt::PopulationSpec *source =
      synapse ? &spec.populations[proj->pre] : nullptr;
  const std::vector<rt::ParamSpec> &params =
      synapse ? proj->params : pop.params;

  // The arrays of every kernel, each named once.
  std::vector<CArray> arrays;
  std::map<std::string, size_t> arrayOf; // manifest entry -> arrays index
  // "stream:<stage>": the key of a random stream (LowerToLoops), which the
  // header supplies rather than the caller.
  const std::string streamPrefix = "stream:";
  auto isStreamKey = [&](const std::string &entry) {
    return entry.rfind(streamPrefix, 0) == 0;
  };
  auto arrayFor = [&](const std::string &entry) -> std::optional<size_t> {
    if (entry == "events" || isStreamKey(entry))
      return std::nullopt;
    size_t colon = entry.find(':');
    std::string kind = entry.substr(0, colon);
    std::string name =
        colon == std::string::npos ? "" : entry.substr(colon + 1);
    CArray a;
    if (kind == "field" && synapse) {
      const rt::FieldSpec *f = findField(proj->fields, name);
      a.member = name;
      a.type = floatType(f && f->f64);
      a.size = f && f->scope == "pre"    ? P + "_N_PRE"
               : f && f->scope == "post" ? P + "_N_POST"
               : f && f->scope == "proj" ? "1"
                                         : P + "_N_SYNAPSES";
      a.what =
          "synapse state" +
          std::string(f && f->scope != "element" ? " (@" + f->scope + ")" : "");
    } else if (kind == "pre" || kind == "prev") {
      const rt::FieldSpec *f = findField(source->fields, name);
      a.member = "pre_" + name;
      a.type = floatType(f && f->f64);
      a.size = P + "_N_PRE";
      a.what = "presynaptic " + name;
    } else if (kind == "post") {
      const rt::FieldSpec *f = findField(pop.fields, name);
      a.member = "post_" + name;
      a.type = floatType(f && f->f64);
      a.size = P + "_N_POST";
      a.what = "postsynaptic " + name;
    } else if (kind == "field") {
      const rt::FieldSpec *f = findField(pop.fields, name);
      a.member = name;
      a.type = floatType(f && f->f64);
      a.size = P + "_SIZE";
      a.what = std::string(f && f->input ? "input" : "state") +
               " (inputs are sums the caller zeroes between steps)";
    } else if (entry == "spiked") {
      a = {"spiked", "uint8_t", P + "_SIZE",
           "set to 1 where the neuron spiked in the step"};
    } else if (entry == "refractory") {
      a = {"refractory", "float", P + "_SIZE",
           "steps of refractoriness left (start at 0)"};
    } else {
      a = {entry, "uint32_t", "0", "connectivity"};
    }
    for (size_t i = 0; i < arrays.size(); ++i)
      if (arrays[i].member == a.member) {
        arrayOf[entry] = i;
        return i;
      }
    arrays.push_back(a);
    arrayOf[entry] = arrays.size() - 1;
    return arrays.size() - 1;
  };
  using Stage = std::pair<std::string, std::vector<const rt::KernelSpec *>>;
  std::vector<Stage> stages;
  auto stage = [&](const std::string &name,
                   std::vector<const rt::KernelSpec *> kernels) {
    if (kernels.empty())
      return;
    for (const rt::KernelSpec *k : kernels)
      for (const std::string &entry : k->buffers)
        arrayFor(entry);
    stages.emplace_back(name, std::move(kernels));
  };
  auto list = [](const std::vector<rt::KernelSpec> &before,
                 const std::optional<rt::KernelSpec> &main) {
    std::vector<const rt::KernelSpec *> out;
    for (const rt::KernelSpec &k : before)
      out.push_back(&k);
    if (main)
      out.push_back(&*main);
    return out;
  };
  if (synapse) {
    stage("init", list(proj->init, std::nullopt));
    stage("transmit", list(proj->beforeTransmit, proj->transmit));
    stage("learn", list(proj->learn, std::nullopt));
    stage("on_pre", list(proj->beforeOnPre, proj->onPre));
    stage("on_post", list(proj->beforeOnPost, proj->onPost));
  } else {
    stage("init", list({}, pop.init));
    stage("step", list({}, pop.step));
  }

  std::ostringstream h;
  std::string guard = "HEBB_KERNEL_" + P + "_H";
  h << "/* The Hebb " << (synapse ? "synapse" : "neuron") << " model '"
    << modelName << "' as functions over your arrays, compiled by\n"
    << " * hebbc --kernel -c. Do not edit. Link the object with the Hebb "
       "runtime\n"
    << " * (-lhebb_runtime -lstdc++ -lm -lpthread); see docs/c-api.md.\n *\n";
  if (synapse)
    h << " * A dense layer: " << source->size << " presynaptic and " << pop.size
      << " postsynaptic neurons; synapse s = j * " << source->size << " + i\n"
      << " * joins presynaptic i to postsynaptic j (post-major).\n";
  else
    h << " * A population of " << pop.size << " neurons.\n";
  h << " * Each step, call the stages in the order of LANGUAGE.md section 4:\n";
  if (synapse)
    h << " * " << prefix << "_on_pre (with the presynaptic neurons whose spikes"
      << " arrive), " << prefix << "_transmit, your neurons, " << prefix
      << "_learn, " << prefix << "_on_post\n * (with the postsynaptic neurons"
      << " that spiked); the pre_ arrays hold the presynaptic\n * values "
      << "transmitted in the step. Stages the model lacks are absent.\n";
  else
    h << " * " << prefix << "_step integrates, tests spikes and resets.\n";
  h << " * Values are in SI units; `step` counts from 0 and, with `seed`, "
       "keys rand().\n */\n\n"
    << "#ifndef " << guard << "\n#define " << guard << "\n\n"
    << "#include <hebb/hebb.h>\n\n"
    << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
    << "#define " << P << "_DT " << rt::formatJsonNumber(spec.dt) << "\n";
  if (synapse)
    h << "#define " << P << "_N_PRE " << source->size << "\n"
      << "#define " << P << "_N_POST " << pop.size << "\n"
      << "#define " << P << "_N_SYNAPSES " << source->size * pop.size << "\n";
  else
    h << "#define " << P << "_SIZE " << pop.size << "\n";
  h << "\nextern const hebb_module " << prefix << "_module;\n\n";

  h << "/* Parameters in SI units; " << P
    << "_PARAMS_DEFAULT holds the model's defaults. */\n"
    << "typedef struct " << prefix << "_params {\n";
  for (const rt::ParamSpec &p : params)
    h << "  double " << p.name << ";"
      << (p.unit.empty() || p.unit == "1" ? "" : " /* " + p.unit + " */")
      << "\n";
  if (params.empty())
    h << "  double unused;\n";
  h << "} " << prefix << "_params;\n#define " << P << "_PARAMS_DEFAULT {";
  for (size_t i = 0; i < params.size(); ++i)
    h << (i ? ", " : "") << rt::formatJsonNumber(params[i].value);
  if (params.empty())
    h << "0";
  h << "}\n\n";

  bool hasSignals = !spec.signals.empty();
  if (hasSignals) {
    h << "/* The signals the model reads. */\ntypedef struct " << prefix
      << "_signals {\n";
    for (const auto &[name, value] : spec.signals)
      h << "  double " << name << ";\n";
    h << "} " << prefix << "_signals;\n\n";
  }

  h << "/* Your arrays, each of the size given. */\ntypedef struct " << prefix
    << "_arrays {\n";
  for (const CArray &a : arrays)
    h << "  " << a.type << " *" << a.member << "; /* [" << a.size << "] "
      << a.what << " */\n";
  h << "} " << prefix << "_arrays;\n\n";

  for (const auto &[name, kernels] : stages) {
    bool events = name == "on_pre" || name == "on_post";
    h << "static inline hebb_status " << prefix << "_" << name << "(const "
      << prefix << "_params *params,"
      << (hasSignals ? " const " + prefix + "_signals *signals," : "")
      << " const " << prefix << "_arrays *a, int64_t step, uint64_t seed"
      << (events ? ", const uint32_t *events, int64_t num_events" : "")
      << ") {\n"
      << "  hebb_status status = HEBB_OK;\n";
    for (const rt::KernelSpec *k : kernels) {
      std::string end;
      switch (k->domain) {
      case rt::KernelDomain::Neurons:
        end = P + "_SIZE";
        break;
      case rt::KernelDomain::PostRows:
      case rt::KernelDomain::PostNeurons:
        end = P + "_N_POST";
        break;
      case rt::KernelDomain::PreNeurons:
        end = P + "_N_PRE";
        break;
      case rt::KernelDomain::Synapses:
        end = P + "_N_SYNAPSES";
        break;
      case rt::KernelDomain::Projection:
        end = "1";
        break;
      case rt::KernelDomain::Events:
        end = "num_events";
        break;
      }
      h << "  {\n";
      // The keys of the kernel's random streams, as the runtime makes them.
      const std::string &instance = synapse ? proj->name : pop.name;
      for (size_t i = 0; i < k->buffers.size(); ++i)
        if (isStreamKey(k->buffers[i]))
          h << "    static const uint32_t key" << i << " = "
            << rt::streamId(instance + "." +
                            k->buffers[i].substr(streamPrefix.size()))
            << "u;\n";
      h << "    const hebb_array arrays[] = {";
      for (size_t i = 0; i < k->buffers.size(); ++i) {
        const std::string &entry = k->buffers[i];
        h << (i ? ", " : "");
        if (entry == "events")
          h << "{(void *)events, num_events}";
        else if (isStreamKey(entry))
          h << "{(void *)&key" << i << ", 1}";
        else
          h << "{(void *)a->" << arrays[arrayOf[entry]].member << ", "
            << arrays[arrayOf[entry]].size << "}";
      }
      if (k->buffers.empty())
        h << "{0, 0}";
      h << "};\n"
        << "    status = hebb_kernel_run(&" << prefix << "_module, \""
        << k->symbol << "\", (const double *)params, " << params.size() << ", "
        << (hasSignals ? "(const double *)signals, " +
                             std::to_string(spec.signals.size())
                       : std::string("0, 0"))
        << ", 0, " << end << ", step, " << P << "_DT, seed, arrays, "
        << k->buffers.size() << ");\n"
        << "    if (status != HEBB_OK)\n      return status;\n  }\n";
    }
    h << "  return status;\n}\n\n";
  }
  h << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return h.str();
}
