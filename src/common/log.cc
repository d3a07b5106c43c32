#include "common/log.h"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <vector>

namespace halo::log {
namespace {

// Under systemd, stderr is a stream into the journal (JOURNAL_STREAM names it) that reads a
// leading "<N>" on each line as the record's syslog priority (SyslogLevelPrefix=, on by
// default; systemd.exec(5)). One write(2) per record keeps lines whole.
class JournalStreamSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    fmt::format_to(std::back_inserter(line), "<{}>", syslog_priority(msg.level));
    formatter_->format(msg, line);
    const char* data = line.data();
    size_t left = line.size();
    while (left > 0) {
      const ssize_t n = ::write(STDERR_FILENO, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere left to complain to
      data += n;
      left -= static_cast<size_t>(n);
    }
  }
  void flush_() override {}
};

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
    r.sinks.push_back(std::make_shared<JournalStreamSink>());
    r.sinks.back()->set_pattern("[%n] %v");
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

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
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
