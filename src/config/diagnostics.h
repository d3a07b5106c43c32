// Configuration problems, reported like a compiler reports them:
//
//   keepalived.conf:12:14: error: priority 300 is out of range 1..255
//       priority 300
//                ^
//
// Every problem is collected (the parser recovers and goes on), so one run shows them all.
#pragma once

#include <fmt/core.h>

#include <string>
#include <vector>

#include "config/source.h"

namespace halo::config {

enum class Severity { Warning, Error };

// What a problem means for running the configuration. keepalived's -t distinguishes a config
// that cannot run at all from one that would run after dropping the bad parts.
enum class Impact {
  None,            // a warning: nothing is dropped
  Dropped,         // the bad keyword, value or block is ignored; the rest can run
  Fatal,           // the configuration cannot be run (no file, unreadable, ...)
  UnknownKeyword,  // an error for -t and --strict, a warning when the daemon starts
  ScriptSecurity,  // scripts would run as root without enable_script_security
};

struct Diagnostic {
  Severity severity;
  Impact impact;
  SourceLoc loc;
  std::string message;
};

class Diagnostics {
 public:
  explicit Diagnostics(bool strict = true) : unknown_is_error_(strict) {}

  void error(SourceLoc loc, std::string message) {
    add(Severity::Error, Impact::Dropped, loc, std::move(message));
  }
  void fatal(SourceLoc loc, std::string message) {
    add(Severity::Error, Impact::Fatal, loc, std::move(message));
  }
  void warning(SourceLoc loc, std::string message) {
    add(Severity::Warning, Impact::None, loc, std::move(message));
  }
  void unknown_keyword(SourceLoc loc, std::string message) {
    add(unknown_is_error_ ? Severity::Error : Severity::Warning, Impact::UnknownKeyword, loc,
        std::move(message));
  }
  void script_security(SourceLoc loc, std::string message) {
    add(Severity::Error, Impact::ScriptSecurity, loc, std::move(message));
  }
  void add(Severity severity, Impact impact, SourceLoc loc, std::string message);

  const std::vector<Diagnostic>& all() const { return list_; }
  bool has_errors() const { return errors_ > 0; }
  bool has_fatal() const;
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }

  // Renders every diagnostic with its source line and a caret.
  std::string render(const SourceSet& sources) const;
  static std::string render(const Diagnostic& d, const SourceSet& sources);

 private:
  // Bounded so a generated config with a systematic mistake cannot exhaust memory.
  static constexpr std::size_t kMaxDiagnostics = 10000;
  bool unknown_is_error_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
  std::vector<Diagnostic> list_;
};

}  // namespace halo::config
