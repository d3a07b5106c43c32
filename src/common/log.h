// Per-component loggers on shared sinks: console, syslog (with keepalived's -S facility) and
// the systemd journal (stderr lines with a "<N>" priority prefix; no libsystemd). Every
// component asks for its logger by name ("config", "vrrp", ...) and messages carry that name,
// so one grep finds one subsystem's story.
#pragma once

#include <spdlog/logger.h>

#include <string>
#include <string_view>

namespace halo::log {

struct Options {
  bool console = false;   // -l: log to stderr
  bool syslog = true;     // cleared by -G
  bool journal = false;   // when started by systemd (JOURNAL_STREAM set)
  std::string file;       // -g: also append to this file
  bool detail = false;    // -D: debug level
  int facility = 3 << 3;  // LOG_DAEMON; -S picks another
  std::string ident = "halod";
};

// Replaces the sinks of every logger, existing and future. Call once at start-up; calling it
// again (tests, re-exec) is allowed.
void init(const Options& options);

// The logger of one component. Never null; before init() it writes to stderr.
spdlog::logger& get(std::string_view component);

// The syslog priority (LOG_DEBUG..LOG_CRIT) of a level; the journal sink writes it as "<N>".
int syslog_priority(spdlog::level::level_enum level);

// Parses -S: 0-7 (local0..local7), local0..local7, user or daemon. Returns -1 when invalid.
int parse_facility(std::string_view text);

}  // namespace halo::log
