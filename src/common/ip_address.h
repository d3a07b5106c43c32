// IPv4 and IPv6 addresses and prefixes as plain values.
//
// Parsing is strict (inet_pton): "192.0.2.300" and "1.2.3" are rejected, so a typo in a config
// never becomes a different address.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace halo {

enum class Family : std::uint8_t { V4, V6 };

class IpAddress {
 public:
  IpAddress() = default;
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::array<std::uint8_t, 4> bytes);
  static IpAddress v6(std::array<std::uint8_t, 16> bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::V4; }
  bool is_v6() const { return family_ == Family::V6; }
  // Network-order bytes: the first 4 for IPv4, all 16 for IPv6.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  bool is_multicast() const;
  bool is_link_local() const;
  std::string to_string() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

// An address with a prefix length ("192.0.2.1/24"); length defaults to the full width.
struct IpPrefix {
  IpAddress address;
  std::uint8_t length = 32;

  static std::optional<IpPrefix> parse(std::string_view text);
  bool has_default_length() const { return length == (address.is_v4() ? 32 : 128); }
  std::string to_string() const;

  friend auto operator<=>(const IpPrefix&, const IpPrefix&) = default;
};

}  // namespace halo
