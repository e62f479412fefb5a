//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Npy.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

using namespace hebb::rt;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy code assumes a little-endian host"
#endif

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// NumPy aligns the data start to 64 bytes so that it can be memory-mapped.
constexpr size_t kAlign = 64;

std::string errnoText() { return std::strerror(errno); }

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw RuntimeError("npy file '" + path + "': " + what);
}

std::string shapeTuple(const std::vector<int64_t> &shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += ", ";
    out += std::to_string(shape[i]);
  }
  // A one-element Python tuple needs its trailing comma.
  if (shape.size() == 1)
    out += ",";
  return out + ")";
}

std::string headerDict(const std::string &dtype,
                       const std::vector<int64_t> &shape) {
  return "{'descr': '" + dtype +
         "', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }";
}

/// Builds the full header (magic .. newline), padded with spaces to a
/// multiple of kAlign and at least `minSize` bytes.
std::string buildHeader(const std::string &dict, size_t minSize = 0) {
  for (int version : {1, 2}) {
    size_t prefix = kMagicSize + 2 + (version == 1 ? 2 : 4);
    size_t total = prefix + dict.size() + 1;
    if (total < minSize)
      total = minSize;
    total = (total + kAlign - 1) / kAlign * kAlign;
    size_t headerLen = total - prefix;
    if (version == 1 && headerLen > 0xFFFF)
      continue;
    std::string out(kMagic, kMagicSize);
    out += char(version);
    out += char(0);
    int lenBytes = version == 1 ? 2 : 4;
    for (int b = 0; b < lenBytes; ++b)
      out += char((headerLen >> (8 * b)) & 0xFF);
    out += dict;
    out.append(total - out.size() - 1, ' ');
    out += '\n';
    return out;
  }
  throw RuntimeError("npy header too large");
}

int64_t checkedCount(const std::vector<int64_t> &shape,
                     const std::string &path) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      fail(path, "negative dimension " + std::to_string(dim));
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim)
      fail(path, "shape " + shapeTuple(shape) + " is too large");
    count *= dim;
  }
  return count;
}

void writeAll(std::FILE *file, const void *data, size_t size,
              const std::string &path) {
  if (size && std::fwrite(data, 1, size, file) != size)
    fail(path, "write failed: " + errnoText());
}

/// Parser for the Python-literal header dictionary.
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &path)
      : text(text), path(path) {}

  void parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    expect('{');
    while (true) {
      skipSpace();
      if (peek() == '}') {
        ++pos;
        break;
      }
      std::string key = parseString();
      expect(':');
      skipSpace();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          fail(path, "unsupported dtype (structured arrays are not supported)");
        descr = parseString();
        haveDescr = true;
      } else if (key == "fortran_order") {
        fortran = parseBool();
        haveFortran = true;
      } else if (key == "shape") {
        shape = parseTuple();
        haveShape = true;
      } else {
        fail(path, "unexpected header key '" + key + "'");
      }
      skipSpace();
      if (peek() == ',') {
        ++pos;
        continue;
      }
      expect('}');
      break;
    }
    if (!haveDescr || !haveFortran || !haveShape)
      fail(path, "header lacks one of 'descr', 'fortran_order', 'shape'");
  }

private:
  const std::string &text;
  const std::string &path;
  size_t pos = 0;

  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  void skipSpace() {
    while (pos < text.size() && std::strchr(" \t\r\n", text[pos]))
      ++pos;
  }
  [[noreturn]] void syntax(const std::string &what) {
    fail(path, "malformed header (" + what + " at offset " +
                   std::to_string(pos) + "): " + text);
  }
  void expect(char c) {
    skipSpace();
    if (peek() != c)
      syntax(std::string("expected '") + c + "'");
    ++pos;
  }
  std::string parseString() {
    skipSpace();
    char quote = peek();
    if (quote != '\'' && quote != '"')
      syntax("expected a string");
    size_t end = text.find(quote, pos + 1);
    if (end == std::string::npos)
      syntax("unterminated string");
    std::string out = text.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return out;
  }
  bool parseBool() {
    if (text.compare(pos, 4, "True") == 0) {
      pos += 4;
      return true;
    }
    if (text.compare(pos, 5, "False") == 0) {
      pos += 5;
      return false;
    }
    syntax("expected True or False");
  }
  std::vector<int64_t> parseTuple() {
    std::vector<int64_t> out;
    expect('(');
    while (true) {
      skipSpace();
      if (peek() == ')') {
        ++pos;
        return out;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        syntax("expected a dimension");
      int64_t value = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        int digit = text[pos++] - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
          syntax("dimension overflows int64");
        value = value * 10 + digit;
      }
      // Python 2 era files may write long integers as "3L".
      if (peek() == 'L')
        ++pos;
      out.push_back(value);
      skipSpace();
      if (peek() == ',')
        ++pos;
      else if (peek() != ')')
        syntax("expected ',' or ')'");
    }
  }
};

} // namespace

size_t hebb::rt::npyElementSize(const std::string &dtype) {
  std::string canonical = npyCanonicalDtype(dtype);
  return static_cast<size_t>(canonical[2] - '0');
}

std::string hebb::rt::npyCanonicalDtype(const std::string &dtype) {
  static const char *const kSupported[] = {"<f4", "<f8", "<i4", "<i8",
                                           "<u4", "|u1", "|b1"};
  std::string canonical = dtype == "<u1" ? "|u1" : dtype;
  for (const char *supported : kSupported)
    if (canonical == supported)
      return canonical;
  throw RuntimeError("unsupported npy dtype '" + dtype +
                     "' (supported: <f4 <f8 <i4 <i8 <u4 |u1 <u1 |b1)");
}

int64_t NpyArray::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

void NpyArray::checkType(const char *wanted, size_t size) const {
  if (npyCanonicalDtype(dtype) != wanted)
    throw RuntimeError("npy array has dtype '" + dtype +
                       "' but was accessed as '" + wanted + "'");
  if (data.size() != static_cast<size_t>(numElements()) * size)
    throw RuntimeError("npy array data size does not match its shape");
}

std::vector<double> NpyArray::toDoubles() const {
  std::string canonical = npyCanonicalDtype(dtype);
  int64_t count = numElements();
  std::vector<double> out(static_cast<size_t>(count));
  auto convert = [&](auto tag) {
    using T = decltype(tag);
    const T *values = as<T>();
    for (int64_t i = 0; i < count; ++i)
      out[i] = static_cast<double>(values[i]);
  };
  if (canonical == "<f4")
    convert(float());
  else if (canonical == "<f8")
    convert(double());
  else if (canonical == "<i4")
    convert(int32_t());
  else if (canonical == "<i8")
    convert(int64_t());
  else if (canonical == "<u4")
    convert(uint32_t());
  else if (canonical == "|u1")
    convert(uint8_t());
  else // "|b1": any non-zero byte is true.
    for (int64_t i = 0; i < count; ++i)
      out[i] = data[i] != 0 ? 1.0 : 0.0;
  return out;
}

namespace {
/// Parses the magic, version and header dictionary at the start of
/// `bytes` into `array` (dtype and shape); returns the data's offset.
size_t parsePrefix(const std::string &bytes, const std::string &path,
                   NpyArray &array) {
  if (bytes.size() < kMagicSize + 4 ||
      bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    fail(path, "not a .npy file (bad magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    fail(path, "unsupported format version " + std::to_string(major) + "." +
                   std::to_string(minor));
  size_t lenBytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicSize + 2 + lenBytes;
  if (bytes.size() < prefix)
    fail(path, "truncated header");
  size_t headerLen = 0;
  for (size_t b = 0; b < lenBytes; ++b)
    headerLen |= size_t(static_cast<unsigned char>(bytes[8 + b])) << (8 * b);
  if (bytes.size() < prefix + headerLen)
    fail(path, "truncated header");
  std::string header = bytes.substr(prefix, headerLen);
  bool fortran = false;
  HeaderParser(header, path).parse(array.dtype, fortran, array.shape);
  if (fortran)
    fail(path, "Fortran-ordered arrays are not supported");
  try {
    npyElementSize(array.dtype);
  } catch (const RuntimeError &e) {
    fail(path, e.what());
  }
  checkedCount(array.shape, path);
  return prefix + headerLen;
}

std::string readBytes(const std::string &path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(path, "cannot open for reading: " + errnoText());
  std::string bytes;
  if (limit == std::string::npos) {
    bytes.assign(std::istreambuf_iterator<char>(in),
                 std::istreambuf_iterator<char>());
  } else {
    bytes.resize(limit);
    in.read(bytes.data(), static_cast<std::streamsize>(limit));
    bytes.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad())
    fail(path, "read failed");
  return bytes;
}
} // namespace

NpyArray hebb::rt::readNpy(const std::string &path) {
  return parseNpy(readBytes(path, std::string::npos), path);
}

NpyArray hebb::rt::parseNpy(const std::string &bytes, const std::string &path) {
  NpyArray array;
  size_t offset = parsePrefix(bytes, path, array);
  size_t elementSize = npyElementSize(array.dtype);
  int64_t count = array.numElements();
  size_t available = bytes.size() - offset;
  if (static_cast<uint64_t>(count) > available / elementSize)
    fail(path, "truncated data: shape " + shapeTuple(array.shape) + " needs " +
                   std::to_string(uint64_t(count) * elementSize) +
                   " bytes but only " + std::to_string(available) +
                   " are present");
  size_t dataSize = static_cast<size_t>(count) * elementSize;
  array.data.assign(bytes.begin() + offset, bytes.begin() + offset + dataSize);
  return array;
}

NpyArray hebb::rt::readNpyHeader(const std::string &path) {
  // Version 3 headers may be long; 64 KiB holds any header Hebb writes.
  std::string bytes = readBytes(path, 65536);
  NpyArray array;
  parsePrefix(bytes, path, array);
  return array;
}

void hebb::rt::writeNpy(const std::string &path, const std::string &dtype,
                        const std::vector<int64_t> &shape, const void *data) {
  std::string canonical;
  try {
    canonical = npyCanonicalDtype(dtype);
  } catch (const RuntimeError &e) {
    fail(path, e.what());
  }
  size_t elementSize = static_cast<size_t>(canonical[2] - '0');
  int64_t count = checkedCount(shape, path);
  std::string header = buildHeader(headerDict(canonical, shape));

  std::string tmpPath = path + ".tmp";
  std::FILE *file = std::fopen(tmpPath.c_str(), "wb");
  if (!file)
    fail(tmpPath, "cannot open for writing: " + errnoText());
  try {
    writeAll(file, header.data(), header.size(), tmpPath);
    writeAll(file, data, static_cast<size_t>(count) * elementSize, tmpPath);
  } catch (...) {
    std::fclose(file);
    std::remove(tmpPath.c_str());
    throw;
  }
  if (std::fclose(file) != 0) {
    std::remove(tmpPath.c_str());
    fail(tmpPath, "close failed: " + errnoText());
  }
  if (std::rename(tmpPath.c_str(), path.c_str()) != 0) {
    std::string reason = errnoText();
    std::remove(tmpPath.c_str());
    fail(path, "cannot rename temporary file into place: " + reason);
  }
}

//===----------------------------------------------------------------------===//
// NpyAppender
//===----------------------------------------------------------------------===//

NpyAppender::NpyAppender(const std::string &path, const std::string &dtype,
                         std::vector<int64_t> rowShape)
    : finalPath(path), tmpPath(path + ".tmp"), rowShape(std::move(rowShape)) {
  try {
    this->dtype = npyCanonicalDtype(dtype);
  } catch (const RuntimeError &e) {
    fail(path, e.what());
  }
  elementSize = static_cast<size_t>(this->dtype[2] - '0');
  rowElements = checkedCount(this->rowShape, path);

  // Reserve room for the largest possible first dimension, so that close()
  // can rewrite the header in place whatever the final count.
  std::vector<int64_t> widest = {std::numeric_limits<int64_t>::max()};
  widest.insert(widest.end(), this->rowShape.begin(), this->rowShape.end());
  std::string header = buildHeader(headerDict(this->dtype, widest));
  headerSize = header.size();

  file = std::fopen(tmpPath.c_str(), "wb");
  if (!file)
    fail(tmpPath, "cannot open for writing: " + errnoText());
  try {
    writeAll(file, header.data(), header.size(), tmpPath);
  } catch (...) {
    discard();
    throw;
  }
}

NpyAppender::~NpyAppender() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; close() already removed the temporary.
  }
}

void NpyAppender::append(const void *row) { appendRows(row, 1); }

void NpyAppender::appendRows(const void *data, int64_t n) {
  if (!file)
    fail(finalPath, "append after close");
  if (n < 0)
    fail(finalPath, "negative row count " + std::to_string(n));
  try {
    writeAll(file, data, static_cast<size_t>(n * rowElements) * elementSize,
             tmpPath);
  } catch (...) {
    discard();
    throw;
  }
  rows += n;
}

void NpyAppender::close() {
  if (!file)
    return;
  std::vector<int64_t> shape = {rows};
  shape.insert(shape.end(), rowShape.begin(), rowShape.end());
  std::string header = buildHeader(headerDict(dtype, shape), headerSize);
  try {
    if (header.size() != headerSize)
      fail(tmpPath, "internal error: final header does not fit");
    if (std::fseek(file, 0, SEEK_SET) != 0)
      fail(tmpPath, "seek failed: " + errnoText());
    writeAll(file, header.data(), header.size(), tmpPath);
  } catch (...) {
    discard();
    throw;
  }
  int closed = std::fclose(file);
  file = nullptr;
  if (closed != 0) {
    std::string reason = errnoText();
    std::remove(tmpPath.c_str());
    fail(tmpPath, "close failed: " + reason);
  }
  if (std::rename(tmpPath.c_str(), finalPath.c_str()) != 0) {
    std::string reason = errnoText();
    std::remove(tmpPath.c_str());
    fail(finalPath, "cannot rename temporary file into place: " + reason);
  }
}

void NpyAppender::discard() {
  if (file) {
    std::fclose(file);
    file = nullptr;
  }
  std::remove(tmpPath.c_str());
}
