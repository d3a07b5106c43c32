// rtnetlink link messages: how halo learns about interfaces and makes its VMACs.
//
// A link message (rtnetlink(7), <linux/if_link.h>) is a struct ifinfomsg (family, device
// type, interface index, IFF_* flags, and in requests the mask of flags to change) followed
// by attributes. The ones halo reads:
//
//   IFLA_IFNAME    the name, NUL-terminated, at most IFNAMSIZ bytes with the NUL
//   IFLA_ADDRESS   the hardware address (6 bytes on Ethernet; other lengths on tunnels and
//                  InfiniBand: kept as "no MAC")
//   IFLA_MTU       u32
//   IFLA_LINK      u32: the lower device (a macvlan's parent, a veth's peer)
//   IFLA_LINKINFO  nested: IFLA_INFO_KIND ("macvlan", "veth", ...) and IFLA_INFO_DATA, nested
//                  again, whose layout depends on the kind (IFLA_MACVLAN_MODE for a macvlan)
//
// Up and running are the ifi_flags bits IFF_UP (the administrator's wish) and IFF_RUNNING
// (the kernel's view: carrier and operstate up); a VRRP instance on a link that is not both
// goes to FAULT.
//
// The VMAC (keepalived's use_vmac) is a macvlan on the VRRP interface carrying the virtual
// router MAC 00:00:5e:00:01:{VRID} (RFC 5798 §7.3), in private mode by default so that the
// kernel does not hand frames between macvlans on one parent. It is created down and then set
// up by a second request (build_set_link_up, ifi_change = IFF_UP), so that a failure to bring
// it up is reported as such and not as a failure to create it.
//
// Parsing takes untrusted bytes and mirrors net/netlink_address: the message is copied into
// aligned storage padded to the netlink alignment, every attribute is validated before it is
// read, attributes are walked by hand (mnl_attr_parse stops silently at a bad one) so that an
// attribute running past its message or its nest is an error, and unknown attributes are
// skipped. Nested attributes are walked the same way inside their parent's payload.
#include "net/netlink_link.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "net/netlink_message.h"

namespace halo::net {
namespace {

constexpr std::size_t kMacLength = 6;
constexpr std::size_t kMaxHardwareAddressLength = 32;  // MAX_ADDR_LEN

using MessageWriter = NetlinkWriter<kMaxLinkMessageSize>;

Result<void> check_ifindex(std::uint32_t ifindex) {
  if (ifindex == 0) return fail("interface index 0");
  // ifi_index is a signed int in the kernel.
  if (ifindex > 0x7FFFFFFFu) return fail("interface index " + std::to_string(ifindex));
  return {};
}

ifinfomsg make_ifinfomsg(std::uint32_t ifindex) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(ifindex);
  return ifi;
}

// A GETLINK reply carries counters (IFLA_STATS, IFLA_STATS64: a few hundred bytes per link)
// unless asked not to.
bool put_skip_stats(MessageWriter& w) {
  return w.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
}

}  // namespace

Result<void> check_interface_name(std::string_view name) {
  if (name.empty()) return fail("empty interface name");
  if (name.size() > kMaxInterfaceNameLength) {
    return fail("interface name '" + std::string(name) + "' is longer than " +
                std::to_string(kMaxInterfaceNameLength) + " characters");
  }
  if (name == "." || name == "..") return fail("interface name '" + std::string(name) + "'");
  for (const char c : name) {
    if (c == '/' || c == ':' || c == '\0' || c == ' ' || (c >= '\t' && c <= '\r')) {
      return fail("interface name '" + std::string(name) +
                  "' contains '/', ':', NUL or white space");
    }
  }
  return {};
}

Result<std::size_t> build_new_macvlan(const MacvlanRequest& request, std::uint32_t seq,
                                      std::span<std::uint8_t> buf) {
  if (auto ok = check_interface_name(request.name); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_ifindex(request.parent_ifindex); !ok) return tl::unexpected(ok.error());
  // The kernel's is_valid_ether_addr(): EADDRNOTAVAIL otherwise.
  if (request.mac.is_zero() || request.mac.is_multicast()) {
    return fail("macvlan MAC " + request.mac.to_string() + " is not a unicast address");
  }
  MessageWriter w(buf.size());
  if (!w.start(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq,
               make_ifinfomsg(0))) {
    return too_small(buf);
  }
  const std::uint32_t mode = request.bridge_mode ? MACVLAN_MODE_BRIDGE : MACVLAN_MODE_PRIVATE;
  bool ok = w.put_strz(IFLA_IFNAME, request.name) && w.put_u32(IFLA_LINK, request.parent_ifindex) &&
            w.put(IFLA_ADDRESS, request.mac.bytes().data(), kMacLength);
  nlattr* linkinfo = ok ? w.nest_start(IFLA_LINKINFO) : nullptr;
  ok = linkinfo != nullptr && w.put_strz(IFLA_INFO_KIND, "macvlan");
  nlattr* data = ok ? w.nest_start(IFLA_INFO_DATA) : nullptr;
  ok = data != nullptr && w.put_u32(IFLA_MACVLAN_MODE, mode);
  if (!ok) return too_small(buf);
  w.nest_end(data);
  w.nest_end(linkinfo);
  return w.finish(buf);
}

Result<std::size_t> build_set_link_up(std::uint32_t ifindex, bool up, std::uint32_t seq,
                                      std::span<std::uint8_t> buf) {
  if (auto ok = check_ifindex(ifindex); !ok) return tl::unexpected(ok.error());
  ifinfomsg ifi = make_ifinfomsg(ifindex);
  ifi.ifi_flags = up ? IFF_UP : 0;
  ifi.ifi_change = IFF_UP;
  MessageWriter w(buf.size());
  if (!w.start(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifi)) return too_small(buf);
  return w.finish(buf);
}

Result<std::size_t> build_del_link(std::uint32_t ifindex, std::uint32_t seq,
                                   std::span<std::uint8_t> buf) {
  if (auto ok = check_ifindex(ifindex); !ok) return tl::unexpected(ok.error());
  MessageWriter w(buf.size());
  if (!w.start(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq, make_ifinfomsg(ifindex))) {
    return too_small(buf);
  }
  return w.finish(buf);
}

Result<std::size_t> build_get_link(std::uint32_t ifindex, std::uint32_t seq,
                                   std::span<std::uint8_t> buf) {
  if (auto ok = check_ifindex(ifindex); !ok) return tl::unexpected(ok.error());
  MessageWriter w(buf.size());
  if (!w.start(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, make_ifinfomsg(ifindex)) ||
      !put_skip_stats(w)) {
    return too_small(buf);
  }
  return w.finish(buf);
}

Result<std::size_t> build_get_link(std::string_view name, std::uint32_t seq,
                                   std::span<std::uint8_t> buf) {
  if (auto ok = check_interface_name(name); !ok) return tl::unexpected(ok.error());
  MessageWriter w(buf.size());
  if (!w.start(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, make_ifinfomsg(0)) ||
      !put_skip_stats(w) || !w.put_strz(IFLA_IFNAME, std::string(name))) {
    return too_small(buf);
  }
  return w.finish(buf);
}

Result<std::size_t> build_dump_links(std::uint32_t seq, std::span<std::uint8_t> buf) {
  MessageWriter w(buf.size());
  if (!w.start(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, make_ifinfomsg(0)) ||
      !put_skip_stats(w)) {
    return too_small(buf);
  }
  return w.finish(buf);
}

namespace {

struct LinkAttrs {
  const nlattr* tb[IFLA_MAX + 1] = {};
  const nlattr* kind = nullptr;
  const nlattr* macvlan_mode = nullptr;
};

const char* validate_name(const nlattr* attr, const char* what) {
  if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) return what;
  // The kernel's IFNAMSIZ bound, NUL included; an empty name is malformed too.
  const auto len = mnl_attr_get_payload_len(attr);
  if (len > kMaxInterfaceNameLength + 1 || std::strlen(mnl_attr_get_str(attr)) == 0) return what;
  return nullptr;
}

const char* visit_macvlan_data(const nlattr* attr, LinkAttrs& attrs) {
  if (mnl_attr_get_type(attr) != IFLA_MACVLAN_MODE) return nullptr;  // flags, counts, ...
  if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return "malformed IFLA_MACVLAN_MODE";
  attrs.macvlan_mode = attr;
  return nullptr;
}

const char* visit_linkinfo(const nlattr* attr, LinkAttrs& attrs, const nlattr*& data) {
  switch (mnl_attr_get_type(attr)) {
    case IFLA_INFO_KIND:
      // NUL-terminated, and short: the longest kind the kernel knows is about 12 bytes.
      if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 || mnl_attr_get_payload_len(attr) > 64) {
        return "malformed IFLA_INFO_KIND";
      }
      attrs.kind = attr;
      return nullptr;
    case IFLA_INFO_DATA:
      if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0) return "malformed IFLA_INFO_DATA";
      data = attr;
      return nullptr;
    default:
      return nullptr;  // IFLA_INFO_XSTATS, IFLA_INFO_SLAVE_KIND, ...: not ours
  }
}

const char* visit_link(const nlattr* attr, LinkAttrs& attrs) {
  if (mnl_attr_type_valid(attr, IFLA_MAX) < 0) return nullptr;  // newer kernel: skip
  const int type = mnl_attr_get_type(attr);
  switch (type) {
    case IFLA_IFNAME:
      if (const char* error = validate_name(attr, "malformed IFLA_IFNAME")) return error;
      break;
    case IFLA_ADDRESS:
      if (mnl_attr_get_payload_len(attr) > kMaxHardwareAddressLength) {
        return "malformed IFLA_ADDRESS";
      }
      break;
    case IFLA_MTU:
      if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return "malformed IFLA_MTU";
      break;
    case IFLA_LINK:
      if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return "malformed IFLA_LINK";
      break;
    case IFLA_LINKINFO: {
      if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0) return "malformed IFLA_LINKINFO";
      const nlattr* data = nullptr;
      if (const char* error =
              walk_attributes(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr),
                              [&](const nlattr* a) { return visit_linkinfo(a, attrs, data); })) {
        return error;
      }
      // IFLA_INFO_DATA's layout belongs to the kind (in either order within the nest); only
      // a macvlan's is read, anything else is skipped.
      if (data != nullptr && attrs.kind != nullptr &&
          std::strcmp(mnl_attr_get_str(attrs.kind), "macvlan") == 0) {
        if (const char* error =
                walk_attributes(mnl_attr_get_payload(data), mnl_attr_get_payload_len(data),
                                [&](const nlattr* a) { return visit_macvlan_data(a, attrs); })) {
          return error;
        }
      }
      break;
    }
    default:
      return nullptr;  // IFLA_OPERSTATE, IFLA_STATS64, IFLA_AF_SPEC, ...: not ours
  }
  attrs.tb[type] = attr;
  return nullptr;
}

}  // namespace

Result<LinkMessage> parse_link_message(std::span<const std::uint8_t> bytes) {
  auto storage = copy_message(bytes);
  if (!storage) return tl::unexpected(storage.error());
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(storage->data());

  LinkMessage msg;
  if (nlh->nlmsg_type == RTM_NEWLINK) {
    msg.event = LinkEvent::Added;
  } else if (nlh->nlmsg_type == RTM_DELLINK) {
    msg.event = LinkEvent::Removed;
  } else {
    return fail("not a link message (type " + std::to_string(nlh->nlmsg_type) + ")");
  }
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(ifinfomsg)) return fail("truncated ifinfomsg");
  msg.seq = nlh->nlmsg_seq;
  msg.nlmsg_flags = nlh->nlmsg_flags;

  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifi->ifi_index < 0) return fail("negative interface index");
  msg.family = ifi->ifi_family;
  msg.ifi_change = ifi->ifi_change;

  LinkAttrs attrs;
  const auto* first =
      static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifinfomsg)));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  // The payload tail is aligned already (MNL_ALIGN(nlmsg_len)), so the walk must end on it.
  if (const char* error = walk_attributes(first, static_cast<std::size_t>(tail - first),
                                          [&](const nlattr* a) { return visit_link(a, attrs); })) {
    return fail(error);
  }

  auto& link = msg.link;
  link.ifindex = static_cast<std::uint32_t>(ifi->ifi_index);
  link.admin_up = (ifi->ifi_flags & IFF_UP) != 0;
  link.running = (ifi->ifi_flags & IFF_RUNNING) != 0;
  if (attrs.tb[IFLA_IFNAME] != nullptr) link.name = mnl_attr_get_str(attrs.tb[IFLA_IFNAME]);
  if (attrs.tb[IFLA_ADDRESS] != nullptr &&
      mnl_attr_get_payload_len(attrs.tb[IFLA_ADDRESS]) == kMacLength) {
    std::array<std::uint8_t, kMacLength> mac{};
    std::memcpy(mac.data(), mnl_attr_get_payload(attrs.tb[IFLA_ADDRESS]), mac.size());
    link.mac = MacAddress(mac);
  }
  if (attrs.tb[IFLA_MTU] != nullptr) link.mtu = mnl_attr_get_u32(attrs.tb[IFLA_MTU]);
  if (attrs.tb[IFLA_LINK] != nullptr) link.link_ifindex = mnl_attr_get_u32(attrs.tb[IFLA_LINK]);
  if (attrs.kind != nullptr) link.kind = mnl_attr_get_str(attrs.kind);
  if (attrs.macvlan_mode != nullptr) {
    link.macvlan_mode = static_cast<MacvlanMode>(mnl_attr_get_u32(attrs.macvlan_mode));
  }
  return msg;
}

}  // namespace halo::net
