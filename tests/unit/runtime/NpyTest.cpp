//===- NpyTest.cpp - NumPy .npy reading and writing -----------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "hebb/runtime/Error.h"
#include "hebb/runtime/Npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

using namespace hebb::rt;
using namespace hebb::rt::test;

namespace {

std::string dataFile(const std::string &name) {
  return std::string(HEBB_TEST_DATA_DIR) + "/" + name;
}

/// Expects `fn` to throw RuntimeError whose message contains `needle`.
template <class Fn> void expectError(Fn fn, const std::string &needle) {
  try {
    fn();
    ADD_FAILURE() << "no RuntimeError thrown; expected '" << needle << "'";
  } catch (const RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what();
  }
}

template <class T>
void roundTrip(const TempDir &tmp, const std::vector<T> &values,
               const std::vector<int64_t> &shape) {
  std::string path = tmp.file("a.npy");
  writeNpy(path, values, shape);
  EXPECT_FALSE(fileExists(path + ".tmp"));
  NpyArray array = readNpy(path);
  EXPECT_EQ(array.dtype, NpyDtypeOf<T>::value);
  EXPECT_EQ(array.shape, shape);
  ASSERT_EQ(array.numElements(), int64_t(values.size()));
  const T *data = array.template as<T>();
  for (size_t n = 0; n < values.size(); ++n)
    EXPECT_EQ(data[n], values[n]) << n;
  // Data start is 64-byte aligned, as NumPy does it.
  std::string bytes = readBytes(path);
  EXPECT_EQ((bytes.size() - values.size() * sizeof(T)) % 64, 0u);
}

TEST(NpyTest, RoundTripEveryDtype) {
  TempDir tmp;
  roundTrip<float>(tmp, {1.5f, -2.0f, 3.25f, 1e-30f}, {4});
  roundTrip<double>(tmp, {1.0 / 3, -1e300}, {2});
  roundTrip<int32_t>(tmp, {std::numeric_limits<int32_t>::min(), 0, 7}, {3});
  roundTrip<int64_t>(tmp, {int64_t(1) << 62, -1}, {2});
  roundTrip<uint8_t>(tmp, {0, 128, 255}, {3});
  roundTrip<uint32_t>(tmp, {0xffffffffu, 1}, {2});
}

TEST(NpyTest, RoundTripShapes) {
  TempDir tmp;
  roundTrip<float>(tmp, {42.0f}, {});                     // 0-d.
  roundTrip<float>(tmp, {}, {0});                         // Empty 1-d.
  roundTrip<double>(tmp, {}, {3, 0});                     // Empty 2-d.
  roundTrip<int32_t>(tmp, {1, 2, 3, 4, 5, 6}, {2, 3});    // 2-d.
  roundTrip<int64_t>(tmp, {1, 2, 3, 4, 5, 6}, {1, 2, 3}); // 3-d.
}

TEST(NpyTest, HugeHeaderUsesVersion2) {
  TempDir tmp;
  std::vector<int64_t> shape(30000, 1); // Header over 64 KiB.
  roundTrip<uint8_t>(tmp, {9}, shape);
  EXPECT_EQ(readBytes(tmp.file("a.npy"))[6], 2);
  std::vector<int64_t> small = {2};
  roundTrip<uint8_t>(tmp, {1, 2}, small);
  EXPECT_EQ(readBytes(tmp.file("a.npy"))[6], 1);
}

TEST(NpyTest, BoolAndU1Spellings) {
  TempDir tmp;
  std::string path = tmp.file("b.npy");
  uint8_t flags[] = {1, 0, 1};
  writeNpy(path, "|b1", {3}, flags);
  NpyArray array = readNpy(path);
  EXPECT_EQ(array.dtype, "|b1");
  EXPECT_EQ(array.toDoubles(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(array.as<bool>()[1], false);
  // "<u1" is accepted and written as NumPy spells it.
  writeNpy(path, "<u1", {3}, flags);
  EXPECT_EQ(readNpy(path).dtype, "|u1");
}

TEST(NpyTest, ToDoublesConvertsEveryDtype) {
  TempDir tmp;
  std::string path = tmp.file("c.npy");
  writeNpy(path, std::vector<int32_t>{-1, 2});
  EXPECT_EQ(readNpy(path).toDoubles(), (std::vector<double>{-1, 2}));
  writeNpy(path, std::vector<uint32_t>{4000000000u});
  EXPECT_EQ(readNpy(path).toDoubles(), (std::vector<double>{4e9}));
  writeNpy(path, std::vector<float>{0.5f});
  EXPECT_EQ(readNpy(path).toDoubles(), (std::vector<double>{0.5}));
  writeNpy(path, std::vector<uint8_t>{200});
  EXPECT_EQ(readNpy(path).toDoubles(), (std::vector<double>{200}));
}

TEST(NpyTest, TypedAccessIsChecked) {
  TempDir tmp;
  std::string path = tmp.file("d.npy");
  writeNpy(path, std::vector<float>{1, 2});
  NpyArray array = readNpy(path);
  expectError([&] { array.as<double>(); }, "'<f4'");
  expectError([&] { array.as<int32_t>(); }, "accessed as '<i4'");
  expectError(
      [&] {
        writeNpy(path, std::vector<float>{1, 2}, {3});
      },
      "shape holds 3 elements but 2");
  expectError([&] { writeNpy(path, ">f4", {1}, "abcd"); },
              "unsupported npy dtype '>f4'");
}

TEST(NpyTest, ReadsNumPyFiles) {
  NpyArray f4 = readNpy(dataFile("numpy_f4_2x3.npy"));
  EXPECT_EQ(f4.dtype, "<f4");
  EXPECT_EQ(f4.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f4.toDoubles(), (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5}));

  NpyArray i8 = readNpy(dataFile("numpy_i8_1d.npy"));
  EXPECT_EQ(i8.shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(i8.as<int64_t>()[3], int64_t(1) << 40);
  EXPECT_EQ(i8.as<int64_t>()[0], -3);

  NpyArray b1 = readNpy(dataFile("numpy_b1_scalar.npy"));
  EXPECT_EQ(b1.dtype, "|b1");
  EXPECT_TRUE(b1.shape.empty());
  EXPECT_EQ(b1.numElements(), 1);
  EXPECT_TRUE(b1.as<bool>()[0]);

  NpyArray v2 = readNpy(dataFile("numpy_f8_v2.npy"));
  EXPECT_EQ(v2.toDoubles(), (std::vector<double>{1.5, -2.25, 1e300}));
}

TEST(NpyTest, HandMadeVersion3AndDoubleQuotes) {
  TempDir tmp;
  std::string dict = "{\"descr\": \"<i4\", \"fortran_order\": False, "
                     "\"shape\": (2,)}";
  std::string header = std::string("\x93NUMPY\x03\x00", 8);
  uint32_t len = uint32_t(dict.size() + 1);
  header.append(reinterpret_cast<const char *>(&len), 4);
  header += dict + "\n";
  int32_t values[] = {5, -6};
  header.append(reinterpret_cast<const char *>(values), sizeof(values));
  writeBytes(tmp.file("v3.npy"), header);
  NpyArray array = readNpy(tmp.file("v3.npy"));
  EXPECT_EQ(array.toDoubles(), (std::vector<double>{5, -6}));
}

TEST(NpyTest, MalformedFiles) {
  TempDir tmp;
  expectError([&] { readNpy(tmp.file("missing.npy")); }, "missing.npy");
  expectError([&] { readNpy(dataFile("numpy_u1_fortran.npy")); },
              "Fortran-ordered");

  writeBytes(tmp.file("magic.npy"), "PK\x03\x04 not numpy at all");
  expectError([&] { readNpy(tmp.file("magic.npy")); }, "bad magic");

  std::string good = readBytes(dataFile("numpy_f4_2x3.npy"));
  writeBytes(tmp.file("trunc.npy"), good.substr(0, good.size() - 3));
  expectError([&] { readNpy(tmp.file("trunc.npy")); }, "truncated data");
  writeBytes(tmp.file("trunch.npy"), good.substr(0, 40));
  expectError([&] { readNpy(tmp.file("trunch.npy")); }, "truncated header");

  std::string version = good;
  version[6] = 9;
  writeBytes(tmp.file("version.npy"), version);
  expectError([&] { readNpy(tmp.file("version.npy")); }, "version 9.0");

  std::string dtype = good;
  dtype.replace(dtype.find("<f4"), 3, "<c8");
  writeBytes(tmp.file("dtype.npy"), dtype);
  expectError([&] { readNpy(tmp.file("dtype.npy")); }, "'<c8'");

  std::string garbled = good;
  garbled.replace(garbled.find("'shape'"), 7, "'shapf'");
  writeBytes(tmp.file("key.npy"), garbled);
  expectError([&] { readNpy(tmp.file("key.npy")); }, "shapf");
}

TEST(NpyTest, FailedWriteLeavesNoFile) {
  TempDir tmp;
  std::string path = tmp.file("nodir/x.npy");
  expectError([&] { writeNpy(path, std::vector<float>{1}); }, "x.npy.tmp");
  EXPECT_FALSE(fileExists(path));
}

TEST(NpyTest, AppenderScalarsAndRows) {
  TempDir tmp;
  {
    NpyAppender out(tmp.file("s.npy"), "<f8");
    for (int n = 0; n < 5; ++n) {
      double v = n * 0.5;
      out.append(&v);
    }
    // Nothing appears under the final name until close.
    EXPECT_FALSE(fileExists(tmp.file("s.npy")));
    EXPECT_TRUE(fileExists(tmp.file("s.npy.tmp")));
    EXPECT_EQ(out.numRows(), 5);
  } // Destructor closes.
  EXPECT_FALSE(fileExists(tmp.file("s.npy.tmp")));
  NpyArray scalars = readNpy(tmp.file("s.npy"));
  EXPECT_EQ(scalars.shape, (std::vector<int64_t>{5}));
  EXPECT_EQ(scalars.toDoubles(), (std::vector<double>{0, 0.5, 1, 1.5, 2}));

  NpyAppender rows(tmp.file("r.npy"), "<i4", {2, 3});
  EXPECT_EQ(rows.rowSize(), 6);
  std::vector<int32_t> block(18);
  for (int n = 0; n < 18; ++n)
    block[n] = n;
  rows.appendRows(block.data(), 3);
  rows.append(block.data());
  rows.close();
  rows.close(); // Idempotent.
  EXPECT_THROW(rows.append(block.data()), RuntimeError);
  NpyArray array = readNpy(tmp.file("r.npy"));
  EXPECT_EQ(array.shape, (std::vector<int64_t>{4, 2, 3}));
  EXPECT_EQ(array.as<int32_t>()[17], 17);
  EXPECT_EQ(array.as<int32_t>()[18], 0);
}

TEST(NpyTest, AppenderEmptyAndDiscard) {
  TempDir tmp;
  { NpyAppender out(tmp.file("e.npy"), "|u1", {4}); }
  NpyArray empty = readNpy(tmp.file("e.npy"));
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(empty.dtype, "|u1");

  NpyAppender dropped(tmp.file("d.npy"), "<f4");
  float v = 1;
  dropped.append(&v);
  dropped.discard();
  EXPECT_FALSE(fileExists(tmp.file("d.npy")));
  EXPECT_FALSE(fileExists(tmp.file("d.npy.tmp")));
  EXPECT_FALSE(dropped.isOpen());

  expectError([&] { NpyAppender bad(tmp.file("b.npy"), "<f2"); }, "'<f2'");
}

} // namespace
