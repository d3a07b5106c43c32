// Counters indexed by an enum: untrusted input rejected "by reason", for logs and metrics.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace halo {

// E is an enum class whose values are 0..N-1.
template <class E, std::size_t N>
class CountersByReason {
 public:
  void add(E reason) { ++counts_[static_cast<std::size_t>(reason)]; }
  std::uint64_t count(E reason) const { return counts_[static_cast<std::size_t>(reason)]; }
  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (const auto c : counts_) sum += c;
    return sum;
  }

 private:
  std::array<std::uint64_t, N> counts_{};
};

}  // namespace halo
