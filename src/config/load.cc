#include "config/load.h"

#include <net/if.h>

#include "config/lexer.h"
#include "config/tables/tables.h"
#include "config/validate.h"

namespace halo::config {
namespace {

void run(Lexer& lexer, Loaded& loaded, const LoadOptions& options) {
  auto config = std::make_unique<Config>();
  Parser parser(lexer, loaded.diagnostics);
  parser.parse_top(config_table(), *config);
  ValidateOptions vo;
  vo.interface_exists =
      options.interface_exists ? options.interface_exists : [](std::string_view name) {
        return if_nametoindex(std::string(name).c_str()) != 0;
      };
  validate(*config, vo, loaded.diagnostics);
  loaded.config = std::move(config);
}

LexerOptions lexer_options(const LoadOptions& options) {
  LexerOptions lo;
  lo.config_id = options.config_id;
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
