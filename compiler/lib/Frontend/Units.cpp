//===- Units.cpp - Physical dimensions and units --------------------------===//

#include "hebb/Frontend/Units.h"

#include <cmath>
#include <map>
#include <sstream>
#include <vector>

using namespace hebb;

Dimension Dimension::operator*(const Dimension &o) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.exps[i] = exps[i] + o.exps[i];
  return d;
}

Dimension Dimension::operator/(const Dimension &o) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.exps[i] = exps[i] - o.exps[i];
  return d;
}

Dimension Dimension::pow(int n) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.exps[i] = exps[i] * n;
  return d;
}

namespace {
Dimension make(int m, int kg, int s, int a, int mol = 0) {
  Dimension d;
  d = d * Dimension::base(Dimension::Metre).pow(m);
  d = d * Dimension::base(Dimension::Kilogram).pow(kg);
  d = d * Dimension::base(Dimension::Second).pow(s);
  d = d * Dimension::base(Dimension::Ampere).pow(a);
  d = d * Dimension::base(Dimension::Mole).pow(mol);
  return d;
}

const Dimension kTime = make(0, 0, 1, 0);
const Dimension kFrequency = make(0, 0, -1, 0);
const Dimension kVoltage = make(2, 1, -3, -1);
const Dimension kCurrent = make(0, 0, 0, 1);
const Dimension kConductance = make(-2, -1, 3, 2);
const Dimension kResistance = make(2, 1, -3, -2);
const Dimension kCapacitance = make(-2, -1, 4, 2);
const Dimension kAmount = make(0, 0, 0, 0, 1);
const Dimension kConcentration = make(-3, 0, 0, 0, 1);

const std::map<std::string, Unit> &unitTable() {
  static const std::map<std::string, Unit> table = {
      {"s", {kTime, 1}},
      {"ms", {kTime, 1e-3}},
      {"us", {kTime, 1e-6}},
      {"Hz", {kFrequency, 1}},
      {"kHz", {kFrequency, 1e3}},
      {"V", {kVoltage, 1}},
      {"mV", {kVoltage, 1e-3}},
      {"uV", {kVoltage, 1e-6}},
      {"A", {kCurrent, 1}},
      {"mA", {kCurrent, 1e-3}},
      {"uA", {kCurrent, 1e-6}},
      {"nA", {kCurrent, 1e-9}},
      {"pA", {kCurrent, 1e-12}},
      {"S", {kConductance, 1}},
      {"mS", {kConductance, 1e-3}},
      {"uS", {kConductance, 1e-6}},
      {"nS", {kConductance, 1e-9}},
      {"pS", {kConductance, 1e-12}},
      {"ohm", {kResistance, 1}},
      {"kohm", {kResistance, 1e3}},
      {"Mohm", {kResistance, 1e6}},
      {"Gohm", {kResistance, 1e9}},
      {"F", {kCapacitance, 1}},
      {"uF", {kCapacitance, 1e-6}},
      {"nF", {kCapacitance, 1e-9}},
      {"pF", {kCapacitance, 1e-12}},
      {"mol", {kAmount, 1}},
      // 1 mM = 1 mol/m^3.
      {"mM", {kConcentration, 1}},
      {"uM", {kConcentration, 1e-3}},
  };
  return table;
}
} // namespace

std::optional<Unit> hebb::lookupUnit(const std::string &name) {
  auto it = unitTable().find(name);
  if (it == unitTable().end())
    return std::nullopt;
  return it->second;
}

std::optional<Unit> hebb::evaluateUnit(const ast::UnitText &text,
                                       const ast::UnitFactor **unknown) {
  Unit result;
  for (const ast::UnitFactor &factor : text) {
    std::optional<Unit> u = lookupUnit(factor.name);
    if (!u) {
      if (unknown)
        *unknown = &factor;
      return std::nullopt;
    }
    result.dim = result.dim * u->dim.pow(factor.exponent);
    result.scale *= std::pow(u->scale, factor.exponent);
  }
  return result;
}

std::string hebb::unitTextStr(const ast::UnitText &text) {
  std::string out;
  bool first = true;
  for (const ast::UnitFactor &f : text) {
    if (!first)
      out += f.exponent < 0 ? "/" : "*";
    else if (f.exponent < 0)
      out += "1/";
    out += f.name;
    int e = f.exponent < 0 && !first ? -f.exponent : std::abs(f.exponent);
    if (e != 1)
      out += "^" + std::to_string(e);
    first = false;
  }
  return out.empty() ? "1" : out;
}

std::string Dimension::str() const {
  if (isDimensionless())
    return "1";
  struct Named {
    const char *name;
    Dimension dim;
  };
  static const std::vector<Named> named = {
      {"s", kTime},        {"Hz", kFrequency},  {"V", kVoltage},
      {"A", kCurrent},     {"S", kConductance}, {"ohm", kResistance},
      {"F", kCapacitance}, {"mol", kAmount},    {"mol/m^3", kConcentration},
  };
  for (const Named &n : named)
    if (n.dim == *this)
      return n.name;
  // A named unit over or times a power of seconds reads best: V/s, A*s.
  for (const Named &n : named) {
    Dimension rest = *this / n.dim;
    bool onlyTime = true;
    for (int b = 0; b < NumBases; ++b)
      if (b != Second && rest.exponent(Base(b)) != 0)
        onlyTime = false;
    if (!onlyTime || n.dim == kTime || n.dim == kFrequency)
      continue;
    int e = rest.exponent(Second);
    std::ostringstream os;
    os << n.name << (e < 0 ? "/s" : "*s");
    if (std::abs(e) != 1)
      os << "^" << std::abs(e);
    return os.str();
  }
  static const char *baseNames[] = {"m", "kg", "s", "A", "mol"};
  std::ostringstream os;
  bool first = true;
  for (int b = 0; b < NumBases; ++b) {
    if (exps[b] == 0)
      continue;
    if (!first)
      os << "*";
    os << baseNames[b];
    if (exps[b] != 1)
      os << "^" << exps[b];
    first = false;
  }
  return os.str();
}
