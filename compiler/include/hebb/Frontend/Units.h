//===- Units.h - Physical dimensions and units ------------------*- C++ -*-===//
//
// Every value is held in SI base units internally (s, V, A, S, F, ohm, mol/m^3
// for concentrations); a unit is a dimension plus a scale to SI.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_FRONTEND_UNITS_H
#define HEBB_FRONTEND_UNITS_H

#include "hebb/Frontend/AST.h"

#include <array>
#include <optional>
#include <string>

namespace hebb {

/// Exponents of the SI base dimensions m, kg, s, A, mol.
class Dimension {
public:
  enum Base { Metre, Kilogram, Second, Ampere, Mole, NumBases };

  Dimension() { exps.fill(0); }
  static Dimension none() { return {}; }
  static Dimension base(Base b) {
    Dimension d;
    d.exps[b] = 1;
    return d;
  }

  bool isDimensionless() const {
    for (int e : exps)
      if (e != 0)
        return false;
    return true;
  }
  Dimension operator*(const Dimension &o) const;
  Dimension operator/(const Dimension &o) const;
  Dimension pow(int n) const;
  bool operator==(const Dimension &o) const { return exps == o.exps; }
  bool operator!=(const Dimension &o) const { return !(*this == o); }
  int exponent(Base b) const { return exps[b]; }

  /// A readable name: "mV"-style names are not recoverable from a dimension,
  /// so this prints named SI units where they match (V, A, S, F, ohm, Hz, s)
  /// and base-unit products otherwise, e.g. "V/s".
  std::string str() const;

private:
  std::array<int, NumBases> exps;
};

/// A unit: a dimension and the factor that converts a value in it to SI.
struct Unit {
  Dimension dim;
  double scale = 1;
};

/// Looks up a unit name (`ms`, `mV`, `nS`, `Hz`, ...).
std::optional<Unit> lookupUnit(const std::string &name);

/// Evaluates a unit as written (`[mV/ms]`); reports the first unknown name
/// through `unknown` and returns nullopt.
std::optional<Unit> evaluateUnit(const ast::UnitText &text,
                                 const ast::UnitFactor **unknown);

/// The written form of a unit, for messages: "ms", "mV/ms".
std::string unitTextStr(const ast::UnitText &text);

} // namespace hebb

#endif // HEBB_FRONTEND_UNITS_H
