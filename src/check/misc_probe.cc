// MISC_CHECK's probe: one supervised child per attempt. The supervisor owns the timeout
// (SIGTERM, then SIGKILL after the kill grace) and the reaping; this file only starts the run,
// forgets it on cancel() (Supervisor::cancel stops the child and drops its handler), and turns
// the exit status into an Outcome.
//
// `done` is moved out of the probe before it is called, so the Checker may destroy the probe
// from inside it.
#include "check/misc_probe.h"

#include <boost/asio/post.hpp>
#include <cstdint>
#include <optional>
#include <utility>

#include "check/misc_dynamic.h"

namespace halo::check {

namespace {

class MiscProbe final : public Probe {
 public:
  MiscProbe(boost::asio::io_context& io, process::Supervisor& supervisor, MiscOptions options)
      : io_(io), supervisor_(supervisor), options_(std::move(options)) {}

  ~MiscProbe() override { cancel(); }
  MiscProbe(const MiscProbe&) = delete;
  MiscProbe& operator=(const MiscProbe&) = delete;

  void start(Done done) override {
    cancel();
    ++attempt_;
    done_ = std::move(done);
    auto id = supervisor_.spawn(options_.command,
                                [this](const process::ExitStatus& status) { finished(status); });
    if (id) {
      child_ = *id;
      return;
    }
    // Nothing was started: report it from the loop, as start() promises.
    process::ExitStatus status;
    status.how = process::ExitStatus::How::SpawnFailed;
    status.exit_code = 127;
    status.error = id.error().message;
    // The token tells a late handler whether the probe still exists; the attempt number
    // whether this attempt was cancelled or replaced meanwhile.
    boost::asio::post(io_, [alive = std::weak_ptr<int>(alive_), attempt = attempt_, this,
                            status = std::move(status)] {
      if (alive.expired() || attempt != attempt_) return;
      finished(status);
    });
  }

  void cancel() override {
    if (child_) supervisor_.cancel(*child_, options_.command.kill_grace);
    child_.reset();
    ++attempt_;
    done_ = nullptr;
  }

  std::string_view kind() const override { return "MISC_CHECK"; }

 private:
  void finished(const process::ExitStatus& status) {
    child_.reset();
    Done done = std::move(done_);
    done_ = nullptr;
    if (done) done(misc_outcome(status, options_.dynamic, options_.command.timeout));
  }

  boost::asio::io_context& io_;
  process::Supervisor& supervisor_;
  MiscOptions options_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::uint64_t attempt_ = 0;
  std::optional<process::ChildId> child_;
  Done done_;
};

}  // namespace

std::unique_ptr<Probe> make_misc_probe(boost::asio::io_context& io, process::Supervisor& supervisor,
                                       MiscOptions options) {
  return std::make_unique<MiscProbe>(io, supervisor, std::move(options));
}

}  // namespace halo::check
