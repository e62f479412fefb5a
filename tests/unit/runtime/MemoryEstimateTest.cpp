//===- MemoryEstimateTest.cpp - What records will hold -------------------===//

#include "hebb/runtime/MemoryEstimate.h"
#include "hebb/runtime/Network.h"

#include <gtest/gtest.h>

using namespace hebb::rt;

namespace {
double recordBytes(const NetworkSpec &spec) {
  for (const MemoryItem &item : estimateMemory(spec).items)
    if (item.what == "state records")
      return item.bytes;
  return 0;
}
} // namespace

// A variable sampled every step keeps a float per neuron and a step per
// sample; a monitor one double per sample; a record `at end` a phase one
// sample per end of that phase, however long the run.
TEST(MemoryEstimate, RecordsHoldWhatTheyWillSample) {
  NetworkSpec spec;
  PopulationSpec pop;
  pop.name = "p";
  pop.size = 1000;
  spec.populations.push_back(pop);
  for (int k = 0; k < 3; ++k) {
    ScheduleStep run;
    run.kind = ScheduleStep::Run;
    run.steps = 1000;
    spec.schedule.push_back(run);
    ScheduleStep end;
    end.kind = ScheduleStep::EndPhase;
    end.signal = "trial";
    spec.schedule.push_back(end);
  }
  RecordSpec state;
  state.kind = RecordSpec::PopulationState;
  state.object = 0;
  state.end = 1000;
  state.field = "r";
  state.everySteps = 10;
  spec.records = {state};
  EXPECT_EQ(recordBytes(spec), (3000 / 10 + 1) * (8 + 4 * 1000.0));

  RecordSpec monitor = state;
  monitor.monitor = "active_fraction";
  spec.records = {monitor};
  EXPECT_EQ(recordBytes(spec), (3000 / 10 + 1) * (8 + 8.0));

  RecordSpec atEnd = state;
  atEnd.atPhaseEnd = "trial";
  spec.records = {atEnd};
  EXPECT_EQ(recordBytes(spec), 3 * (8 + 4 * 1000.0));
}
