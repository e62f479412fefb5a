//===- Json.h - Minimal pretty-printing JSON writer -------------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//
//
// A small streaming JSON writer for run metadata and summaries. It checks
// nesting (a key only inside an object, every value in an object preceded by
// a key, balanced begin/end) and throws RuntimeError on misuse.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_JSON_H
#define HEBB_RUNTIME_JSON_H

#include <cstdint>
#include <string>
#include <vector>

namespace hebb::rt {

/// Appends `text` to `out` as a quoted, escaped JSON string.
void appendJsonString(std::string &out, const std::string &text);

/// Formats a double so that it parses back to the same value (shortest
/// round-trip form); NaN and infinities become `null`.
std::string formatJsonNumber(double value);

class JsonWriter {
public:
  /// `indent` spaces per nesting level.
  explicit JsonWriter(int indent = 2) : indent(indent) {}

  JsonWriter &beginObject();
  JsonWriter &endObject();
  JsonWriter &beginArray();
  JsonWriter &endArray();
  /// The key of the next value; only valid directly inside an object.
  JsonWriter &key(const std::string &name);

  JsonWriter &value(const std::string &text);
  JsonWriter &value(const char *text);
  JsonWriter &value(double number);
  JsonWriter &value(bool flag);
  // One overload per integer type, so that `value(1)` is not ambiguous.
  JsonWriter &value(int number) {
    return value(static_cast<long long>(number));
  }
  JsonWriter &value(long number) {
    return value(static_cast<long long>(number));
  }
  JsonWriter &value(long long number);
  JsonWriter &value(unsigned number) {
    return value(static_cast<unsigned long long>(number));
  }
  JsonWriter &value(unsigned long number) {
    return value(static_cast<unsigned long long>(number));
  }
  JsonWriter &value(unsigned long long number);
  JsonWriter &null();

  /// key(name) followed by value(v).
  template <class T> JsonWriter &field(const std::string &name, const T &v) {
    key(name);
    return value(v);
  }

  /// True once a single complete top-level value has been written.
  bool complete() const { return stack.empty() && wroteRoot; }
  /// The document so far; throws RuntimeError unless complete().
  const std::string &str() const;

private:
  struct Level {
    bool isObject;
    bool empty = true;
    bool haveKey = false;
  };
  void beforeValue(const char *what);
  void newline();
  void close(bool isObject);

  int indent;
  std::string out;
  std::vector<Level> stack;
  bool wroteRoot = false;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_JSON_H
