// Running an io_context in tests: until a condition holds (with a deadline, never a bare
// sleep), or for a while (for events that must not happen).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace halo::testing {

// Runs `io` until `done()` holds or `limit` passes; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::steady_clock::duration limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs `io` for `time`.
inline void run_for(boost::asio::io_context& io, std::chrono::steady_clock::duration time) {
  const auto end = std::chrono::steady_clock::now() + time;
  while (std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
}

}  // namespace halo::testing
