// Reading a configuration: lexing, parsing and validation in one call, with every problem
// collected. Used by `halod -t`, by start-up and by reload.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "config/lexer.h"
#include "config/model.h"
#include "config/parser.h"
#include "config/source.h"

namespace halo::config {

struct LoadOptions {
  std::string config_id;  // -i; empty: the host name
  KeywordMode keywords = KeywordMode::Strict;
  // Whether a network interface exists; null: look in the namespace halo will run in (the
  // config's net_namespace when follow_net_namespace, else the current one).
  std::function<bool(std::string_view)> interface_exists;
  // keepalived checks interfaces inside the config's net_namespace; -s (which halod has
  // already entered) overrides it.
  bool follow_net_namespace = true;
  // Upper bound on lines produced by ~SEQ/~LST/multi-line definitions (LexerOptions).
  std::uint64_t max_expanded_lines = LexerOptions{}.max_expanded_lines;
};

struct Loaded {
  std::unique_ptr<const Config> config;  // always set; parts with errors are left out
  SourceSet sources;
  Diagnostics diagnostics;

  bool ok() const { return !diagnostics.has_errors(); }
};

Loaded load_file(const std::string& path, const LoadOptions& options);
Loaded load_text(std::string name, std::string text, const LoadOptions& options);

// keepalived's exit codes for -t/--config-test.
enum ConfigTestExit : int {
  kConfigOk = 0,
  kConfigCannotRun = 4,            // keepalived's KEEPALIVED_EXIT_CONFIG
  kConfigRunsWithoutBadParts = 5,  // KEEPALIVED_EXIT_CONFIG_TEST
  kConfigScriptSecurity = 6,       // KEEPALIVED_EXIT_CONFIG_TEST_SECURITY
};
int config_test_exit_code(const Diagnostics& diagnostics);

}  // namespace halo::config
