// The journal sink: under systemd (JOURNAL_STREAM) records go to stderr as
// "<priority>[component] message", which the journal's stream reader turns into PRIORITY=.
#include "common/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <syslog.h>
#include <unistd.h>

#include <string>

namespace halo::log {
namespace {

TEST(Log, SyslogPriorityOfEachLevel) {
  EXPECT_EQ(syslog_priority(spdlog::level::trace), LOG_DEBUG);
  EXPECT_EQ(syslog_priority(spdlog::level::debug), LOG_DEBUG);
  EXPECT_EQ(syslog_priority(spdlog::level::info), LOG_INFO);
  EXPECT_EQ(syslog_priority(spdlog::level::warn), LOG_WARNING);
  EXPECT_EQ(syslog_priority(spdlog::level::err), LOG_ERR);
  EXPECT_EQ(syslog_priority(spdlog::level::critical), LOG_CRIT);
}

// Runs `body` with stderr redirected into a pipe and returns what it wrote.
template <class F>
std::string capture_stderr(F body) {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  const int saved = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  body();
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  return out;
}

TEST(Log, JournalLinesCarryPriorityAndComponent) {
  Options options;
  options.syslog = false;
  options.journal = true;
  options.detail = true;
  const auto out = capture_stderr([&] {
    init(options);
    get("vrrp").info("[VI_1/v4] BACKUP -> MASTER");
    get("daemon").warn("reload failed");
    get("config").error("bad file");
    get("vrrp").debug("advert");
    Options quiet;
    quiet.syslog = false;
    init(quiet);  // no sinks, so later tests in this process do not write into the pipe
  });
  EXPECT_EQ(out,
            "<6>[vrrp] [VI_1/v4] BACKUP -> MASTER\n"
            "<4>[daemon] reload failed\n"
            "<3>[config] bad file\n"
            "<7>[vrrp] advert\n");
}

}  // namespace
}  // namespace halo::log
