#include "config/load.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <set>

#include "config/lexer.h"
#include "config/tables/tables.h"
#include "config/validate.h"

namespace halo::config {
namespace {

// The interface names of a named network namespace (ip netns), read by stepping into it and
// back. Empty optional when the namespace cannot be entered.
std::optional<std::set<std::string, std::less<>>> interfaces_in_namespace(const std::string& name) {
  const int target = open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) return std::nullopt;
  const int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  std::optional<std::set<std::string, std::less<>>> names;
  if (home >= 0 && setns(target, CLONE_NEWNET) == 0) {
    names.emplace();
    if (auto* list = if_nameindex()) {
      for (auto* i = list; i->if_index != 0; ++i) names->emplace(i->if_name);
      if_freenameindex(list);
    }
    // Returning cannot fail for a namespace we came from; if it did, running on in the wrong
    // namespace would be worse than stopping.
    if (setns(home, CLONE_NEWNET) != 0) std::abort();
  }
  if (home >= 0) close(home);
  close(target);
  return names;
}

std::function<bool(std::string_view)> interface_lookup(const Config& config,
                                                       const LoadOptions& options,
                                                       Diagnostics& diag) {
  if (options.interface_exists) return options.interface_exists;
  if (options.follow_net_namespace && config.global.net_namespace) {
    auto names = interfaces_in_namespace(*config.global.net_namespace);
    if (!names) {
      // keepalived -t does not check the interfaces of a namespace that does not exist yet.
      diag.warning({}, fmt::format("network namespace '{}' does not exist; interfaces are not "
                                   "checked",
                                   *config.global.net_namespace));
      return [](std::string_view) { return true; };
    }
    return [names = std::move(*names)](std::string_view n) { return names.contains(n); };
  }
  return [](std::string_view name) { return if_nametoindex(std::string(name).c_str()) != 0; };
}

void run(Lexer& lexer, Loaded& loaded, const LoadOptions& options) {
  auto config = std::make_unique<Config>();
  Parser parser(lexer, loaded.diagnostics);
  parser.parse_top(config_table(), *config);
  ValidateOptions vo;
  vo.interface_exists = interface_lookup(*config, options, loaded.diagnostics);
  validate(*config, vo, loaded.diagnostics);
  loaded.config = std::move(config);
}

LexerOptions lexer_options(const LoadOptions& options) {
  LexerOptions lo;
  lo.config_id = options.config_id;
  lo.max_expanded_lines = options.max_expanded_lines;
  return lo;
}

}  // namespace

Loaded load_file(const std::string& path, const LoadOptions& options) {
  Loaded loaded{nullptr, {}, Diagnostics(options.keywords == KeywordMode::Strict)};
  Lexer lexer(loaded.sources, loaded.diagnostics, lexer_options(options));
  if (!lexer.open_file(path)) {
    loaded.config = std::make_unique<Config>();
    return loaded;
  }
  run(lexer, loaded, options);
  return loaded;
}

Loaded load_text(std::string name, std::string text, const LoadOptions& options) {
  Loaded loaded{nullptr, {}, Diagnostics(options.keywords == KeywordMode::Strict)};
  Lexer lexer(loaded.sources, loaded.diagnostics, lexer_options(options));
  lexer.open_text(std::move(name), std::move(text));
  run(lexer, loaded, options);
  return loaded;
}

int config_test_exit_code(const Diagnostics& diagnostics) {
  bool fatal = false, errors = false, security = false;
  for (const auto& d : diagnostics.all()) {
    if (d.severity != Severity::Error) continue;
    fatal |= d.impact == Impact::Fatal;
    security |= d.impact == Impact::ScriptSecurity;
    errors = true;
  }
  // keepalived reports one status, in this order of precedence.
  if (fatal) return kConfigCannotRun;
  if (security) return kConfigScriptSecurity;
  if (errors) return kConfigRunsWithoutBadParts;
  return kConfigOk;
}

}  // namespace halo::config
