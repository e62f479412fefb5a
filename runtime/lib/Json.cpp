//===- Json.cpp - Minimal pretty-printing JSON writer ---------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Json.h"
#include "hebb/runtime/Error.h"

#include <charconv>
#include <cmath>

using namespace hebb::rt;

void hebb::rt::appendJsonString(std::string &out, const std::string &text) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (u < 0x20) {
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 0xF];
      } else {
        // Bytes >= 0x80 pass through: the text is taken to be UTF-8.
        out += c;
      }
    }
  }
  out += '"';
}

std::string hebb::rt::formatJsonNumber(double value) {
  if (!std::isfinite(value))
    return "null";
  // std::to_chars gives the shortest round-trip digits, independent of
  // locale. Integral values print in full ("1000", not "1e+03"); others in
  // %g style ("0.0001", "2.5e-07").
  char buffer[400];
  bool integral = std::fabs(value) < 0x1p53 && value == std::trunc(value);
  std::to_chars_result result = std::to_chars(
      buffer, buffer + sizeof(buffer), value,
      integral ? std::chars_format::fixed : std::chars_format::general);
  return std::string(buffer, result.ptr);
}

void JsonWriter::newline() {
  out += '\n';
  out.append(stack.size() * static_cast<size_t>(indent), ' ');
}

void JsonWriter::beforeValue(const char *what) {
  if (stack.empty()) {
    if (wroteRoot)
      throw RuntimeError(std::string("JsonWriter: ") + what +
                         " after the complete top-level value");
    wroteRoot = true;
    return;
  }
  Level &level = stack.back();
  if (level.isObject) {
    if (!level.haveKey)
      throw RuntimeError(std::string("JsonWriter: ") + what +
                         " inside an object without a preceding key()");
    level.haveKey = false;
    return;
  }
  if (!level.empty)
    out += ',';
  level.empty = false;
  newline();
}

JsonWriter &JsonWriter::key(const std::string &name) {
  if (stack.empty() || !stack.back().isObject)
    throw RuntimeError("JsonWriter: key('" + name + "') outside an object");
  Level &level = stack.back();
  if (level.haveKey)
    throw RuntimeError("JsonWriter: key('" + name +
                       "') directly after another key");
  if (!level.empty)
    out += ',';
  level.empty = false;
  level.haveKey = true;
  newline();
  appendJsonString(out, name);
  out += ": ";
  return *this;
}

JsonWriter &JsonWriter::beginObject() {
  beforeValue("beginObject()");
  out += '{';
  stack.push_back({true});
  return *this;
}

JsonWriter &JsonWriter::beginArray() {
  beforeValue("beginArray()");
  out += '[';
  stack.push_back({false});
  return *this;
}

void JsonWriter::close(bool isObject) {
  const char *name = isObject ? "endObject()" : "endArray()";
  if (stack.empty() || stack.back().isObject != isObject)
    throw RuntimeError(std::string("JsonWriter: ") + name +
                       " does not match the open container");
  if (stack.back().haveKey)
    throw RuntimeError(std::string("JsonWriter: ") + name +
                       " after a key() without a value");
  bool empty = stack.back().empty;
  stack.pop_back();
  if (!empty)
    newline();
  out += isObject ? '}' : ']';
}

JsonWriter &JsonWriter::endObject() {
  close(true);
  return *this;
}

JsonWriter &JsonWriter::endArray() {
  close(false);
  return *this;
}

JsonWriter &JsonWriter::value(const std::string &text) {
  beforeValue("value()");
  appendJsonString(out, text);
  return *this;
}

JsonWriter &JsonWriter::value(const char *text) {
  // A null pointer is written as JSON null rather than crashing.
  if (!text)
    return null();
  return value(std::string(text));
}

JsonWriter &JsonWriter::value(double number) {
  beforeValue("value()");
  out += formatJsonNumber(number);
  return *this;
}

JsonWriter &JsonWriter::value(bool flag) {
  beforeValue("value()");
  out += flag ? "true" : "false";
  return *this;
}

JsonWriter &JsonWriter::value(long long number) {
  beforeValue("value()");
  out += std::to_string(number);
  return *this;
}

JsonWriter &JsonWriter::value(unsigned long long number) {
  beforeValue("value()");
  out += std::to_string(number);
  return *this;
}

JsonWriter &JsonWriter::null() {
  beforeValue("null()");
  out += "null";
  return *this;
}

const std::string &JsonWriter::str() const {
  if (!complete())
    throw RuntimeError("JsonWriter: document is incomplete (" +
                       std::to_string(stack.size()) +
                       " container(s) still open)");
  return out;
}
