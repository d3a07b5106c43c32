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

}  // namespace halo::track
