//===- CHeader.cpp - The C header of a compiled network -------------------===//
//
// `hebbc -c --header`: declares the object's hebb_module and a create
// function, and lists in comments what a host program can name through the
// C API (state arrays, parameters with their SI values, signals, records).
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/Compiler.h"
#include "hebb/runtime/Json.h"

#include <cctype>
#include <sstream>

using namespace hebb;

namespace {
/// Hidden fields the compiler adds (sums, event times) are not for hosts.
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
