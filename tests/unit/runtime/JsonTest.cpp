//===- JsonTest.cpp - JSON writer -----------------------------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Json.h"
#include "hebb/runtime/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

using namespace hebb::rt;

namespace {

std::string quoted(const std::string &text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

TEST(JsonTest, Escaping) {
  EXPECT_EQ(quoted("plain"), "\"plain\"");
  EXPECT_EQ(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quoted("\n\t\r\b\f"), "\"\\n\\t\\r\\b\\f\"");
  EXPECT_EQ(quoted(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(quoted(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(quoted("caf\xc3\xa9 /"), "\"caf\xc3\xa9 /\""); // UTF-8 kept.
}

TEST(JsonTest, Numbers) {
  EXPECT_EQ(formatJsonNumber(1.0), "1");
  EXPECT_EQ(formatJsonNumber(0.1), "0.1");
  EXPECT_EQ(formatJsonNumber(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(formatJsonNumber(1000.0), "1000");
  EXPECT_EQ(formatJsonNumber(-0.0), "-0");
  EXPECT_EQ(formatJsonNumber(1e-4), "0.0001");
  EXPECT_EQ(formatJsonNumber(1e300), "1e+300");
  EXPECT_EQ(formatJsonNumber(std::nan("")), "null");
  EXPECT_EQ(formatJsonNumber(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(formatJsonNumber(-std::numeric_limits<double>::infinity()), "null");
  for (double v : {1.0 / 3, 6.02214076e23, 5e-324, 0.30000000000000004,
                   123456789.125, 1e22, -1.7976931348623157e308})
    EXPECT_EQ(std::strtod(formatJsonNumber(v).c_str(), nullptr), v);
}

TEST(JsonTest, NestedPrettyPrinting) {
  JsonWriter json;
  json.beginObject();
  json.field("name", "net \"a\"");
  json.field("steps", 1000);
  json.field("dt", 1e-4);
  json.field("ok", true);
  json.key("nothing").null();
  json.key("list").beginArray().value(1).value(2.5).value("x").endArray();
  json.key("empty").beginArray().endArray();
  json.key("obj").beginObject().field("big", uint64_t(1) << 63).endObject();
  json.key("none").beginObject().endObject();
  json.endObject();
  EXPECT_EQ(json.str(), R"({
  "name": "net \"a\"",
  "steps": 1000,
  "dt": 0.0001,
  "ok": true,
  "nothing": null,
  "list": [
    1,
    2.5,
    "x"
  ],
  "empty": [],
  "obj": {
    "big": 9223372036854775808
  },
  "none": {}
})");
}

TEST(JsonTest, ScalarDocumentAndNaN) {
  JsonWriter json;
  json.value(std::nan(""));
  EXPECT_EQ(json.str(), "null");
  JsonWriter array(4);
  array.beginArray().value(int64_t(-5)).value(false).endArray();
  EXPECT_EQ(array.str(), "[\n    -5,\n    false\n]");
}

TEST(JsonTest, MisuseThrows) {
  {
    JsonWriter json;
    json.beginObject();
    EXPECT_THROW(json.value(1), RuntimeError); // No key.
    EXPECT_THROW(json.endArray(), RuntimeError);
    EXPECT_THROW(json.str(), RuntimeError); // Incomplete.
    json.key("k");
    EXPECT_THROW(json.key("k2"), RuntimeError);
    EXPECT_THROW(json.endObject(), RuntimeError);
  }
  {
    JsonWriter json;
    EXPECT_THROW(json.key("top"), RuntimeError);
    json.beginArray();
    EXPECT_THROW(json.key("k"), RuntimeError);
    json.endArray();
    EXPECT_THROW(json.value(1), RuntimeError); // Second root value.
  }
}

} // namespace
