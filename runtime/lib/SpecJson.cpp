//===- SpecJson.cpp - Network descriptions as JSON ------------------------===//

#include "hebb/runtime/SpecJson.h"
#include "hebb/runtime/Error.h"

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace hebb::rt {

NLOHMANN_JSON_SERIALIZE_ENUM(KernelDomain,
                             {{KernelDomain::Neurons, "neurons"},
                              {KernelDomain::Synapses, "synapses"},
                              {KernelDomain::PostRows, "post_rows"},
                              {KernelDomain::PreNeurons, "pre_neurons"},
                              {KernelDomain::PostNeurons, "post_neurons"},
                              {KernelDomain::Projection, "projection"},
                              {KernelDomain::Events, "events"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ConnectRule,
                             {{ConnectRule::All, "all"},
                              {ConnectRule::OneToOne, "one_to_one"},
                              {ConnectRule::Probability, "p"},
                              {ConnectRule::InDegree, "in_degree"},
                              {ConnectRule::OutDegree, "out_degree"},
                              {ConnectRule::Total, "total"},
                              {ConnectRule::File, "file"}})
NLOHMANN_JSON_SERIALIZE_ENUM(RecordSpec::Kind,
                             {{RecordSpec::Spikes, "spikes"},
                              {RecordSpec::PopulationState, "population"},
                              {RecordSpec::ProjectionState, "projection"}})
NLOHMANN_JSON_SERIALIZE_ENUM(SignalExpr::Kind,
                             {{SignalExpr::Constant, "constant"},
                              {SignalExpr::Signal, "signal"},
                              {SignalExpr::Mean, "mean"},
                              {SignalExpr::Sum, "sum"},
                              {SignalExpr::Count, "count"},
                              {SignalExpr::Unary, "unary"},
                              {SignalExpr::Binary, "binary"},
                              {SignalExpr::Call, "call"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ScheduleStep::Kind,
                             {{ScheduleStep::Run, "run"},
                              {ScheduleStep::SetSignal, "set"},
                              {ScheduleStep::EndPhase, "end_phase"}})

// Kernels are named by symbol; their entry points are bound at load time.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KernelSpec, symbol, buffers, domain,
                                   parallel)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FieldSpec, name, scope, input,
                                                f64, constant)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ParamSpec, name, value, unit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StreamSpec, file, everySteps, shuffle,
                                   advancePhase)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RecordSpec, kind, object, begin, end, field,
                                   everySteps, label, unit, monitor, atPhaseEnd)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SignalExpr, kind, value, index, field, begin,
                                   end, op, args)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SignalUpdate, signal, value, step,
                                   everySteps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ScheduleStep, kind, steps, signal, value,
                                   settleTolerance)

namespace {
template <typename T> json optionalToJson(const std::optional<T> &v) {
  return v ? json(*v) : json(nullptr);
}
template <typename T>
void optionalFromJson(const json &j, const char *key, std::optional<T> &v) {
  const json &x = j.at(key);
  if (x.is_null())
    v.reset();
  else
    v = x.get<T>();
}
} // namespace

void to_json(json &j, const PopulationSpec &p) {
  j = json{{"name", p.name},
           {"model", p.model},
           {"size", p.size},
           {"fields", p.fields},
           {"params", p.params},
           {"init", optionalToJson(p.init)},
           {"step", optionalToJson(p.step)},
           {"onEnd", p.onEnd},
           {"stream", optionalToJson(p.stream)},
           {"spiking", p.spiking}};
}
void from_json(const json &j, PopulationSpec &p) {
  j.at("name").get_to(p.name);
  j.at("model").get_to(p.model);
  j.at("size").get_to(p.size);
  j.at("fields").get_to(p.fields);
  j.at("params").get_to(p.params);
  optionalFromJson(j, "init", p.init);
  optionalFromJson(j, "step", p.step);
  j.at("onEnd").get_to(p.onEnd);
  optionalFromJson(j, "stream", p.stream);
  j.at("spiking").get_to(p.spiking);
}

void to_json(json &j, const ProjectionSpec &p) {
  j = json{{"name", p.name},
           {"model", p.model},
           {"pre", p.pre},
           {"post", p.post},
           {"preBegin", p.preBegin},
           {"preEnd", p.preEnd},
           {"postBegin", p.postBegin},
           {"postEnd", p.postEnd},
           {"fields", p.fields},
           {"params", p.params},
           {"connect", p.connect},
           {"dense", p.dense},
           {"tiedTo", p.tiedTo},
           {"connectValue", p.connectValue},
           {"connectFile", p.connectFile},
           {"noSelf", p.noSelf},
           {"delaySteps", p.delaySteps},
           {"synapseDelays", p.synapseDelays},
           {"init", p.init},
           {"learn", p.learn},
           {"onPre", optionalToJson(p.onPre)},
           {"onPost", optionalToJson(p.onPost)},
           {"transmit", optionalToJson(p.transmit)},
           {"beforeTransmit", p.beforeTransmit},
           {"beforeOnPre", p.beforeOnPre},
           {"beforeOnPost", p.beforeOnPost},
           {"learnTransmit", optionalToJson(p.learnTransmit)},
           {"delayRange", optionalToJson(p.delayRange)},
           {"onEnd", p.onEnd}};
}
void from_json(const json &j, ProjectionSpec &p) {
  j.at("name").get_to(p.name);
  j.at("model").get_to(p.model);
  j.at("pre").get_to(p.pre);
  j.at("post").get_to(p.post);
  j.at("preBegin").get_to(p.preBegin);
  j.at("preEnd").get_to(p.preEnd);
  j.at("postBegin").get_to(p.postBegin);
  j.at("postEnd").get_to(p.postEnd);
  j.at("fields").get_to(p.fields);
  j.at("params").get_to(p.params);
  j.at("connect").get_to(p.connect);
  j.at("dense").get_to(p.dense);
  j.at("tiedTo").get_to(p.tiedTo);
  j.at("connectValue").get_to(p.connectValue);
  j.at("connectFile").get_to(p.connectFile);
  j.at("noSelf").get_to(p.noSelf);
  j.at("delaySteps").get_to(p.delaySteps);
  p.synapseDelays = j.value("synapseDelays", false);
  j.at("init").get_to(p.init);
  j.at("learn").get_to(p.learn);
  optionalFromJson(j, "onPre", p.onPre);
  optionalFromJson(j, "onPost", p.onPost);
  optionalFromJson(j, "transmit", p.transmit);
  j.at("beforeTransmit").get_to(p.beforeTransmit);
  j.at("beforeOnPre").get_to(p.beforeOnPre);
  j.at("beforeOnPost").get_to(p.beforeOnPost);
  optionalFromJson(j, "learnTransmit", p.learnTransmit);
  optionalFromJson(j, "delayRange", p.delayRange);
  j.at("onEnd").get_to(p.onEnd);
}

std::string specToJson(const NetworkSpec &spec) {
  json j{{"format", kSpecFormatVersion},
         {"name", spec.name},
         {"dt", spec.dt},
         {"seed", spec.seed},
         {"params", spec.params},
         {"populations", spec.populations},
         {"projections", spec.projections},
         {"records", spec.records},
         {"signals", spec.signals},
         {"signalUpdates", spec.signalUpdates},
         {"schedule", spec.schedule}};
  return j.dump();
}

NetworkSpec specFromJson(const std::string &text) {
  NetworkSpec spec;
  try {
    json j = json::parse(text);
    int format = j.at("format").get<int>();
    if (format != kSpecFormatVersion)
      throw RuntimeError("network description format " +
                         std::to_string(format) + ", this runtime reads " +
                         std::to_string(kSpecFormatVersion));
    j.at("name").get_to(spec.name);
    j.at("dt").get_to(spec.dt);
    j.at("seed").get_to(spec.seed);
    j.at("params").get_to(spec.params);
    j.at("populations").get_to(spec.populations);
    j.at("projections").get_to(spec.projections);
    j.at("records").get_to(spec.records);
    j.at("signals").get_to(spec.signals);
    j.at("signalUpdates").get_to(spec.signalUpdates);
    j.at("schedule").get_to(spec.schedule);
  } catch (const json::exception &e) {
    throw RuntimeError(std::string("malformed network description: ") +
                       e.what());
  }
  return spec;
}

} // namespace hebb::rt
