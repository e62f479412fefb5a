//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//
//
// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0 on
// read; 1.0 on write unless the header needs 2.0). Only little-endian,
// C-ordered arrays of the dtypes listed below are supported:
//   <f4 <f8 <i4 <i8 <u4 |u1 (also read as <u1) |b1
// Every writer goes through `<path>.tmp` and renames on success, so a failed
// write never leaves a partial file under the final name.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_NPY_H
#define HEBB_RUNTIME_NPY_H

#include "hebb/runtime/Error.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

namespace hebb::rt {

/// The dtype string of a C++ element type.
template <class T> struct NpyDtypeOf;
template <> struct NpyDtypeOf<float> {
  static constexpr const char *value = "<f4";
};
template <> struct NpyDtypeOf<double> {
  static constexpr const char *value = "<f8";
};
template <> struct NpyDtypeOf<int32_t> {
  static constexpr const char *value = "<i4";
};
template <> struct NpyDtypeOf<int64_t> {
  static constexpr const char *value = "<i8";
};
template <> struct NpyDtypeOf<uint8_t> {
  static constexpr const char *value = "|u1";
};
template <> struct NpyDtypeOf<uint32_t> {
  static constexpr const char *value = "<u4";
};
template <> struct NpyDtypeOf<bool> {
  static constexpr const char *value = "|b1";
};

/// Size in bytes of one element of a supported dtype; throws RuntimeError
/// for unsupported dtypes.
size_t npyElementSize(const std::string &dtype);

/// The canonical spelling of a supported dtype ("<u1" becomes "|u1", as
/// NumPy writes it); throws RuntimeError for unsupported dtypes.
std::string npyCanonicalDtype(const std::string &dtype);

/// An array read from a .npy file. `data` holds the raw little-endian bytes
/// in C order.
struct NpyArray {
  std::string dtype; ///< As stored in the file, e.g. "<f4".
  std::vector<int64_t> shape;
  std::vector<char> data;

  /// Product of the shape (1 for a 0-d array).
  int64_t numElements() const;

  /// Typed view of the data; throws RuntimeError unless T matches dtype.
  template <class T> const T *as() const {
    checkType(NpyDtypeOf<T>::value, sizeof(T));
    return reinterpret_cast<const T *>(data.data());
  }

  /// All elements converted to double, whatever the numeric dtype.
  std::vector<double> toDoubles() const;

private:
  void checkType(const char *wanted, size_t size) const;
};

/// Reads a .npy file; throws RuntimeError naming the file on any problem
/// (bad magic, unsupported version/dtype, Fortran order, truncated data).
NpyArray readNpy(const std::string &path);

/// Parses the bytes of a .npy file; `name` names it in errors.
NpyArray parseNpy(const std::string &bytes, const std::string &name);

/// The dtype and shape of a .npy file, without its data.
NpyArray readNpyHeader(const std::string &path);

/// Writes `data` (numElements(shape) elements of `dtype`, C order) to path.
void writeNpy(const std::string &path, const std::string &dtype,
              const std::vector<int64_t> &shape, const void *data);

/// Typed helper; the vector's size must equal the product of shape.
template <class T>
void writeNpy(const std::string &path, const std::vector<T> &values,
              const std::vector<int64_t> &shape) {
  static_assert(!std::is_same<T, bool>::value,
                "std::vector<bool> is bit-packed; use uint8_t with \"|b1\"");
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  if (count < 0 || static_cast<uint64_t>(count) != values.size())
    throw RuntimeError("writeNpy('" + path + "'): shape holds " +
                       std::to_string(count) + " elements but " +
                       std::to_string(values.size()) + " were given");
  writeNpy(path, NpyDtypeOf<T>::value, shape, values.data());
}

/// Typed helper writing a 1-d array.
template <class T>
void writeNpy(const std::string &path, const std::vector<T> &values) {
  writeNpy(path, values, {static_cast<int64_t>(values.size())});
}

/// Streams rows to a .npy file whose first dimension is not known up front.
/// The header is padded so that it can hold any 64-bit row count; close()
/// rewrites it with the final count and renames `<path>.tmp` to `<path>`.
class NpyAppender {
public:
  /// `rowShape` is the shape of one row (empty for a 1-d array of scalars).
  NpyAppender(const std::string &path, const std::string &dtype,
              std::vector<int64_t> rowShape = {});
  /// Closes the file (errors are swallowed; the temporary is then removed).
  ~NpyAppender();
  NpyAppender(const NpyAppender &) = delete;
  NpyAppender &operator=(const NpyAppender &) = delete;

  /// Appends one row of rowSize() elements.
  void append(const void *row);
  /// Appends `n` consecutive rows.
  void appendRows(const void *rows, int64_t n);
  /// Finalizes the header and renames the file into place. Idempotent.
  void close();
  /// Abandons the file: removes the temporary, leaves nothing at path().
  void discard();

  int64_t numRows() const { return rows; }
  /// Elements per row.
  int64_t rowSize() const { return rowElements; }
  bool isOpen() const { return file != nullptr; }
  const std::string &path() const { return finalPath; }

private:
  std::string finalPath, tmpPath, dtype;
  std::vector<int64_t> rowShape;
  int64_t rowElements = 1;
  size_t elementSize = 0;
  size_t headerSize = 0;
  int64_t rows = 0;
  std::FILE *file = nullptr;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_NPY_H
