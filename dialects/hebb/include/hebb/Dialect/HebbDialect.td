//===- HebbDialect.td - The hebb dialect -------------------*- tablegen -*-===//

#ifndef HEBB_DIALECT_TD
#define HEBB_DIALECT_TD

include "mlir/IR/OpBase.td"

def Hebb_Dialect : Dialect {
  let name = "hebb";
  let summary = "Neural networks that learn: populations, projections and "
                "the per-element bodies of their dynamics and plasticity";
  let description = [{
    A `hebb.population` or `hebb.projection` holds the declarations of one
    model instance (its parameters and per-element fields) and its stages:
    regions of scalar code that run once per element (neuron or synapse).
    Inside a stage, `hebb.get`/`hebb.set` read and write the element's state,
    `hebb.accumulate` adds into a postsynaptic input, and `arith`/`math`
    compute. Passes integrate `hebb.odes`, make event-driven traces lazy and
    lower every stage to loops over structure-of-arrays buffers.
  }];
  let cppNamespace = "::mlir::hebb";
}

class Hebb_Op<string mnemonic, list<Trait> traits = []>
    : Op<Hebb_Dialect, mnemonic, traits>;

#endif // HEBB_DIALECT_TD
