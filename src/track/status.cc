#include "track/status.h"

namespace halo::track {

std::string_view to_string(TrackerKind kind) {
  switch (kind) {
    case TrackerKind::Interface:
      return "interface";
    case TrackerKind::Script:
      return "script";
    case TrackerKind::Process:
      return "process";
    case TrackerKind::File:
      return "file";
    case TrackerKind::Bfd:
      return "bfd";
  }
  return "?";
}

std::optional<TrackerKind> kind_from_string(std::string_view name) {
  for (const auto kind : {TrackerKind::Interface, TrackerKind::Script, TrackerKind::Process,
                          TrackerKind::File, TrackerKind::Bfd}) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace halo::track
