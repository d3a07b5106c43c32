// rtnetlink address messages (RTM_NEWADDR / RTM_DELADDR) as plain values and bytes.
//
// Building and parsing only: no sockets, no I/O. The daemon's netlink adapter sends what
// build_new_address() / build_del_address() produce and feeds what it receives to
// parse_address_message() / parse_ack().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/ip_address.h"
#include "common/result.h"

namespace halo::net {

// The kernel's INFINITY_LIFE_TIME: an address that never expires ("forever" in `ip addr`).
inline constexpr std::uint32_t kForeverLifetime = 0xFFFFFFFFu;

// Longest IFA_LABEL the kernel keeps: IFNAMSIZ (16) less the terminating NUL.
inline constexpr std::size_t kMaxLabelLength = 15;

// Room enough for any message this file builds (the largest is about 130 bytes).
inline constexpr std::size_t kMaxAddressMessageSize = 256;

// RT_SCOPE_* from <linux/rtnetlink.h>. A parsed message may carry any other byte value
// (user-defined scopes from /etc/iproute2/rt_scopes); it is kept as is.
enum class AddressScope : std::uint8_t {
  Universe = 0,  // RT_SCOPE_UNIVERSE ("global")
  Site = 200,    // RT_SCOPE_SITE
  Link = 253,    // RT_SCOPE_LINK
  Host = 254,    // RT_SCOPE_HOST
};

// The IFA_F_* flags halo sets on the addresses it adds.
struct AddressFlags {
  bool nodad = false;           // IFA_F_NODAD: IPv6, skip duplicate address detection
  bool noprefixroute = false;   // IFA_F_NOPREFIXROUTE: no route for the prefix
  bool homeaddress = false;     // IFA_F_HOMEADDRESS: IPv6 mobility home address
  bool managetempaddr = false;  // IFA_F_MANAGETEMPADDR: IPv6, manage privacy addresses

  friend bool operator==(const AddressFlags&, const AddressFlags&) = default;
};

// IFA_CACHEINFO lifetimes in seconds. A finite valid lifetime makes the kernel delete the
// address by itself when it is not renewed: halo's guarantee that a crashed daemon leaves no
// VIP behind (design §2 L6).
struct AddressLifetime {
  std::uint32_t valid = kForeverLifetime;
  std::uint32_t preferred = kForeverLifetime;

  bool is_forever() const { return valid == kForeverLifetime && preferred == kForeverLifetime; }
  friend bool operator==(const AddressLifetime&, const AddressLifetime&) = default;
};

// One address on one interface, as halo asks for it.
struct AddressRequest {
  std::uint32_t ifindex = 0;
  // Only used to check the label against (the label must start with it); never sent.
  std::string interface_name;
  IpPrefix prefix;                     // the local address and its prefix length
  std::optional<IpAddress> peer;       // point-to-point peer (IFA_ADDRESS)
  std::optional<IpAddress> broadcast;  // IPv4 only (IFA_BROADCAST)
  std::optional<std::string> label;    // IPv4 only (IFA_LABEL), e.g. "eth0:vip"
  AddressScope scope = AddressScope::Universe;
  AddressFlags flags;
  AddressLifetime lifetime;

  friend bool operator==(const AddressRequest&, const AddressRequest&) = default;
};

// Label rules: 1 to 15 characters (the kernel truncates longer ones to IFNAMSIZ - 1), no
// NUL, starting with the interface name. The kernel itself accepts any label (Linux 6.18
// took "xxxxxx:vip" on veth-a), but iproute2 (`ip addr add ... label`) and keepalived refuse
// one that does not start with the interface name, and the ifconfig alias convention
// ("eth0:1") depends on it, so halo refuses it too.
[[nodiscard]] Result<void> check_label(std::string_view label, std::string_view interface_name);

// RTM_NEWADDR with NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE and NLM_F_REPLACE when `replace`
// (renewing the lifetime of an address that is already there), NLM_F_EXCL otherwise.
// Writes into `buf` and returns the number of bytes used (the message's nlmsg_len), or an
// error for an invalid request or a buffer that is too small (kMaxAddressMessageSize fits
// everything).
[[nodiscard]] Result<std::size_t> build_new_address(const AddressRequest& request,
                                                    std::uint32_t seq, std::span<std::uint8_t> buf,
                                                    bool replace);

// RTM_DELADDR with NLM_F_REQUEST|NLM_F_ACK for the same address: the attributes the kernel
// matches on (local address, peer, label, prefix length), no lifetimes.
[[nodiscard]] Result<std::size_t> build_del_address(const AddressRequest& request,
                                                    std::uint32_t seq, std::span<std::uint8_t> buf);

enum class AddressEvent : std::uint8_t { Added, Removed };  // RTM_NEWADDR, RTM_DELADDR

// A parsed RTM_NEWADDR / RTM_DELADDR: a kernel notification (RTNLGRP_IPV4_IFADDR,
// RTNLGRP_IPV6_IFADDR), a dump reply, or one of our own requests (they share the layout).
struct AddressMessage {
  AddressEvent event = AddressEvent::Added;
  std::uint32_t seq = 0;
  std::uint16_t nlmsg_flags = 0;
  // interface_name stays empty: the kernel does not send it.
  AddressRequest address;
  // Every IFA_F_* bit (IFA_FLAGS if present, else ifa_flags), including the ones the kernel
  // sets itself: IFA_F_PERMANENT, IFA_F_TENTATIVE, IFA_F_DEPRECATED, IFA_F_SECONDARY, ...
  std::uint32_t raw_flags = 0;
  // Whether IFA_CACHEINFO was present; without it the lifetime is forever. In kernel
  // notifications the lifetimes are the seconds remaining.
  bool has_cacheinfo = false;
};

// Parses the one netlink message at the start of `bytes`. Everything is validated (lengths,
// attribute sizes, family, prefix length); anything malformed is an error, never a crash or
// a read out of bounds.
[[nodiscard]] Result<AddressMessage> parse_address_message(std::span<const std::uint8_t> bytes);

// The kernel's answer to a request sent with NLM_F_ACK.
struct NetlinkAck {
  std::uint32_t seq = 0;  // the request's sequence number
  int error = 0;          // a positive errno (EEXIST, EADDRNOTAVAIL, ...), 0 for success
  std::string message;    // the extended ack text (NLMSGERR_ATTR_MSG) if the kernel sent one
};

// Parses an NLMSG_ERROR message (an ack is one with error 0).
[[nodiscard]] Result<NetlinkAck> parse_ack(std::span<const std::uint8_t> bytes);

}  // namespace halo::net
