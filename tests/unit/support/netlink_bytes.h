// Helpers for the tests of the rtnetlink codecs (net/netlink_address, net/netlink_link,
// net/netlink_route): addresses from text, the bytes a builder wrote, and the malformed and
// random inputs the parsers must refuse without reading out of bounds.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace halo::testing {

using Bytes = std::vector<std::uint8_t>;

inline IpAddress ip(std::string_view text) {
  return *IpAddress::parse(text);
}
inline IpPrefix prefix(std::string_view text) {
  return *IpPrefix::parse(text);
}

// The first `n` bytes of `buf`, where a builder wrote `n` of them; none (and a failure) when
// it refused.
inline Bytes bytes_of(Result<std::size_t> n, Bytes buf) {
  EXPECT_TRUE(n.has_value()) << (n ? "" : n.error().message);
  buf.resize(n ? *n : 0);
  return buf;
}

// The first `size` bytes of a message, with nlmsg_len saying so when there is room for it: a
// message that ends mid-attribute (unaligned) but is consistent about it.
inline Bytes cut_short(const Bytes& full, std::size_t size) {
  Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
  if (size >= 4) cut[0] = static_cast<std::uint8_t>(size);
  return cut;
}

// `good` with four bytes after the last attribute that are not an attribute (nla_len 2), and
// nlmsg_len covering them.
inline Bytes with_trailing_junk(const Bytes& good) {
  Bytes trailing = good;
  trailing.insert(trailing.end(), {0x02, 0x00, 0x00, 0x00});
  trailing[0] = static_cast<std::uint8_t>(trailing.size());
  return trailing;
}

// The i-th input of a "random buffers never crash" run. Even i: noise of up to 160 bytes, and
// half the time, when it has at least `header_size` bytes, a plausible nlmsghdr (the length,
// and type `type_a` or `type_b`). Odd i: one of the two seeds with one to four bytes changed,
// and one time in three cut short.
inline Bytes random_message(std::mt19937& rng, int i, std::span<const Bytes, 2> seeds,
                            std::size_t header_size, std::uint8_t type_a, std::uint8_t type_b) {
  Bytes buf;
  if (i % 2 == 0) {
    buf.resize(rng() % 160);
    for (auto& b : buf) b = static_cast<std::uint8_t>(rng());
    if (buf.size() >= header_size && rng() % 2 == 0) {
      buf[0] = static_cast<std::uint8_t>(buf.size());
      buf[1] = buf[2] = buf[3] = 0;
      buf[4] = rng() % 2 == 0 ? type_a : type_b;
      buf[5] = 0;
    }
  } else {
    buf = seeds[rng() % 2];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) buf[rng() % buf.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 3 == 0) buf.resize(rng() % buf.size());
  }
  return buf;
}

}  // namespace halo::testing
