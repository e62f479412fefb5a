//===- Repl.cpp - hebb repl: an interactive session -----------------------===//
//
// A session keeps what the user typed: files loaded, model declarations and
// the statements of one network, `session`. Each change is checked by
// building the session again from that text (parsing is cheap); an error
// leaves the session as it was. The network is compiled by an
// IncrementalCompiler, so only the populations and projections that changed
// are compiled again, and the running network takes over the state of the
// previous one.
//
//===----------------------------------------------------------------------===//

#include "Repl.h"

#include "hebb/Driver/Compiler.h"
#include "hebb/Driver/Frontend.h"
#include "hebb/Driver/RunReport.h"
#include "hebb/plot/Figures.h"
#include "hebb/runtime/Error.h"

#include <editline/readline.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace hebb;

namespace {
using Clock = std::chrono::steady_clock;

std::atomic<bool> interrupted{false};
void onInterrupt(int) { interrupted = true; }

const char *const kKeywords[] = {
    "import",     "neuron",    "synapse",    "func",       "var",
    "in",         "signal",    "on",         "pre",        "post",
    "spike",      "when",      "reset",      "refractory", "update",
    "integrate",  "constrain", "population", "projection", "let",
    "connect",    "init",      "record",     "every",      "run",
    "print",      "stats",     "set",        "save",       "load",
    ":load",      ":help",     ":quit",      ":emit",      "all",
    "one_to_one", "in_degree", "out_degree", "total",      "no_self",
    "delay",      "write",     "plot"};

const char *const kHelp = R"(Declarations, as in a .hebb file:
  neuron N(...) { ... }   synapse S(...) { ... }   func f(x) = ...
  import "file.hebb"
The session's network (statements as in a network block):
  population p[100]: Model(...) { init x = ... }
  projection c: p -> q : Synapse(...) { connect ... }
  record p.spikes    record c.w every 10 ms    signal reward = 0    let a = p[0:10]
Commands:
  run 500 ms            run the network (Ctrl-C stops at a step boundary)
  print p.v[0:10]       values of a state variable (a slice, or all)
  stats c.w             count, mean, std, min, max and a histogram
  set c.A_plus = 0.02   a parameter (or `set reward = 1`, a signal), from
                        the next step, without recompiling
  reset                 the network back to its initial state, time 0
  save FILE, load FILE  a checkpoint of the network's state
  write DIR             the records so far, as .npy files, with run.json
  plot DIR              write, then draw the records as PNG and SVG figures
  :load FILE.hebb       the declarations of a file
  :emit hebb|mlir|llvm|asm NAME   what the compiler makes of a population
                        or projection (or of the first one of a model)
  :help, :quit
)";

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string firstWord(const std::string &s) {
  std::string t = trim(s);
  size_t end = t.find_first_of(" \t({[");
  return t.substr(0, end);
}

/// Open braces minus closed ones, outside comments and strings: input
/// continues on the next line while this is positive.
int braceDepth(const std::string &text) {
  int depth = 0;
  bool inString = false, inComment = false;
  for (char c : text) {
    if (inComment) {
      inComment = c != '\n';
      continue;
    }
    if (inString) {
      inString = c != '"';
      continue;
    }
    if (c == '#')
      inComment = true;
    else if (c == '"')
      inString = true;
    else if (c == '{')
      ++depth;
    else if (c == '}')
      --depth;
  }
  return depth;
}

/// A time such as `500 ms` in seconds; nullopt if it is not one.
/// A number with an optional unit, in SI; `error` without the `--set`
/// wording of parseSetting.
std::optional<Setting> parseQuantity(const std::string &text,
                                     std::string &error) {
  std::optional<Setting> s = parseSetting("x=" + trim(text), error);
  const std::string prefix = "--set x: ";
  if (!s && error.rfind(prefix, 0) == 0)
    error = error.substr(prefix.size());
  return s;
}

std::optional<double> parseDuration(const std::string &text,
                                    std::string &error) {
  std::optional<Setting> s = parseQuantity(text, error);
  if (!s) {
    error = "'" + trim(text) + "' is not a time: " + error;
    return std::nullopt;
  }
  if (s->dim != Dimension::base(Dimension::Second)) {
    error = "'" + trim(text) + "' is not a time (write `run 500 ms`)";
    return std::nullopt;
  }
  return s->value;
}

/// `obj.var` or `obj.var[a:b]`.
struct Reference {
  std::string object, variable;
  std::optional<int64_t> begin, end;
};

std::optional<Reference> parseReference(const std::string &text,
                                        std::string &error) {
  std::string t = trim(text);
  Reference r;
  size_t bracket = t.find('[');
  std::string name = trim(t.substr(0, bracket));
  size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
    error = "expected object.variable, not '" + name + "'";
    return std::nullopt;
  }
  r.object = name.substr(0, dot);
  r.variable = name.substr(dot + 1);
  if (bracket != std::string::npos) {
    size_t close = t.find(']', bracket);
    size_t colon = t.find(':', bracket);
    if (close == std::string::npos || colon == std::string::npos ||
        colon > close) {
      error = "expected a slice such as [0:10]";
      return std::nullopt;
    }
    try {
      r.begin = std::stoll(t.substr(bracket + 1, colon - bracket - 1));
      r.end = std::stoll(t.substr(colon + 1, close - colon - 1));
    } catch (const std::exception &) {
      error = "expected a slice such as [0:10]";
      return std::nullopt;
    }
  }
  return r;
}

std::string formatValue(double v) {
  std::ostringstream os;
  os << std::setprecision(6) << v;
  return os.str();
}

/// A declaration chunk or a network statement, as typed.
struct Entry {
  std::string text;
  bool declaration = false;
};

class Session {
public:
  explicit Session(const ReplOptions &options)
      : options(options), compiler(compilerOptions(options)) {}

  /// Loads the files of the command line; false on error.
  bool start() {
    std::optional<std::vector<Setting>> sets =
        parseSettingsQuietly(options.settings);
    if (!sets)
      return false;
    for (const Setting &s : *sets) {
      if (s.name == "dt")
        dt = s.value;
      else if (s.name == "seed")
        seed = static_cast<uint64_t>(s.value);
      else {
        std::cerr << "hebb: error: repl --set takes dt and seed, not '"
                  << s.name << "'\n";
        return false;
      }
    }
    std::vector<std::string> candidate = files;
    candidate.insert(candidate.end(), options.files.begin(),
                     options.files.end());
    if (!rebuild(candidate, entries, /*fresh=*/false))
      return false;
    files = candidate;
    return true;
  }

  /// One input (a line, or several while braces were open). False on
  /// error, with the session unchanged.
  bool handle(const std::string &input) {
    std::string line = trim(input);
    if (line.empty() || line[0] == '#')
      return true;
    std::string word = firstWord(line);
    std::string rest = trim(line.substr(word.size()));
    if (word == ":quit" || word == ":q" || word == "exit") {
      quit = true;
      return true;
    }
    if (word == ":help") {
      std::cout << kHelp;
      return true;
    }
    if (word == ":load")
      return loadFile(unquote(rest));
    if (word == ":emit")
      return emit(rest);
    if (word == "run")
      return run(rest);
    if (word == "print")
      return print(rest);
    if (word == "stats")
      return stats(rest);
    if (word == "set")
      return set(rest);
    if (word == "reset")
      return rebuild(files, entries, /*fresh=*/true);
    if (word == "save" || word == "load")
      return checkpoint(word == "save", unquote(rest));
    if (word == "write")
      return writeRecords(unquote(rest));
    if (word == "plot")
      return writeRecords(unquote(rest), /*draw=*/true);
    bool declaration = word == "neuron" || word == "synapse" ||
                       word == "func" || word == "import";
    bool statement = word == "population" || word == "projection" ||
                     word == "record" || word == "signal" || word == "let";
    if (!declaration && !statement) {
      std::cerr << "hebb: error: unknown command '" << word
                << "' (:help lists them)\n";
      return false;
    }
    std::vector<Entry> candidate = entries;
    candidate.push_back(Entry{line, declaration});
    if (!rebuild(files, candidate, /*fresh=*/false))
      return false;
    entries = std::move(candidate);
    return true;
  }

  /// Candidates for tab completion of `word` in `line`.
  std::vector<std::string> complete(const std::string &word) const {
    std::vector<std::string> out;
    auto offer = [&](const std::string &c) {
      if (c.compare(0, word.size(), word) == 0)
        out.push_back(c);
    };
    size_t dot = word.find('.');
    if (dot != std::string::npos && network) {
      // Members of a population or projection: variables and parameters.
      std::string object = word.substr(0, dot);
      const rt::NetworkSpec &spec = network->networkSpec();
      auto members = [&](const std::vector<rt::FieldSpec> &fields,
                         const std::vector<rt::ParamSpec> &params) {
        for (const rt::FieldSpec &f : fields)
          if (f.name.rfind("__", 0) != 0 && f.name.rfind("lastupdate", 0))
            offer(object + "." + f.name);
        for (const rt::ParamSpec &p : params)
          if (p.name.rfind("__", 0) != 0) // initial values' constants
            offer(object + "." + p.name);
      };
      for (const rt::PopulationSpec &p : spec.populations)
        if (p.name == object) {
          members(p.fields, p.params);
          offer(object + ".spikes");
        }
      for (const rt::ProjectionSpec &p : spec.projections)
        if (p.name == object)
          members(p.fields, p.params);
      return out;
    }
    for (const char *k : kKeywords)
      offer(k);
    if (sema)
      for (const ast::Model *m : sema->models())
        offer(m->name);
    if (network) {
      for (const rt::PopulationSpec &p : network->networkSpec().populations)
        offer(p.name);
      for (const rt::ProjectionSpec &p : network->networkSpec().projections)
        offer(p.name);
      for (const auto &[name, value] : network->networkSpec().signals)
        offer(name);
    }
    return out;
  }

  bool quit = false;

private:
  static CompilerOptions compilerOptions(const ReplOptions &o) {
    CompilerOptions c;
    c.useF64 = o.precision == "f64";
    return c;
  }

  static std::string unquote(const std::string &s) {
    std::string t = trim(s);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"')
      return t.substr(1, t.size() - 2);
    return t;
  }

  std::optional<std::vector<Setting>>
  parseSettingsQuietly(const std::vector<std::string> &texts) {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    return parseSettings(texts, options.precision, diags);
  }

  /// The source of the session's network.
  std::string networkSource(const std::vector<Entry> &all) const {
    std::ostringstream os;
    os.precision(17);
    os << "network session(dt = " << dt * 1e3 << " ms, seed = " << seed
       << ") {\n";
    for (const Entry &e : all)
      if (!e.declaration)
        os << "  " << e.text << "\n";
    os << "}\n";
    return os.str();
  }

  /// Checks and compiles the session made of `fileList` and `all`; on
  /// success it becomes the session, keeping the running network's state
  /// unless `fresh`. Diagnostics point into the lines typed.
  bool rebuild(const std::vector<std::string> &fileList,
               const std::vector<Entry> &all, bool fresh) {
    auto newSources = std::make_unique<SourceManager>();
    auto newDiags = std::make_unique<DiagnosticEngine>(*newSources);
    auto newSema =
        std::make_unique<Sema>(*newSources, *newDiags, importSearchPath());
    for (const std::string &f : fileList)
      if (!newSema->loadFile(f))
        return false;
    for (const Entry &e : all)
      if (e.declaration && !newSema->loadBuffer("<input>", e.text))
        return false;
    bool hasNetwork = std::any_of(
        all.begin(), all.end(), [](const Entry &e) { return !e.declaration; });
    std::unique_ptr<rt::Network> newNetwork;
    std::optional<NetworkPlan> newPlan;
    if (hasNetwork) {
      if (!newSema->loadBuffer("<input>", networkSource(all)))
        return false;
      newPlan = newSema->elaborate("session", {});
      if (!newPlan)
        return false;
      IncrementalCompiler::Stats stats;
      std::optional<rt::NetworkSpec> spec =
          compiler.compile(*newSema, *newPlan, stats);
      if (!spec)
        return false;
      try {
        newNetwork = std::make_unique<rt::Network>(std::move(*spec));
        if (network && !fresh)
          newNetwork->adoptState(*network);
      } catch (const rt::RuntimeError &e) {
        std::cerr << "hebb: error: " << e.what() << "\n";
        return false;
      }
      if (!stats.compiled.empty() || fresh) {
        std::cout << "  network: "
                  << newNetwork->networkSpec().populations.size()
                  << " populations, "
                  << newNetwork->networkSpec().projections.size()
                  << " projections";
        if (!stats.compiled.empty()) {
          std::cout << "; compiled";
          for (const std::string &n : stats.compiled)
            std::cout << " " << n;
          std::cout << " in " << std::fixed << std::setprecision(1)
                    << 1e3 * stats.seconds << " ms";
          std::cout.unsetf(std::ios::fixed);
        }
        if (stats.reused > 0)
          std::cout << ", " << stats.reused << " unchanged";
        std::cout << (fresh ? "; reset to t = 0" : "") << "\n";
      }
    }
    sources = std::move(newSources);
    diags = std::move(newDiags);
    sema = std::move(newSema);
    plan = std::move(newPlan);
    network = std::move(newNetwork);
    return true;
  }

  bool loadFile(const std::string &path) {
    std::vector<std::string> candidate = files;
    candidate.push_back(path);
    if (!rebuild(candidate, entries, false))
      return false;
    files = std::move(candidate);
    return true;
  }

  bool needNetwork() {
    if (network)
      return true;
    std::cerr << "hebb: error: the session has no network yet (add a "
                 "population)\n";
    return false;
  }

  bool run(const std::string &rest) {
    std::string error;
    std::optional<double> seconds = parseDuration(rest, error);
    if (!seconds) {
      std::cerr << "hebb: error: " << error << "\n";
      return false;
    }
    if (!needNetwork())
      return false;
    int64_t steps = static_cast<int64_t>(
        std::llround(*seconds / network->networkSpec().dt));
    interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    bool tty = isatty(STDERR_FILENO);
    auto start = Clock::now(), lastReport = start;
    double t0 = network->time();
    int64_t done = 0;
    try {
      for (; done < steps && !interrupted; ++done) {
        network->step();
        if (tty && (done & 255) == 0 &&
            Clock::now() - lastReport > std::chrono::milliseconds(200)) {
          lastReport = Clock::now();
          double wall =
              std::chrono::duration<double>(lastReport - start).count();
          std::cerr << "\r  t = " << formatValue(network->time()) << " s ("
                    << std::fixed << std::setprecision(0)
                    << 100.0 * done / steps << "%, " << std::setprecision(1)
                    << (network->time() - t0) / std::max(wall, 1e-9)
                    << "x real time)   " << std::flush;
          std::cerr.unsetf(std::ios::fixed);
        }
      }
    } catch (const std::exception &e) {
      std::signal(SIGINT, previous);
      std::cerr << "\nhebb: error: " << e.what() << "\n";
      return false;
    }
    std::signal(SIGINT, previous);
    double wall = std::chrono::duration<double>(Clock::now() - start).count();
    if (tty && wall > 0.2)
      std::cerr << "\r" << std::string(60, ' ') << "\r";
    std::cout << (interrupted ? "  interrupted at t = " : "  t = ")
              << formatValue(network->time()) << " s (ran "
              << formatValue(done * network->networkSpec().dt) << " s in "
              << std::fixed << std::setprecision(3) << 1e3 * wall << " ms)\n";
    std::cout.unsetf(std::ios::fixed);
    return true;
  }

  /// The values of a state variable, or a population's spike count.
  std::optional<std::vector<double>> values(const Reference &r) {
    int pop = network->populationIndex(r.object);
    int proj = network->projectionIndex(r.object);
    std::vector<double> v;
    if (pop >= 0)
      v = network->populationField(pop, r.variable);
    else if (proj >= 0)
      v = network->projectionField(proj, r.variable);
    if (pop < 0 && proj < 0) {
      std::cerr << "hebb: error: no population or projection '" << r.object
                << "'\n";
      return std::nullopt;
    }
    if (v.empty()) {
      std::cerr << "hebb: error: '" << r.object << "' has no variable '"
                << r.variable << "'\n";
      return std::nullopt;
    }
    if (r.begin) {
      if (*r.begin < 0 || *r.end > static_cast<int64_t>(v.size()) ||
          *r.begin > *r.end) {
        std::cerr << "hebb: error: [" << *r.begin << ":" << *r.end
                  << "] is outside " << r.object << "." << r.variable << " ("
                  << v.size() << " values)\n";
        return std::nullopt;
      }
      v = std::vector<double>(v.begin() + *r.begin, v.begin() + *r.end);
    }
    return v;
  }

  /// The values `print` and `stats` take: `obj.var` or `obj.var[a:b]`.
  std::optional<std::vector<double>> referenced(const std::string &rest) {
    std::string error;
    std::optional<Reference> r = parseReference(rest, error);
    if (!r) {
      std::cerr << "hebb: error: " << error << "\n";
      return std::nullopt;
    }
    if (!needNetwork())
      return std::nullopt;
    return values(*r);
  }

  bool print(const std::string &rest) {
    std::optional<std::vector<double>> v = referenced(rest);
    if (!v)
      return false;
    const size_t shown = 100;
    std::cout << "  [";
    for (size_t i = 0; i < v->size() && i < shown; ++i)
      std::cout << (i ? ", " : "") << formatValue((*v)[i]);
    if (v->size() > shown)
      std::cout << ", ... (" << v->size() << " values)";
    std::cout << "]\n";
    return true;
  }

  bool stats(const std::string &rest) {
    std::optional<std::vector<double>> v = referenced(rest);
    if (!v)
      return false;
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    for (double x : *v) {
      sum += x;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    double mean = sum / v->size(), var = 0;
    for (double x : *v)
      var += (x - mean) * (x - mean);
    // One line: ten bins from min to max, as block heights.
    static const char *const kBlocks[] = {" ", "▁", "▂", "▃", "▄",
                                          "▅", "▆", "▇", "█"};
    std::vector<size_t> bins(10, 0);
    for (double x : *v) {
      size_t b = hi > lo ? static_cast<size_t>((x - lo) / (hi - lo) * 10) : 0;
      bins[std::min<size_t>(b, 9)]++;
    }
    size_t most = *std::max_element(bins.begin(), bins.end());
    std::string bar;
    for (size_t n : bins)
      bar += kBlocks[n == 0 ? 0 : 1 + (n * 7) / std::max<size_t>(most, 1)];
    std::cout << "  count " << v->size() << "  mean " << formatValue(mean)
              << "  std " << formatValue(std::sqrt(var / v->size())) << "  min "
              << formatValue(lo) << "  max " << formatValue(hi) << "\n  "
              << formatValue(lo) << " |" << bar << "| " << formatValue(hi)
              << "\n";
    return true;
  }

  bool set(const std::string &rest) {
    size_t eq = rest.find('=');
    if (eq == std::string::npos) {
      std::cerr << "hebb: error: expected `set name = value`\n";
      return false;
    }
    std::string name = trim(rest.substr(0, eq));
    std::string error;
    std::optional<Setting> value = parseQuantity(rest.substr(eq + 1), error);
    if (!value) {
      std::cerr << "hebb: error: " << error << "\n";
      return false;
    }
    if (!needNetwork())
      return false;
    const rt::NetworkSpec &spec = network->networkSpec();
    size_t dot = name.find('.');
    if (dot == std::string::npos) {
      for (const auto &[signal, initial] : spec.signals)
        if (signal == name) {
          network->setSignal(name, value->value);
          return true;
        }
      std::cerr << "hebb: error: no signal '" << name << "'\n";
      return false;
    }
    std::string object = name.substr(0, dot), param = name.substr(dot + 1);
    auto unitOf = [&]() -> std::optional<std::string> {
      for (const rt::PopulationSpec &p : spec.populations)
        if (p.name == object)
          for (const rt::ParamSpec &ps : p.params)
            if (ps.name == param)
              return ps.unit;
      for (const rt::ProjectionSpec &p : spec.projections)
        if (p.name == object)
          for (const rt::ParamSpec &ps : p.params)
            if (ps.name == param)
              return ps.unit;
      return std::nullopt;
    };
    std::optional<std::string> unit = unitOf();
    if (!unit) {
      std::cerr << "hebb: error: no parameter '" << name << "'\n";
      return false;
    }
    std::string given = value->dim.str();
    if (given != *unit &&
        !(value->dim.isDimensionless() && (unit->empty() || *unit == "1"))) {
      std::cerr << "hebb: error: '" << name << "' is in " << *unit << ", not "
                << given << "\n";
      return false;
    }
    network->setParameter(object, param, value->value);
    return true;
  }

  bool checkpoint(bool save, const std::string &path) {
    if (path.empty()) {
      std::cerr << "hebb: error: give a file name\n";
      return false;
    }
    if (!needNetwork())
      return false;
    try {
      if (save)
        network->saveCheckpoint(path);
      else
        network->loadCheckpoint(path);
    } catch (const std::exception &e) {
      std::cerr << "hebb: error: " << e.what() << "\n";
      return false;
    }
    std::cout << (save ? "  saved " : "  loaded ") << path
              << " (t = " << formatValue(network->time()) << " s)\n";
    return true;
  }

  /// Writes the records and run.json into `dir`; with `draw`, also their
  /// figures.
  bool writeRecords(const std::string &dir, bool draw = false) {
    if (dir.empty()) {
      std::cerr << "hebb: error: give a folder\n";
      return false;
    }
    if (!needNetwork())
      return false;
    try {
      RunInfo info;
      info.program = "<repl>";
      info.recordFiles = network->writeRecords(dir);
      writeRunJson(dir, *network, info);
      size_t files = 1;
      for (const auto &record : info.recordFiles)
        files += record.size();
      std::cout << "  wrote " << files << " files to " << dir << "/\n";
      if (draw) {
        std::vector<std::string> figures = plot::plotRun(dir);
        std::cout << "  drew " << figures.size() / 2
                  << (figures.size() == 2 ? " figure:" : " figures:");
        for (size_t k = 0; k < figures.size(); k += 2)
          std::cout << " "
                    << figures[k].substr(figures[k].find_last_of('/') + 1);
        std::cout << " (and .svg)\n";
      }
    } catch (const std::exception &e) {
      std::cerr << "hebb: error: " << e.what() << "\n";
      return false;
    }
    return true;
  }

  bool emit(const std::string &rest) {
    std::istringstream in(rest);
    std::string stageName, name;
    in >> stageName >> name;
    std::optional<EmitStage> stage;
    if (stageName == "hebb")
      stage = EmitStage::Hebb;
    else if (stageName == "mlir")
      stage = EmitStage::MLIR;
    else if (stageName == "llvm")
      stage = EmitStage::LLVM;
    else if (stageName == "asm")
      stage = EmitStage::Asm;
    if (!stage || name.empty()) {
      std::cerr << "hebb: error: expected `:emit hebb|mlir|llvm|asm NAME` "
                   "with NAME a population or projection\n";
      return false;
    }
    if (!needNetwork() || !sema || !plan)
      return false;
    // A model's name stands for the first population or projection of it.
    const rt::NetworkSpec &spec = network->networkSpec();
    for (const rt::PopulationSpec &p : spec.populations)
      if (p.model == name && network->populationIndex(name) < 0) {
        name = p.name;
        break;
      }
    for (const rt::ProjectionSpec &p : spec.projections)
      if (p.model == name && network->projectionIndex(name) < 0) {
        name = p.name;
        break;
      }
    return compiler.emit(*sema, *plan, *stage, name, std::cout);
  }

  ReplOptions options;
  IncrementalCompiler compiler;
  double dt = 1e-4;
  uint64_t seed = 1;
  std::vector<std::string> files;
  std::vector<Entry> entries;
  // The last good build: its sources outlive the Sema that refers to them.
  std::unique_ptr<SourceManager> sources;
  std::unique_ptr<DiagnosticEngine> diags;
  std::unique_ptr<Sema> sema;
  std::optional<NetworkPlan> plan;
  std::unique_ptr<rt::Network> network;
};

Session *completingSession = nullptr;

char *completionGenerator(const char *text, int state) {
  static std::vector<std::string> matches;
  static size_t next;
  if (state == 0) {
    matches = completingSession->complete(text);
    next = 0;
  }
  if (next >= matches.size())
    return nullptr;
  return strdup(matches[next++].c_str());
}

char **complete(const char *text, int, int) {
  rl_attempted_completion_over = 1; // no file names
  return rl_completion_matches(text, completionGenerator);
}

std::string historyPath() {
  const char *home = std::getenv("HOME");
  return home ? std::string(home) + "/.hebb_history" : ".hebb_history";
}
} // namespace

int hebb::runRepl(const ReplOptions &options) {
  Session session(options);
  if (!session.start())
    return 1;
  bool interactive = options.batchFile.empty() && isatty(STDIN_FILENO);
  std::ifstream batch;
  if (!options.batchFile.empty()) {
    batch.open(options.batchFile);
    if (!batch) {
      std::cerr << "hebb: error: cannot read '" << options.batchFile << "'\n";
      return 1;
    }
  }
  std::istream &script = options.batchFile.empty() ? std::cin : batch;
  if (interactive) {
    completingSession = &session;
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters =
        const_cast<char *>(" \t\n\"(){}[],=:;+-*/<>");
    using_history();
    read_history(historyPath().c_str());
    std::cout << "Hebb "
              << "0.1 session: declarations, network statements "
              << "and commands; :help lists them.\n";
  }
  std::string pending;
  while (!session.quit) {
    std::string line;
    if (interactive) {
      char *raw = readline(pending.empty() ? "hebb> " : "  ... ");
      if (!raw)
        break; // end of input (Ctrl-D)
      line = raw;
      std::free(raw);
      if (!trim(line).empty())
        add_history(line.c_str());
    } else if (!std::getline(script, line)) {
      break;
    }
    pending += line + "\n";
    if (braceDepth(pending) > 0)
      continue;
    bool ok = session.handle(pending);
    pending.clear();
    if (!ok && !interactive)
      return 1; // a script stops at its first error
  }
  if (!trim(pending).empty()) {
    std::cerr << "hebb: error: input ends inside braces\n";
    if (!interactive)
      return 1;
  }
  if (interactive)
    write_history(historyPath().c_str());
  return 0;
}
