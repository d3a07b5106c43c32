// A vrrp_script run every interval and folded through rise and fall, as keepalived 2.2.7 does
// it (keepalived/vrrp/vrrp_scheduler.c, vrrp_script_child_thread and vrrp_init_script).
//
// keepalived keeps one counter, `result`, between 0 and rise + fall - 1; the script is up while
// result >= rise. A success below rise - 1 counts up by one; a success at rise - 1 or above
// jumps to the top (rise + fall - 1), so after a failure streak the script needs `rise`
// successes and, once up, `fall` consecutive failures bring it down. A failure above rise
// counts down by one; a failure at rise or below drops to 0 (down). A timeout, a signal and a
// script that cannot be started are failures like a non-zero exit.
//
// The start: with init_fail, result = 0 (down, `rise` successes needed, nothing reported until
// then). Without it, result = rise - 1 and the script is in keepalived's INIT state: neither up
// nor down; the instances tracking it apply no weight yet (a weight-0 instance waits in INIT).
// The first run decides: a success makes it up (one is enough, whatever rise is), a failure
// makes it down, and either is reported to the instances (keepalived calls
// update_script_priorities for the first failure too, although result was below rise). Here
// that is initialising() until the first run ends, and the handler is called once for that
// first verdict.
//
// Runs never overlap: the next run starts `interval` after the previous one started, or as
// soon as it ended if it took longer (keepalived schedules the next run from the end of the
// previous one's timer the same way). The timeout defaults to the interval.
#include "track/script_tracker.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <utility>

#include "common/log.h"
#include "config/lexer.h"

namespace halo::track {
namespace {

spdlog::logger& logger() {
  return log::get("track");
}

}  // namespace

struct ScriptTracker::Impl {
  Impl(boost::asio::io_context& context, process::Supervisor& sup, config::VrrpScript config,
       process::Credentials creds, ChangeHandler handler)
      : io(context),
        supervisor(sup),
        script(std::move(config)),
        credentials(std::move(creds)),
        changed(std::move(handler)),
        timer(context),
        rise(std::max<std::uint32_t>(script.rise, 1)),
        fall(std::max<std::uint32_t>(script.fall, 1)),
        result(script.init_fail ? 0 : rise - 1),
        initialising(!script.init_fail) {}

  boost::asio::io_context& io;
  process::Supervisor& supervisor;
  config::VrrpScript script;
  process::Credentials credentials;
  ChangeHandler changed;
  boost::asio::steady_timer timer;
  std::uint32_t rise;
  std::uint32_t fall;
  std::uint32_t result;
  bool initialising;
  std::optional<process::ChildId> running;
  std::chrono::steady_clock::time_point last_start;
  Stats stats;
  // Handlers hold a weak_ptr to this: a timer completion already queued when the tracker is
  // destroyed finds it expired and returns (a shared_ptr for this reason only).
  std::shared_ptr<char> alive = std::make_shared<char>();

  bool up() const { return !initialising && result >= rise; }

  void run() {
    last_start = std::chrono::steady_clock::now();
    process::Command command;
    command.argv = config::split_command(script.script.command);
    command.credentials = credentials;
    command.timeout = script.timeout.value_or(script.interval);
    command.description = "vrrp_script " + script.name;
    auto id = supervisor.spawn(std::move(command), [this](const process::ExitStatus& status) {
      running.reset();
      finished(status);
    });
    if (!id) {
      logger().warn("[script {}] {}", script.name, id.error().message);
      process::ExitStatus status;
      status.how = process::ExitStatus::How::SpawnFailed;
      status.exit_code = 127;
      status.error = id.error().message;
      // Report asynchronously, like a run that failed, so start() never calls the handler.
      boost::asio::post(io, [this, weak = std::weak_ptr<char>(alive), status] {
        if (!weak.expired()) finished(status);
      });
      return;
    }
    running = *id;
  }

  void schedule_next() {
    const auto next = last_start + script.interval;
    timer.expires_at(next);
    timer.async_wait(
        [this, weak = std::weak_ptr<char>(alive)](const boost::system::error_code& ec) {
          if (weak.expired() || ec) return;
          run();
        });
  }

  void finished(const process::ExitStatus& status) {
    ++stats.runs;
    const bool ok = status.success();
    if (!ok) ++stats.failures;
    if (status.timed_out) ++stats.timeouts;
    stats.last_exit =
        status.how == process::ExitStatus::How::Signaled ? -status.signal : status.exit_code;

    const bool was_up = up();
    const bool was_initialising = initialising;
    bool report = false;
    const std::uint32_t top = rise + fall - 1;
    if (ok) {
      if (result + 1 < rise) {
        ++result;
      } else if (result != top) {
        report = result < rise;
        result = top;
      }
    } else if (result > rise) {
      --result;
    } else {
      report = result == rise || initialising;
      result = 0;
    }
    initialising = false;

    schedule_next();
    if (!report) return;
    if (status.timed_out) {
      logger().info("[script {}] {} -> DOWN (timed out)", script.name,
                    was_initialising ? "INIT" : "UP");
    } else {
      logger().info("[script {}] {} -> {} ({})", script.name,
                    was_initialising ? "INIT" : (was_up ? "UP" : "DOWN"), up() ? "UP" : "DOWN",
                    describe(status));
    }
    if (changed) changed(up());  // last: the handler may destroy the tracker
  }

  static std::string describe(const process::ExitStatus& status) {
    switch (status.how) {
      case process::ExitStatus::How::Exited:
        return "exit " + std::to_string(status.exit_code);
      case process::ExitStatus::How::Signaled:
        return "signal " + std::to_string(status.signal);
      case process::ExitStatus::How::SpawnFailed:
        return status.error;
    }
    return "";
  }
};

ScriptTracker::ScriptTracker(boost::asio::io_context& io, process::Supervisor& supervisor,
                             config::VrrpScript script, process::Credentials credentials,
                             ChangeHandler changed)
    : impl_(std::make_unique<Impl>(io, supervisor, std::move(script), std::move(credentials),
                                   std::move(changed))) {}

ScriptTracker::~ScriptTracker() {
  impl_->timer.cancel();
  if (impl_->running) impl_->supervisor.cancel(*impl_->running, std::chrono::seconds(1));
}

void ScriptTracker::start() {
  if (impl_->running) return;
  impl_->run();
}

bool ScriptTracker::up() const {
  return impl_->up();
}
bool ScriptTracker::initialising() const {
  return impl_->initialising;
}
const config::VrrpScript& ScriptTracker::config() const {
  return impl_->script;
}
const ScriptTracker::Stats& ScriptTracker::stats() const {
  return impl_->stats;
}

}  // namespace halo::track
