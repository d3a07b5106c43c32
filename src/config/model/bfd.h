// bfd_instance: a BFD session (RFC 5880) to one neighbour, tracked by VRRP instances
// (track_bfd) and by real servers (BFD_CHECK).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ip_address.h"
#include "config/model/common.h"

namespace halo::config {

struct BfdInstance {
  std::string name;
  SourceLoc loc;
  std::optional<IpAddress> neighbor_ip;  // required
  std::optional<IpAddress> source_ip;
  Duration min_rx = std::chrono::milliseconds(10);
  Duration min_tx = std::chrono::milliseconds(10);
  Duration idle_tx = std::chrono::milliseconds(1000);
  std::uint8_t multiplier = 5;
  bool passive = false;
  std::optional<std::uint8_t> ttl;  // ttl / hoplimit; default 255 (IPv4) or 64 (IPv6)
  std::int16_t max_hops = 0;        // -1..255; 255 disables the check
  std::int16_t weight = 0;          // default weight for track_bfd
  bool weight_reverse = false;
  bool vrrp = false;     // notify only the VRRP side
  bool checker = false;  // notify only the checkers

  bool operator==(const BfdInstance&) const = default;
};

}  // namespace halo::config
