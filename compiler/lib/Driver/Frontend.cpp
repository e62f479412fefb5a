//===- Frontend.cpp - What the tools share before code generation ---------===//

#include "hebb/Driver/Frontend.h"
#include "hebb/Frontend/Units.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

using namespace hebb;

#ifndef HEBB_STDLIB_DIR
#error "HEBB_STDLIB_DIR must name the standard library's folder"
#endif

std::vector<std::string> hebb::importSearchPath() {
  std::vector<std::string> path;
  if (const char *env = std::getenv("HEBB_PATH")) {
    std::stringstream ss(env);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (!dir.empty())
        path.push_back(dir);
  }
  // An installed tool finds the stdlib installed beside it; a tool in the
  // build tree, the source's.
  std::error_code ec;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path installed =
        exe.parent_path().parent_path() / "share" / "hebb" / "stdlib";
    if (std::filesystem::is_directory(installed, ec))
      path.push_back(installed.string());
  }
  path.push_back(HEBB_STDLIB_DIR);
  return path;
}

std::optional<Setting> hebb::parseQuantity(const std::string &what,
                                           const std::string &value,
                                           std::string &error) {
  const char *begin = value.c_str();
  char *end = nullptr;
  double number = std::strtod(begin, &end);
  if (end == begin) {
    error = what + ": '" + value + "' is not a number";
    return std::nullopt;
  }
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  unit.erase(unit.find_last_not_of(' ') + 1);
  Setting setting{"", number, Dimension()};
  if (!unit.empty()) {
    std::optional<Unit> u = lookupUnit(unit);
    if (!u) {
      error = what + ": unknown unit '" + unit + "'";
      return std::nullopt;
    }
    setting.value *= u->scale;
    setting.dim = u->dim;
  }
  if (!std::isfinite(setting.value)) {
    error = what + ": '" + value + "' is not a finite number";
    return std::nullopt;
  }
  return setting;
}

std::optional<Setting> hebb::parseSetting(const std::string &text,
                                          std::string &error) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = "--set needs name=value, not '" + text + "'";
    return std::nullopt;
  }
  std::string name = text.substr(0, eq);
  std::optional<Setting> setting =
      parseQuantity("--set " + name, text.substr(eq + 1), error);
  if (setting)
    setting->name = name;
  return setting;
}

std::optional<std::vector<Setting>>
hebb::parseSettings(const std::vector<std::string> &settings,
                    const std::string &precision, DiagnosticEngine &diags) {
  if (precision != "f32" && precision != "f64") {
    diags.errorNoLoc("--precision must be f32 or f64");
    return std::nullopt;
  }
  std::vector<Setting> out;
  for (const std::string &text : settings) {
    std::string error;
    std::optional<Setting> setting = parseSetting(text, error);
    if (!setting) {
      diags.errorNoLoc(error);
      return std::nullopt;
    }
    out.push_back(*setting);
  }
  return out;
}
