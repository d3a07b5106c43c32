#include "common/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <map>
#include <memory>
#include <vector>

namespace halo::log {
namespace {

struct Registry {
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_sink_st>()};
  spdlog::level::level_enum level = spdlog::level::info;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void init(const Options& options) {
  auto& r = registry();
  r.sinks.clear();
  if (options.console) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
    r.sinks.push_back(sink);
  }
  if (!options.file.empty()) {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(options.file);
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %l [%n] %v");
    r.sinks.push_back(sink);
  }
  if (options.journal) {
    r.sinks.push_back(std::make_shared<spdlog::sinks::systemd_sink_st>(options.ident));
  } else if (options.syslog) {
    r.sinks.push_back(std::make_shared<spdlog::sinks::syslog_sink_st>(
        options.ident, LOG_PID, options.facility, /*enable_formatting=*/true));
    r.sinks.back()->set_pattern("[%n] %v");
  }
  r.level = options.detail ? spdlog::level::debug : spdlog::level::info;
  for (auto& [name, logger] : r.loggers) {
    logger->sinks() = r.sinks;
    logger->set_level(r.level);
  }
}

spdlog::logger& get(std::string_view component) {
  auto& r = registry();
  auto it = r.loggers.find(component);
  if (it == r.loggers.end()) {
    auto logger =
        std::make_shared<spdlog::logger>(std::string(component), r.sinks.begin(), r.sinks.end());
    logger->set_level(r.level);
    it = r.loggers.emplace(std::string(component), std::move(logger)).first;
  }
  return *it->second;
}

int parse_facility(std::string_view text) {
  if (text == "user") return LOG_USER;
  if (text == "daemon") return LOG_DAEMON;
  if (text.starts_with("local")) text.remove_prefix(5);
  if (text.size() == 1 && text[0] >= '0' && text[0] <= '7') {
    return (16 + (text[0] - '0')) << 3;  // LOG_LOCAL0 is 16 << 3
  }
  return -1;
}

}  // namespace halo::log
