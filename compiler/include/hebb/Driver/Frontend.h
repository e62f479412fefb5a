//===- Frontend.h - What the tools share before code generation -*- C++ -*-===//

#ifndef HEBB_DRIVER_FRONTEND_H
#define HEBB_DRIVER_FRONTEND_H

#include "hebb/Frontend/Sema.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hebb {

/// Where `import` looks after the importing file's folder: each directory
/// of HEBB_PATH, then the standard library.
std::vector<std::string> importSearchPath();

/// Parses `--set name=value` (`value` a number with an optional unit, as
/// in the language: `tau=10ms`, `rate=20 Hz`, `w=[nS/mV]`-style units are
/// not taken) into the value in SI units and its dimension.
/// A number with an optional unit (`10s`, `20 Hz`) in SI units and its
/// dimension; `error` says why not, for the option named `what`.
std::optional<Setting> parseQuantity(const std::string &what,
                                     const std::string &text,
                                     std::string &error);

std::optional<Setting> parseSetting(const std::string &text,
                                    std::string &error);

/// The options the tools share: every `--set` and `--precision`. Reports
/// errors through `diags`; nullopt if there were any.
std::optional<std::vector<Setting>>
parseSettings(const std::vector<std::string> &settings,
              const std::string &precision, DiagnosticEngine &diags);

} // namespace hebb

#endif // HEBB_DRIVER_FRONTEND_H
