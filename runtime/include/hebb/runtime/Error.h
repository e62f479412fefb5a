//===- Error.h - Runtime error type -----------------------------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//
//
// Every recoverable runtime failure (bad file, bad argument, I/O error) is
// reported by throwing RuntimeError, so that a host program embedding the
// runtime can catch it instead of being aborted.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_ERROR_H
#define HEBB_RUNTIME_ERROR_H

#include <stdexcept>
#include <string>

namespace hebb::rt {

/// The single exception type thrown by the Hebb runtime. Messages name the
/// file or entity concerned and what was wrong with it.
class RuntimeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_ERROR_H
