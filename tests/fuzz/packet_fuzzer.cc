// libFuzzer target for the VRRP packet parser: untrusted bytes from the wire.
//
// The first byte picks the path and the options: bit 0 the family (an IPv4 datagram with its
// IP header, or an IPv6 VRRP message with fixed addresses and hop limit, as the kernel hands
// them over), bits 1-3 the parse options. Beyond "no crash, no out-of-bounds read, no
// undefined behaviour", an accepted packet must be one halo can send again: build() of the
// parsed advert succeeds and, for IPv6 (where the message alone is the input), parses back to
// the same advert.
#include <cstdint>
#include <span>

#include "common/ip_address.h"
#include "vrrp/packet.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace halo;
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  vrrp::ParseOptions options;
  options.accept_v3_checksum_as_v2 = (mode & 2) != 0;
  options.accept_old_unicast_checksum = (mode & 4) != 0;
  options.require_ttl_255 = (mode & 8) == 0;

  if ((mode & 1) == 0) {
    const auto received = vrrp::parse_ipv4(bytes, options);
    if (!received) return 0;
    vrrp::BuildOptions build_options;
    build_options.checksum = received->checksum_form;
    if (!vrrp::build(received->advert, received->source, received->destination, build_options)) {
      __builtin_trap();  // accepted, but halo could not say it again
    }
    return 0;
  }

  static const auto source = *IpAddress::parse("fe80::1");
  static const auto destination = *IpAddress::parse("ff02::12");
  const auto received = vrrp::parse_ipv6(bytes, source, destination, 255, options);
  if (!received) return 0;
  const auto again = vrrp::build(received->advert, source, destination, {});
  if (!again) __builtin_trap();
  const auto reparsed = vrrp::parse_ipv6(*again, source, destination, 255, options);
  if (!reparsed || !(reparsed->advert == received->advert)) __builtin_trap();
  return 0;
}
