// What every network probe shares: the connection options of a Target applied to a fresh
// socket (fwmark, bind_if, bindto/bind_port), operator-facing words for socket errors and
// durations, and ProbeSession, the per-probe state that Asio's completion handlers keep alive.
//
// Why a session apart from the Probe: Asio still delivers the aborted completions of a closed
// socket or a cancelled timer after the probe's owner has destroyed the probe. The handlers
// hold a shared_ptr to the session (the only reason for shared ownership here) and a
// generation number; cancel(), a verdict and the destructor bump the generation, so a stale
// completion sees it is not current and returns without touching anything else.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "check/probe.h"
#include "common/result.h"
#include "common/words.h"

namespace halo::check::detail {

// Applies fwmark (SO_MARK), bind_if (SO_BINDTODEVICE) and bindto/bind_port (bind) to `fd`,
// a socket of the target's address family, in that order. Nothing is done for options the
// target leaves unset. Errors name the option, the value and the errno text.
Result<void> apply_target_options(int fd, const Target& target);
// Does the target ask for any of those options? A socket without them can serve any target
// of its address family (SocketWatcher's idle sockets).
bool has_target_options(const Target& target);

// Reasons' words (common/words.h), under the names the probes use.
using halo::duration_text;
using halo::error_words;
// error_words() of an errno value.
std::string errno_words(int error);

// Why the non-blocking connect on `fd`, no longer in progress, failed (SO_ERROR): an errno
// value, ECONNABORTED when the socket reports none.
int connect_error(int fd);

// A failure at the attempt's deadline.
inline Outcome timeout(std::string reason) {
  Outcome outcome;
  outcome.reason = std::move(reason);
  outcome.timed_out = true;
  return outcome;
}

// One attempt at a time, bounded by the target's connect_timeout. A derived session owns the
// socket; it implements close_socket() and on_deadline().
class ProbeSession : public std::enable_shared_from_this<ProbeSession> {
 public:
  ProbeSession(boost::asio::io_context& io, Target target);
  virtual ~ProbeSession() = default;
  ProbeSession(const ProbeSession&) = delete;
  ProbeSession& operator=(const ProbeSession&) = delete;

  // Stops the attempt in progress: closes the socket, stops the deadline, forgets `done`.
  void cancel();

  const Target& target() const { return target_; }

 protected:
  // Starts an attempt: remembers `done`, arms the deadline; returns the attempt's generation,
  // which every completion handler of the attempt carries.
  std::uint64_t begin(Probe::Done done);
  // True while `generation`'s attempt is the one in progress.
  bool current(std::uint64_t generation) const { return running_ && generation == generation_; }
  // The verdict: closes the socket and stops the deadline first, then calls `done` (which may
  // start the next attempt, or destroy the probe).
  void finish(Outcome outcome);
  void finish(bool success, std::string reason) {
    Outcome outcome;
    outcome.success = success;
    outcome.reason = std::move(reason);
    finish(std::move(outcome));
  }
  // A verdict found inside start(): delivered from the io_context, never from start() itself.
  void finish_soon(bool success, std::string reason);
  void fail_soon(std::string reason) { finish_soon(false, std::move(reason)); }

  boost::asio::io_context& io_;

 private:
  virtual void close_socket() = 0;
  // connect_timeout has passed with the attempt still in progress; must finish().
  virtual void on_deadline() = 0;

  Target target_;
  boost::asio::steady_timer deadline_;
  Probe::Done done_;
  std::uint64_t generation_ = 0;
  bool running_ = false;
};

// The Probe that owns a session of type S; S has start(Done).
template <class S>
class SessionProbe final : public Probe {
 public:
  SessionProbe(std::string_view kind, std::shared_ptr<S> session)
      : kind_(kind), session_(std::move(session)) {}
  ~SessionProbe() override { session_->cancel(); }

  void start(Done done) override { session_->start(std::move(done)); }
  void cancel() override { session_->cancel(); }
  std::string_view kind() const override { return kind_; }

 private:
  std::string_view kind_;
  std::shared_ptr<S> session_;
};

}  // namespace halo::check::detail
