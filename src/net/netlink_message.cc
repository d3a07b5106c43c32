// The shared steps of the rtnetlink codecs: see net/netlink_message.h.
#include "net/netlink_message.h"

namespace halo::net {

Result<std::size_t> too_small(std::span<std::uint8_t> buf) {
  return fail("netlink buffer of " + std::to_string(buf.size()) + " bytes is too small");
}

Result<std::vector<std::uint32_t>> copy_message(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < sizeof(nlmsghdr)) return fail("truncated netlink header");
  nlmsghdr hdr;
  std::memcpy(&hdr, bytes.data(), sizeof hdr);
  if (hdr.nlmsg_len < sizeof(nlmsghdr)) return fail("netlink length shorter than the header");
  if (hdr.nlmsg_len > bytes.size()) return fail("netlink message longer than the buffer");
  std::vector<std::uint32_t> storage((MNL_ALIGN(hdr.nlmsg_len)) / 4, 0);
  std::memcpy(storage.data(), bytes.data(), hdr.nlmsg_len);
  return storage;
}

}  // namespace halo::net
