// SMTP_CHECK, as keepalived's check_smtp.c does it: connect, read the greeting (220), send
// "HELO <name>", read 250, send "QUIT", read its reply (any code: keepalived does not look at
// it), close. Unlike keepalived, which looks only at the first line it reads, a multi-line
// reply ("250-a", "250 b") is read to its last line (RFC 5321 §4.2.1), and the whole
// conversation, not each read, is bounded by connect_timeout.
#include "check/smtp_probe.h"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cctype>

#include "check/socket_setup.h"
#include "common/smtp_reply.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t kMaxReply = 4096;  // a longer reply is not a health check's business

// The start of a line as an operator can read it in a log: printable characters, at most 40.
std::string quoted(std::string_view line) {
  std::string text = "\"";
  for (char c : line.substr(0, 40)) text += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (line.size() > 40) text += "...";
  return text + "\"";
}

class SmtpSession final : public detail::ProbeSession {
 public:
  SmtpSession(asio::io_context& io, Target target, std::string helo_name)
      : ProbeSession(io, std::move(target)),
        helo_(std::move(helo_name.insert(0, "HELO ").append("\r\n"))),
        socket_(io),
        endpoint_(this->target().address, this->target().port) {}

  void start(Probe::Done done) {
    const std::uint64_t generation = begin(std::move(done));
    step_ = Step::Greeting;
    received_.clear();
    boost::system::error_code ec;
    socket_.open(endpoint_.protocol(), ec);
    if (ec) return fail_soon("cannot open a TCP socket: " + detail::error_words(ec));
    if (auto applied = detail::apply_target_options(socket_.native_handle(), target()); !applied)
      return fail_soon(applied.error().message);
    socket_.async_connect(endpoint_, [self = shared(), generation](boost::system::error_code e) {
      if (!self->current(generation)) return;
      if (e) return self->finish(false, detail::error_words(e));
      self->read(generation);
    });
  }

 private:
  enum class Step { Greeting, Helo, Quit };

  std::shared_ptr<SmtpSession> shared() {
    return std::static_pointer_cast<SmtpSession>(shared_from_this());
  }

  // The reply being waited for.
  std::string expected() const {
    switch (step_) {
      case Step::Greeting:
        return "greeting";
      case Step::Helo:
        return "HELO reply";
      case Step::Quit:
        return "QUIT reply";
    }
    return "";
  }

  void read(std::uint64_t generation) {
    socket_.async_read_some(asio::buffer(chunk_), [self = shared(), generation](
                                                      boost::system::error_code e, std::size_t n) {
      if (!self->current(generation)) return;
      if (e == asio::error::eof)
        return self->finish(false,
                            "connection closed by the server before the " + self->expected());
      if (e)
        return self->finish(false,
                            detail::error_words(e) + " while waiting for the " + self->expected());
      self->received_.append(self->chunk_.data(), n);
      self->parse(generation);
    });
  }

  // Looks for the last line of a reply in what has arrived; reads on if it is not there yet.
  void parse(std::uint64_t generation) {
    const SmtpReply reply = parse_smtp_reply(received_);
    if (reply.status == SmtpReply::Status::Malformed)
      return finish(false, expected() + " is not an SMTP reply: " + quoted(reply.last_line));
    if (reply.status == SmtpReply::Status::Complete) {
      received_.clear();
      return on_reply(generation, reply.code);
    }
    if (received_.size() > kMaxReply)
      return finish(false, expected() + " is longer than " + std::to_string(kMaxReply) + " bytes");
    read(generation);
  }

  void on_reply(std::uint64_t generation, int reply) {
    switch (step_) {
      case Step::Greeting:
        if (reply != 220) return finish(false, "greeting " + std::to_string(reply) + ", not 220");
        step_ = Step::Helo;
        return send(generation, helo_);
      case Step::Helo:
        if (reply != 250) return finish(false, "HELO reply " + std::to_string(reply) + ", not 250");
        step_ = Step::Quit;
        return send(generation, kQuit);
      case Step::Quit:
        return finish(true, "greeting 220, HELO 250");
    }
  }

  void send(std::uint64_t generation, std::string_view line) {
    asio::async_write(socket_, asio::buffer(line),
                      [self = shared(), generation](boost::system::error_code e, std::size_t) {
                        if (!self->current(generation)) return;
                        if (e) return self->finish(false, "cannot send: " + detail::error_words(e));
                        self->read(generation);
                      });
  }

  void close_socket() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void on_deadline() override {
    finish(detail::timeout("no " + expected() + " within " +
                           detail::duration_text(target().connect_timeout)));
  }

  static constexpr std::string_view kQuit = "QUIT\r\n";

  std::string helo_;
  tcp::socket socket_;
  tcp::endpoint endpoint_;
  Step step_ = Step::Greeting;
  std::array<char, 1024> chunk_{};
  std::string received_;
};

}  // namespace

std::unique_ptr<Probe> make_smtp_probe(boost::asio::io_context& io, Target target,
                                       std::string helo_name) {
  return std::make_unique<detail::SessionProbe<SmtpSession>>(
      "SMTP_CHECK", std::make_shared<SmtpSession>(io, std::move(target), std::move(helo_name)));
}

}  // namespace halo::check
