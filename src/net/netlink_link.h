// rtnetlink link messages (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK) as plain values and bytes.
//
// Building and parsing only: no sockets, no I/O. net/rtnetlink sends what the builders produce
// (a VMAC macvlan, setting a link up, deleting it, asking for one link or all of them) and
// net/rtnetlink and net/link_monitor feed what the kernel answers to parse_link_message().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "net/arp.h"

namespace halo::net {

// Longest interface name the kernel accepts: IFNAMSIZ (16) less the terminating NUL.
inline constexpr std::size_t kMaxInterfaceNameLength = 15;

// Room enough for any request this file builds (the largest, a macvlan, is at most 100 bytes).
inline constexpr std::size_t kMaxLinkMessageSize = 128;

// MACVLAN_MODE_* from <linux/if_link.h>. A parsed message may carry a value added by a newer
// kernel; it is kept as is.
enum class MacvlanMode : std::uint32_t {
  None = 0,  // not a macvlan (or the kernel did not say)
  Private = 1,
  Vepa = 2,
  Bridge = 4,
  Passthru = 8,
  Source = 16,
};

// What the daemon needs to know about a link (RTM_NEWLINK).
struct LinkInfo {
  std::uint32_t ifindex = 0;
  std::string name;
  bool admin_up = false;  // IFF_UP
  bool running = false;   // IFF_RUNNING: carrier and operationally up
  MacAddress mac;         // IFLA_ADDRESS (zero when the link has none or it is not Ethernet)
  std::uint32_t mtu = 0;
  std::string kind;  // IFLA_INFO_KIND: "veth", "macvlan", "bridge", ... ("" if none)
  // IFLA_LINK: a macvlan's parent (a veth reports its peer); 0 if none.
  std::uint32_t link_ifindex = 0;
  MacvlanMode macvlan_mode = MacvlanMode::None;  // IFLA_INFO_DATA / IFLA_MACVLAN_MODE

  bool up() const { return admin_up && running; }
  friend bool operator==(const LinkInfo&, const LinkInfo&) = default;
};

// A VMAC: a macvlan interface on `parent` with the VRRP virtual MAC (keepalived `use_vmac`).
struct MacvlanRequest {
  std::string name;  // e.g. "vrrp.51"
  std::uint32_t parent_ifindex = 0;
  MacAddress mac;
  bool bridge_mode = false;  // MACVLAN_MODE_BRIDGE; default MACVLAN_MODE_PRIVATE like keepalived
  // Rtnetlink::add_macvlan sets the link up unless this is false (the caller first adjusts
  // the new interface's sysctls, then sets it up itself).
  bool bring_up = true;
};

// The kernel's dev_valid_name(): 1 to 15 characters, not "." or "..", no '/', ':' or white
// space. Checked before a request is built, so a bad name is our message, not EINVAL.
[[nodiscard]] Result<void> check_interface_name(std::string_view name);

// RTM_NEWLINK with NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL: IFLA_IFNAME, IFLA_LINK
// (the parent), IFLA_ADDRESS and IFLA_LINKINFO { IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA
// { IFLA_MACVLAN_MODE } }. The link is created down. Writes into `buf` and returns the
// message's length, or an error for an invalid request or a buffer that is too small.
[[nodiscard]] Result<std::size_t> build_new_macvlan(const MacvlanRequest& request,
                                                    std::uint32_t seq, std::span<std::uint8_t> buf);

// RTM_NEWLINK with NLM_F_REQUEST|NLM_F_ACK on an existing link that changes IFF_UP only
// (ifi_change = IFF_UP): `ip link set dev X up` / `down`.
[[nodiscard]] Result<std::size_t> build_set_link_up(std::uint32_t ifindex, bool up,
                                                    std::uint32_t seq, std::span<std::uint8_t> buf);

// RTM_DELLINK with NLM_F_REQUEST|NLM_F_ACK.
[[nodiscard]] Result<std::size_t> build_del_link(std::uint32_t ifindex, std::uint32_t seq,
                                                 std::span<std::uint8_t> buf);

// RTM_GETLINK with NLM_F_REQUEST|NLM_F_ACK for one link, by index or by name (IFLA_IFNAME);
// with IFLA_EXT_MASK RTEXT_FILTER_SKIP_STATS, since halo reads no counters.
[[nodiscard]] Result<std::size_t> build_get_link(std::uint32_t ifindex, std::uint32_t seq,
                                                 std::span<std::uint8_t> buf);
[[nodiscard]] Result<std::size_t> build_get_link(std::string_view name, std::uint32_t seq,
                                                 std::span<std::uint8_t> buf);

// RTM_GETLINK with NLM_F_REQUEST|NLM_F_DUMP: every link (answered by RTM_NEWLINK messages
// and NLMSG_DONE; a dump gets no ack).
[[nodiscard]] Result<std::size_t> build_dump_links(std::uint32_t seq, std::span<std::uint8_t> buf);

enum class LinkEvent : std::uint8_t { Added, Removed };  // RTM_NEWLINK, RTM_DELLINK

// A parsed RTM_NEWLINK / RTM_DELLINK: a kernel notification (RTNLGRP_LINK), a reply to
// RTM_GETLINK, or one of our own requests (they share the layout). RTM_NEWLINK also means
// "changed": the kernel sends it for every flag, name or address change.
struct LinkMessage {
  LinkEvent event = LinkEvent::Added;
  std::uint32_t seq = 0;
  std::uint16_t nlmsg_flags = 0;
  // ifi_family: AF_UNSPEC for links. The bridge also sends AF_BRIDGE messages about its ports
  // to RTNLGRP_LINK (an RTM_DELLINK among them when a port leaves the bridge, not the link):
  // a reader of notifications looks at links with family AF_UNSPEC only.
  std::uint8_t family = 0;
  // The IFF_* bits a request changes; in a notification, the bits that changed (often 0).
  std::uint32_t ifi_change = 0;
  LinkInfo link;
};

// Parses the one netlink message at the start of `bytes`. Everything is validated (lengths,
// attribute sizes, nested attributes, names); anything malformed is an error, never a crash
// or a read out of bounds. Unknown attributes are skipped.
[[nodiscard]] Result<LinkMessage> parse_link_message(std::span<const std::uint8_t> bytes);

}  // namespace halo::net
