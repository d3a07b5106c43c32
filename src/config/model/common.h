// Value types shared by every part of the configuration model.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "config/source.h"

namespace halo::config {

// keepalived's <TIMER>: seconds with a fraction, microsecond resolution.
using Duration = std::chrono::microseconds;

// A script to run: `notify_master "/bin/notify.sh MASTER" user group`. The command is kept as
// written (one string, split into arguments when run, single quotes grouping).
struct Script {
  std::string command;
  std::optional<std::string> user;
  std::optional<std::string> group;
  SourceLoc loc;

  bool operator==(const Script&) const = default;
};

}  // namespace halo::config
