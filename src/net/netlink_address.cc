// rtnetlink address messages: how halo adds, renews and removes virtual IPs.
//
// A VIP is one RTM_NEWADDR request (rtnetlink(7), <linux/if_addr.h>): a struct ifaddrmsg
// (family, prefix length, flags, scope, interface index) followed by attributes:
//
//   IFA_LOCAL      the address itself (IPv4; IPv6 only when there is a peer)
//   IFA_ADDRESS    the address again, or the peer of a point-to-point link
//   IFA_BROADCAST  IPv4 broadcast
//   IFA_LABEL      IPv4 alias label ("eth0:vip"), shown by ifconfig and `ip addr`
//   IFA_CACHEINFO  struct ifa_cacheinfo: preferred and valid lifetime in seconds
//   IFA_FLAGS      u32 flags; ifaddrmsg.ifa_flags has only 8 bits and IFA_F_MANAGETEMPADDR
//                  (0x100) and IFA_F_NOPREFIXROUTE (0x200) do not fit
//
// The attribute order is iproute2's (LOCAL, BROADCAST, LABEL, ADDRESS, CACHEINFO), so that a
// request can be compared byte for byte with what `ip addr add` sends (the golden tests do).
//
// Lifetimes are the core of "no VIP left behind" (design §2 L6): halo adds each VIP with a
// finite valid lifetime and, while it is master, re-sends the same RTM_NEWADDR with
// NLM_F_REPLACE before the lifetime runs out, which resets it. A daemon that is killed stops
// renewing and the kernel deletes the address by itself. IPv6 has always had lifetimes
// (RFC 4862 §5.5.4); IPv4 addresses accept finite lifetimes since Linux 3.9 (commit
// 5c766d642bcaf, "ipv4: introduce address lifetime"), checked on this kernel (6.18) in a
// network namespace: 192.0.2.1/24 added with valid_lft 3 was gone 3-4 s later, and one
// renewed with `ip addr replace` every 2 s stayed until the renewals stopped. The kernel
// refuses a valid lifetime of 0 and a preferred lifetime above the valid one (EINVAL); this
// file refuses them first. IFA_CACHEINFO is always sent, "forever" included, because a
// REPLACE without it would silently turn a finite lifetime into forever.
//
// Parsing takes untrusted bytes: the message is copied into aligned storage padded to the
// netlink alignment (libmnl reads up to MNL_ALIGN(nlmsg_len)), every attribute is checked
// with mnl_attr_validate/mnl_attr_validate2 before it is read, an attribute that overruns the
// message is an error, and unknown attributes (newer kernels add them) are skipped. When a
// lifetime runs out the kernel first sends RTM_NEWADDR with IFA_F_DEPRECATED (preferred 0)
// and then RTM_DELADDR: that DELADDR is how the daemon learns a VIP expired under it.
#include "net/netlink_address.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <vector>

#include "net/netlink_message.h"

namespace halo::net {
namespace {

constexpr std::uint32_t kFlagMask8 = 0xFF;

std::uint32_t flags_to_bits(const AddressFlags& f) {
  std::uint32_t bits = 0;
  if (f.nodad) bits |= IFA_F_NODAD;
  if (f.noprefixroute) bits |= IFA_F_NOPREFIXROUTE;
  if (f.homeaddress) bits |= IFA_F_HOMEADDRESS;
  if (f.managetempaddr) bits |= IFA_F_MANAGETEMPADDR;
  return bits;
}

AddressFlags bits_to_flags(std::uint32_t bits) {
  return AddressFlags{
      .nodad = (bits & IFA_F_NODAD) != 0,
      .noprefixroute = (bits & IFA_F_NOPREFIXROUTE) != 0,
      .homeaddress = (bits & IFA_F_HOMEADDRESS) != 0,
      .managetempaddr = (bits & IFA_F_MANAGETEMPADDR) != 0,
  };
}

Result<void> check_request(const AddressRequest& r) {
  const auto family = r.prefix.address.family();
  const unsigned max_length = family == Family::V4 ? 32 : 128;
  if (r.ifindex == 0) return fail("interface index 0");
  if (r.prefix.length > max_length) {
    return fail("prefix length " + std::to_string(r.prefix.length) + " is longer than " +
                std::to_string(max_length));
  }
  if (r.peer && r.peer->family() != family) return fail("peer and address families differ");
  if (r.broadcast) {
    if (family != Family::V4) return fail("broadcast address on an IPv6 address");
    if (!r.broadcast->is_v4()) return fail("IPv6 broadcast address");
  }
  if (r.label) {
    if (family != Family::V4) return fail("label on an IPv6 address (labels are IPv4 only)");
    if (auto ok = check_label(*r.label, r.interface_name); !ok) return ok;
  }
  return {};
}

Result<void> check_lifetime(const AddressLifetime& l) {
  // The kernel's rules (inet_rtm_newaddr, inet6_rtm_newaddr): EINVAL otherwise.
  if (l.valid == 0) return fail("valid lifetime 0");
  if (l.preferred > l.valid) {
    return fail("preferred lifetime " + std::to_string(l.preferred) + " s exceeds valid lifetime " +
                std::to_string(l.valid) + " s");
  }
  return {};
}

using MessageWriter = NetlinkWriter<kMaxAddressMessageSize>;

ifaddrmsg make_ifaddrmsg(const AddressRequest& r, std::uint32_t flag_bits) {
  ifaddrmsg ifa{};
  ifa.ifa_family = r.prefix.address.is_v4() ? AF_INET : AF_INET6;
  ifa.ifa_prefixlen = r.prefix.length;
  ifa.ifa_flags = static_cast<std::uint8_t>(flag_bits & kFlagMask8);
  // IPv6 derives the scope from the address and ignores this field.
  ifa.ifa_scope = static_cast<std::uint8_t>(r.scope);
  ifa.ifa_index = r.ifindex;
  return ifa;
}

// The address attributes shared by RTM_NEWADDR and RTM_DELADDR. IPv4 always sends IFA_LOCAL
// (the address) and IFA_ADDRESS (the address, or the peer); IPv6 sends IFA_ADDRESS alone,
// or IFA_LOCAL = address and IFA_ADDRESS = peer (the kernel's extract_addr()).
bool put_local(MessageWriter& w, const AddressRequest& r) {
  const bool v4 = r.prefix.address.is_v4();
  if (v4 || r.peer) return w.put_address(IFA_LOCAL, r.prefix.address);
  return true;
}
bool put_address(MessageWriter& w, const AddressRequest& r) {
  return w.put_address(IFA_ADDRESS, r.peer ? *r.peer : r.prefix.address);
}

}  // namespace

Result<void> check_label(std::string_view label, std::string_view interface_name) {
  if (label.empty()) return fail("empty address label");
  if (label.size() > kMaxLabelLength) {
    return fail("address label '" + std::string(label) + "' is longer than " +
                std::to_string(kMaxLabelLength) + " characters");
  }
  if (label.find('\0') != std::string_view::npos) return fail("address label contains NUL");
  if (interface_name.empty() || !label.starts_with(interface_name)) {
    return fail("address label '" + std::string(label) + "' must start with the interface name '" +
                std::string(interface_name) + "'");
  }
  return {};
}

Result<std::size_t> build_new_address(const AddressRequest& request, std::uint32_t seq,
                                      std::span<std::uint8_t> buf, bool replace) {
  if (auto ok = check_request(request); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_lifetime(request.lifetime); !ok) return tl::unexpected(ok.error());

  const std::uint32_t flag_bits = flags_to_bits(request.flags);
  const std::uint16_t nl_flags =
      NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
  MessageWriter w(buf.size());
  if (!w.start(RTM_NEWADDR, nl_flags, seq, make_ifaddrmsg(request, flag_bits))) {
    return too_small(buf);
  }
  ifa_cacheinfo ci{};
  ci.ifa_prefered = request.lifetime.preferred;
  ci.ifa_valid = request.lifetime.valid;
  const bool ok = put_local(w, request) &&
                  (!request.broadcast || w.put_address(IFA_BROADCAST, *request.broadcast)) &&
                  (!request.label || w.put_strz(IFA_LABEL, *request.label)) &&
                  put_address(w, request) && w.put(IFA_CACHEINFO, &ci, sizeof ci) &&
                  (flag_bits <= kFlagMask8 || w.put_u32(IFA_FLAGS, flag_bits));
  if (!ok) return too_small(buf);
  return w.finish(buf);
}

Result<std::size_t> build_del_address(const AddressRequest& request, std::uint32_t seq,
                                      std::span<std::uint8_t> buf) {
  if (auto ok = check_request(request); !ok) return tl::unexpected(ok.error());
  MessageWriter w(buf.size());
  if (!w.start(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq, make_ifaddrmsg(request, 0))) {
    return too_small(buf);
  }
  // The kernel deletes the first address that matches every attribute given: local address,
  // label (IPv4) and peer/prefix; the prefix length is matched through ifa_prefixlen.
  const bool ok = put_local(w, request) &&
                  (!request.label || w.put_strz(IFA_LABEL, *request.label)) &&
                  put_address(w, request);
  if (!ok) return too_small(buf);
  return w.finish(buf);
}

namespace {

struct AddressAttrs {
  const nlattr* tb[IFA_MAX + 1] = {};
  const char* error = nullptr;
  std::size_t addr_len = 0;
};

int address_attr_cb(const nlattr* attr, void* data) {
  auto* attrs = static_cast<AddressAttrs*>(data);
  const int type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, IFA_MAX) < 0) return MNL_CB_OK;  // newer kernel: skip
  int rc = 0;
  switch (type) {
    case IFA_ADDRESS:
    case IFA_LOCAL:
    case IFA_BROADCAST:
      rc = mnl_attr_validate2(attr, MNL_TYPE_BINARY, attrs->addr_len);
      break;
    case IFA_LABEL:
      rc = mnl_attr_validate(attr, MNL_TYPE_NUL_STRING);
      if (rc == 0 && mnl_attr_get_payload_len(attr) > kMaxLabelLength + 1) rc = -1;
      break;
    case IFA_CACHEINFO:
      rc = mnl_attr_validate2(attr, MNL_TYPE_BINARY, sizeof(ifa_cacheinfo));
      break;
    case IFA_FLAGS:
      rc = mnl_attr_validate(attr, MNL_TYPE_U32);
      break;
    default:
      return MNL_CB_OK;  // IFA_ANYCAST, IFA_MULTICAST, IFA_RT_PRIORITY, ...: not ours
  }
  if (rc < 0) {
    attrs->error = type == IFA_LABEL       ? "malformed IFA_LABEL"
                   : type == IFA_CACHEINFO ? "malformed IFA_CACHEINFO"
                   : type == IFA_FLAGS     ? "malformed IFA_FLAGS"
                                           : "address attribute of the wrong length";
    return MNL_CB_ERROR;
  }
  attrs->tb[type] = attr;
  return MNL_CB_OK;
}

IpAddress read_address(const nlattr* attr, Family family) {
  const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(attr));
  if (family == Family::V4) return IpAddress::v4({p[0], p[1], p[2], p[3]});
  std::array<std::uint8_t, 16> b{};
  std::memcpy(b.data(), p, b.size());
  return IpAddress::v6(b);
}

}  // namespace

Result<AddressMessage> parse_address_message(std::span<const std::uint8_t> bytes) {
  auto storage = copy_message(bytes);
  if (!storage) return tl::unexpected(storage.error());
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(storage->data());

  AddressMessage msg;
  if (nlh->nlmsg_type == RTM_NEWADDR) {
    msg.event = AddressEvent::Added;
  } else if (nlh->nlmsg_type == RTM_DELADDR) {
    msg.event = AddressEvent::Removed;
  } else {
    return fail("not an address message (type " + std::to_string(nlh->nlmsg_type) + ")");
  }
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(ifaddrmsg)) return fail("truncated ifaddrmsg");
  msg.seq = nlh->nlmsg_seq;
  msg.nlmsg_flags = nlh->nlmsg_flags;

  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  Family family = Family::V4;
  if (ifa->ifa_family == AF_INET) {
    family = Family::V4;
  } else if (ifa->ifa_family == AF_INET6) {
    family = Family::V6;
  } else {
    return fail("address family " + std::to_string(ifa->ifa_family) + " is neither IPv4 nor IPv6");
  }
  const unsigned max_length = family == Family::V4 ? 32 : 128;
  if (ifa->ifa_prefixlen > max_length) return fail("prefix length out of range");

  AddressAttrs attrs;
  attrs.addr_len = family == Family::V4 ? 4 : 16;
  // mnl_attr_parse() would stop quietly at a malformed attribute; walk by hand so that an
  // attribute running past the message, or bytes left over after the last one, is an error.
  const auto* first =
      static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifaddrmsg)));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  if (const char* error = walk_attributes(
          first, static_cast<std::size_t>(tail - first), [&](const nlattr* a) -> const char* {
            return address_attr_cb(a, &attrs) == MNL_CB_OK ? nullptr : attrs.error;
          })) {
    return fail(error);
  }

  // The address is IFA_LOCAL when present, else IFA_ADDRESS; an IFA_ADDRESS that differs from
  // IFA_LOCAL is the peer (the kernel's own reading, for both families).
  const nlattr* local =
      attrs.tb[IFA_LOCAL] != nullptr ? attrs.tb[IFA_LOCAL] : attrs.tb[IFA_ADDRESS];
  if (local == nullptr) return fail("address message without IFA_LOCAL or IFA_ADDRESS");
  auto& a = msg.address;
  a.ifindex = ifa->ifa_index;
  a.prefix = IpPrefix{read_address(local, family), ifa->ifa_prefixlen};
  if (attrs.tb[IFA_LOCAL] != nullptr && attrs.tb[IFA_ADDRESS] != nullptr) {
    auto other = read_address(attrs.tb[IFA_ADDRESS], family);
    if (other != a.prefix.address) a.peer = other;
  }
  if (attrs.tb[IFA_BROADCAST] != nullptr)
    a.broadcast = read_address(attrs.tb[IFA_BROADCAST], family);
  if (attrs.tb[IFA_LABEL] != nullptr) a.label = std::string(mnl_attr_get_str(attrs.tb[IFA_LABEL]));
  a.scope = static_cast<AddressScope>(ifa->ifa_scope);
  msg.raw_flags =
      attrs.tb[IFA_FLAGS] != nullptr ? mnl_attr_get_u32(attrs.tb[IFA_FLAGS]) : ifa->ifa_flags;
  a.flags = bits_to_flags(msg.raw_flags);
  if (attrs.tb[IFA_CACHEINFO] != nullptr) {
    ifa_cacheinfo ci;
    std::memcpy(&ci, mnl_attr_get_payload(attrs.tb[IFA_CACHEINFO]), sizeof ci);
    a.lifetime = AddressLifetime{.valid = ci.ifa_valid, .preferred = ci.ifa_prefered};
    msg.has_cacheinfo = true;
  }
  return msg;
}

namespace {

struct AckAttrs {
  const nlattr* msg = nullptr;
};

int ack_attr_cb(const nlattr* attr, void* data) {
  if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
      mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
    static_cast<AckAttrs*>(data)->msg = attr;
  }
  return MNL_CB_OK;  // other TLVs (offset, policy, ...) are not used; a bad one is skipped
}

}  // namespace

Result<NetlinkAck> parse_ack(std::span<const std::uint8_t> bytes) {
  auto storage = copy_message(bytes);
  if (!storage) return tl::unexpected(storage.error());
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(storage->data());
  if (nlh->nlmsg_type != NLMSG_ERROR) {
    return fail("not a netlink ack (type " + std::to_string(nlh->nlmsg_type) + ")");
  }
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(nlmsgerr)) return fail("truncated nlmsgerr");
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  NetlinkAck ack;
  ack.seq = nlh->nlmsg_seq;
  // The kernel sends -errno; a positive value is malformed.
  if (err->error > 0) return fail("positive error code in netlink ack");
  if (err->error == std::numeric_limits<int>::min())
    return fail("error code out of range in netlink ack");
  ack.error = -err->error;

  // Extended ack (NETLINK_EXT_ACK): TLVs follow the echoed request, or just its header when
  // NLM_F_CAPPED is set (always the case for a success ack).
  if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) != 0) {
    std::size_t offset = sizeof(nlmsgerr);
    if ((nlh->nlmsg_flags & NLM_F_CAPPED) == 0) {
      if (err->msg.nlmsg_len < sizeof(nlmsghdr)) return fail("malformed echoed request");
      offset += MNL_ALIGN(err->msg.nlmsg_len) - sizeof(nlmsghdr);
    }
    const std::size_t payload_len = mnl_nlmsg_get_payload_len(nlh);
    if (offset > payload_len) return fail("extended ack offset past the message");
    AckAttrs attrs;
    mnl_attr_parse(nlh, static_cast<unsigned>(offset), ack_attr_cb, &attrs);
    if (attrs.msg != nullptr) ack.message = mnl_attr_get_str(attrs.msg);
  }
  return ack;
}

}  // namespace halo::net
