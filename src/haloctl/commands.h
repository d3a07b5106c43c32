// What each haloctl subcommand does, on top of client.h. Each returns the process's exit code
// (client.h Exit) after printing its output to stdout and any failure to stderr.
#pragma once

#include <chrono>
#include <string>

namespace halo::ctl {

struct Options {
  std::string socket = "/run/halo/halo.sock";
  bool json = false;
  std::chrono::milliseconds timeout{5000};
};

// `show WHAT json`, printed as JSON (--json) or as halod's table for WHAT ("info",
// "instances", "instance NAME", "trackers", "servers", "checks", "stats").
int show(const Options& options, const std::string& what);
// A command whose reply is printed as it is (set, enable, disable, reload, dump, schema).
int command(const Options& options, const std::string& line);
// `raw`: the line as given, every byte of the reply printed.
int raw(const Options& options, const std::string& line);
// `show events` or, following, `show events follow` until interrupted or the daemon closes.
int events(const Options& options, bool follow);
// The instances table, redrawn every `interval` until SIGINT (exit 0).
int watch(const Options& options, std::chrono::milliseconds interval);

}  // namespace halo::ctl
