// What the rtnetlink codecs (net/netlink_address, net/netlink_link, net/netlink_route) share:
// a writer that builds one request, and the careful first steps of reading untrusted bytes.
//
// Building: libmnl writes through struct pointers, so a request is built in aligned scratch
// storage and copied out, and the caller's buffer may have any alignment. Every put checks
// the room left (the smaller of the caller's buffer and the codec's largest message); a
// false return means "too small", reported by too_small().
//
// Reading: copy_message() copies one message into 4-byte aligned storage padded to the
// netlink alignment (libmnl reads up to MNL_ALIGN(nlmsg_len)), and walk_attributes() walks
// attributes by hand (mnl_attr_parse stops silently at a bad one), so that an attribute
// running past its message or its nest, or bytes left over after the last one, is an error.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace halo::net {

// Builds one netlink request of at most kCapacity bytes: a header struct (ifaddrmsg,
// ifinfomsg, rtmsg, ...) and attributes. Nests are libmnl's, marked NLA_F_NESTED.
template <std::size_t kCapacity>
class NetlinkWriter {
 public:
  explicit NetlinkWriter(std::size_t limit) : limit_(std::min(limit, kCapacity)) {}

  template <class Header>
  bool start(std::uint16_t type, std::uint16_t flags, std::uint32_t seq, const Header& header) {
    if (limit_ < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(Header))) return false;
    nlh_ = mnl_nlmsg_put_header(storage_.data());
    nlh_->nlmsg_type = type;
    nlh_->nlmsg_flags = flags;
    nlh_->nlmsg_seq = seq;
    auto* payload = static_cast<Header*>(mnl_nlmsg_put_extra_header(nlh_, sizeof(Header)));
    *payload = header;
    return true;
  }
  bool put(std::uint16_t type, const void* data, std::size_t len) {
    return mnl_attr_put_check(nlh_, limit_, type, len, data);
  }
  bool put_address(std::uint16_t type, const IpAddress& a) {
    return put(type, a.bytes().data(), a.is_v4() ? 4 : 16);
  }
  bool put_u8(std::uint16_t type, std::uint8_t v) {
    return mnl_attr_put_u8_check(nlh_, limit_, type, v);
  }
  bool put_u32(std::uint16_t type, std::uint32_t v) {
    return mnl_attr_put_u32_check(nlh_, limit_, type, v);
  }
  bool put_strz(std::uint16_t type, const std::string& s) {
    return mnl_attr_put_strz_check(nlh_, limit_, type, s.c_str());
  }
  nlattr* nest_start(std::uint16_t type) { return mnl_attr_nest_start_check(nlh_, limit_, type); }
  void nest_end(nlattr* nest) { mnl_attr_nest_end(nlh_, nest); }
  // Reserves room for a struct of `size` bytes (padded) inside the message; null when full.
  void* reserve(std::size_t size) {
    if (nlh_->nlmsg_len + MNL_ALIGN(size) > limit_) return nullptr;
    void* at = mnl_nlmsg_get_payload_tail(nlh_);
    std::memset(at, 0, MNL_ALIGN(size));
    nlh_->nlmsg_len += MNL_ALIGN(size);
    return at;
  }
  void* tail() const { return mnl_nlmsg_get_payload_tail(nlh_); }
  std::size_t finish(std::span<std::uint8_t> out) const {
    std::memcpy(out.data(), storage_.data(), nlh_->nlmsg_len);
    return nlh_->nlmsg_len;
  }

 private:
  std::size_t limit_;
  alignas(nlmsghdr) std::array<std::uint8_t, kCapacity> storage_{};
  nlmsghdr* nlh_ = nullptr;
};

// "netlink buffer of N bytes is too small": a writer's put or start failed.
Result<std::size_t> too_small(std::span<std::uint8_t> buf);

// Copies one netlink message into 4-byte aligned storage, zero-padded to MNL_ALIGN(len), so
// that libmnl's pointer casts are aligned and its attribute walk (which runs to the aligned
// tail) never leaves the copy.
Result<std::vector<std::uint32_t>> copy_message(std::span<const std::uint8_t> bytes);

// Walks the attributes in [begin, begin + len): every one must lie inside, and the last one
// (padded) must end at MNL_ALIGN(len). `begin` is 4-byte aligned and the storage behind it is
// readable up to begin + MNL_ALIGN(len). Calls `visit(attr)` for each; stops at its first
// error (a static message).
template <class Visit>
const char* walk_attributes(const void* begin, std::size_t len, Visit visit) {
  const auto* start = static_cast<const char*>(begin);
  const char* tail = start + len;
  const auto* attr = static_cast<const nlattr*>(begin);
  while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
    if (const char* error = visit(attr); error != nullptr) return error;
    attr = mnl_attr_next(attr);
  }
  if (reinterpret_cast<const char*>(attr) != start + MNL_ALIGN(len)) return "malformed attribute";
  return nullptr;
}

}  // namespace halo::net
