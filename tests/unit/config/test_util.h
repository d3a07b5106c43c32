// Helpers for config unit tests: load text with a fake set of interfaces, look at diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "config/load.h"

namespace halo::config::testing {

// Interfaces that exist for validation in unit tests.
inline const std::set<std::string, std::less<>>& test_interfaces() {
  static const std::set<std::string, std::less<>> names{"eth0", "eth1", "eth2", "lo"};
  return names;
}

inline Loaded load(const std::string& text, KeywordMode mode = KeywordMode::Strict,
                   std::string config_id = "testhost") {
  LoadOptions o;
  o.config_id = std::move(config_id);
  o.keywords = mode;
  o.interface_exists = [](std::string_view n) { return test_interfaces().contains(n); };
  return load_text("test.conf", text, o);
}

// All diagnostics rendered, for failure messages and substring checks.
inline std::string rendered(const Loaded& l) {
  return l.diagnostics.render(l.sources);
}

// True when some diagnostic of `severity` mentions `needle` (on `line`, unless it is 0).
inline bool has_diagnostic(const Diagnostics& diagnostics, Severity severity, std::uint32_t line,
                           const std::string& needle) {
  for (const auto& d : diagnostics.all()) {
    if (d.severity == severity && (line == 0 || d.loc.line == line) &&
        d.message.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline bool has_error(const Loaded& l, std::uint32_t line, const std::string& needle) {
  return has_diagnostic(l.diagnostics, Severity::Error, line, needle);
}
inline bool has_warning(const Loaded& l, std::uint32_t line, const std::string& needle) {
  return has_diagnostic(l.diagnostics, Severity::Warning, line, needle);
}
inline bool has_error_anywhere(const Loaded& l, const std::string& needle) {
  return has_diagnostic(l.diagnostics, Severity::Error, 0, needle);
}

}  // namespace halo::config::testing
