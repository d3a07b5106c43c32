// What a tracker reports to the instances and sync groups that watch it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace halo::track {

enum class TrackerKind : std::uint8_t { Interface, Script, Process, File, Bfd };

std::string_view to_string(TrackerKind kind);  // "interface", "script", "process", "file", "bfd"
std::optional<TrackerKind> kind_from_string(std::string_view name);  // to_string's inverse

struct TrackerStatus {
  bool up = true;          // script OK, process quorum met, interface up, file value 0
  std::int64_t value = 0;  // track_file: the number read (0 when unreadable); others 0
  // No verdict yet: a vrrp_script whose first run has not ended (keepalived's INIT). It
  // adjusts nothing, and an instance it could put in FAULT waits in INIT for it.
  bool pending = false;

  friend bool operator==(const TrackerStatus&, const TrackerStatus&) = default;
};

}  // namespace halo::track
