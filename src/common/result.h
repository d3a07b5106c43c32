// One result type for every recoverable failure in halo.
//
// halo's own code throws nothing: a function that can fail returns Result<T>. The alias keeps
// the switch to std::expected (C++23) a one-line change.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace halo {

struct Error {
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

}  // namespace halo
