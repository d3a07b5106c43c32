// keepalived's e-mail alerts: the texts (pure) and the sender.
//
// The sender is a small state machine driven by Asio completion handlers, one alert at a
// time, one connection per alert as keepalived does (smtp.c connects anew for every
// smtp_alert() call). Each wait (the connect, a reply, a write) is bounded by the timeout,
// re-armed at every step like keepalived's per-read and per-write timeouts; a reply longer
// than kMaxReply ends the alert, so a server that talks forever cannot hold it either.
//
// Why the state is shared: Asio delivers the aborted completions of a closed socket or a
// cancelled timer after the alerter may be gone. The handlers hold a shared_ptr to the state
// (the only reason for shared ownership here) and the alert's generation; finishing an alert
// and the destructor bump the generation, so a stale completion returns without touching
// anything (the pattern of src/check/socket_setup.h).
#include "notify/smtp_alert.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <deque>
#include <utility>

#include "common/host_name.h"
#include "common/log.h"
#include "common/smtp_reply.h"
#include "common/words.h"

namespace halo::notify {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

spdlog::logger& logger() {
  return log::get("smtp");
}

constexpr std::size_t kMaxReply = 4096;  // more than any sane SMTP reply

std::string bracketed(std::string_view router_id) {
  return fmt::format("[{}]", router_id);
}

// The state words of keepalived's VRRP alerts; Deleted only exists for instances.
struct VrrpTexts {
  std::string_view subject, instance_body, group_body;
};

std::optional<VrrpTexts> vrrp_texts(VrrpNotice::What what) {
  using What = VrrpNotice::What;
  switch (what) {
    case What::Master:
      return VrrpTexts{"Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <=",
                       "=> All VRRP group instances are now in MASTER state <="};
    case What::Backup:
      return VrrpTexts{"Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <=",
                       "=> All VRRP group instances are now in BACKUP state <="};
    case What::Fault:
      return VrrpTexts{"Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <=",
                       "=> All VRRP group instances are now in FAULT state <="};
    case What::Stop:
      return VrrpTexts{"Stopping", "=> VRRP Instance stopping <=",
                       "=> All VRRP group instances are now stopping <="};
    case What::Deleted:
      // keepalived 2.2.7, seen on the wire: an instance (MASTER) removed by a reload mails
      // "Entering FAULT state" as it leaves (the "Deleted"/"=> VRRP Deleted at reload <="
      // strings of its binary never reached the server). No mail for a group.
      return VrrpTexts{"Entering FAULT state",
                       "=> VRRP Instance is no longer owning VRRP VIPs <=", ""};
    default:
      return std::nullopt;
  }
}

// A line of the server's as an operator can read it in a log: printable, at most 80 chars.
std::string printable(std::string_view line) {
  std::string text;
  for (char c : line.substr(0, 80)) text += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (line.size() > 80) text += "...";
  return text;
}

std::string endpoint_name(const tcp::endpoint& endpoint) {
  return fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

// ---- The texts -------------------------------------------------------------------------------

std::optional<SmtpMessage> vrrp_alert(std::string_view router_id, const VrrpNotice& notice) {
  const auto texts = vrrp_texts(notice.what);
  if (!texts) return std::nullopt;
  const bool group = notice.subject == VrrpNotice::Subject::Group;
  if (group && texts->group_body.empty()) return std::nullopt;
  // smtp.c: "[%s] VRRP Instance %s - %s" and "[%s] VRRP Group %s - %s".
  return SmtpMessage{fmt::format("{} VRRP {} {} - {}", bracketed(router_id),
                                 group ? "Group" : "Instance", notice.name, texts->subject),
                     std::string(group ? texts->group_body : texts->instance_body)};
}

SmtpMessage real_server_alert(std::string_view router_id, std::string_view real_server,
                              std::string_view virtual_server, bool up, std::string_view body) {
  // smtp.c: "[%s] Realserver %s of virtual server %s - %s", UP/DOWN from rs->alive.
  return SmtpMessage{fmt::format("{} Realserver {} of virtual server {} - {}", bracketed(router_id),
                                 real_server, virtual_server, up ? "UP" : "DOWN"),
                     std::string(body)};
}

std::string checker_alert_body(std::string_view kind, bool success, std::string_view detail) {
  // The strings of check_tcp.c, check_udp.c, check_ping.c, check_dns.c, check_http.c,
  // check_smtp.c, check_misc.c and check_bfd.c, as the 2.2.7 binary carries them.
  const std::string_view verdict = success ? "succeed" : "failed";
  if (kind == "TCP_CHECK") return fmt::format("=> TCP CHECK {} on service <=", verdict);
  if (kind == "UDP_CHECK") return fmt::format("=> UDP CHECK {} on service <=", verdict);
  if (kind == "PING_CHECK") return fmt::format("=> ICMP CHECK {} on service <=", verdict);
  if (kind == "DNS_CHECK") return fmt::format("=> DNS_CHECK: {} on service <=", verdict);
  if (kind == "HTTP_GET" || kind == "SSL_GET")
    return success ? "=> CHECK succeed on service <="
                   : "=> CHECK failed on service : HTTP request failed <=";
  if (kind == "SMTP_CHECK" && !success && !detail.empty())
    return fmt::format("=> CHECK failed on service : {} <=", detail);
  if (kind == "MISC_CHECK")
    return fmt::format("=> MISC CHECK {} on service <=",
                       success ? "succeeded" : (detail.empty() ? "failed" : detail));
  if (kind == "BFD_CHECK")
    return fmt::format("=> BFD CHECK {} {} on service <=", detail,
                       success ? "succeeded" : "failed");
  return fmt::format("=> CHECK {} on service <=", verdict);
}

SmtpMessage quorum_alert(std::string_view router_id, std::string_view virtual_server,
                         QuorumEvent event, unsigned quorum, unsigned hysteresis, long weight_sum) {
  const bool up = event == QuorumEvent::Gained || event == QuorumEvent::StartingUp;
  std::string body;
  if (event == QuorumEvent::ShuttingDown) {
    body = std::string(kShuttingDownBody);
  } else {
    // ipwrapper.c update_quorum_state(): the threshold is quorum -/+ hysteresis as the state
    // was before the change: + while the quorum was down, - when it was up and is lost.
    const long threshold = event == QuorumEvent::Lost
                               ? static_cast<long>(quorum) - static_cast<long>(hysteresis)
                               : static_cast<long>(quorum) + static_cast<long>(hysteresis);
    std::string_view what;
    switch (event) {
      case QuorumEvent::Gained:
        what = "Gained quorum";
        break;
      case QuorumEvent::Lost:
        what = "Lost quorum";
        break;
      case QuorumEvent::StartingUp:
        what = "Starting with quorum up";
        break;
      default:
        what = "Starting with quorum down";
        break;
    }
    body = fmt::format("=> {} {}+{}={} <= {} <=", what, quorum, hysteresis, threshold, weight_sum);
  }
  // smtp.c: "[%s] Virtualserver %s - %s".
  return SmtpMessage{fmt::format("{} Virtualserver {} - {}", bracketed(router_id), virtual_server,
                                 up ? "UP" : "DOWN"),
                     std::move(body)};
}

std::optional<SmtpSettings> smtp_settings(const config::GlobalDefs& defs) {
  if (!defs.smtp_server || defs.notification_email.empty()) return std::nullopt;
  SmtpSettings settings;
  settings.server = defs.smtp_server->host;
  settings.port = defs.smtp_server->port;
  settings.recipients = defs.notification_email;
  // global_data.c: the HELO name and the sender default to the host name and
  // <user of getuid()>@<host name>; smtp.c says "localhost" when there is no HELO name.
  const std::string host = host_name();
  settings.helo_name = defs.smtp_helo_name.value_or(host.empty() ? "localhost" : host);
  if (defs.notification_email_from) {
    settings.from = *defs.notification_email_from;
  } else {
    const passwd* pw = ::getpwuid(::getuid());  // NOLINT(concurrency-mt-unsafe): one thread
    settings.from = fmt::format("{}@{}", pw != nullptr ? pw->pw_name : "root",
                                host.empty() ? "localhost" : host);
  }
  // keepalived: "smtp_conect_timeout must be greater than 0, setting to 1".
  settings.timeout = std::chrono::seconds(std::max<std::uint16_t>(defs.smtp_connect_timeout, 1));
  return settings;
}

std::string smtp_message_text(const SmtpMessage& message, const SmtpSettings& settings,
                              std::time_t now) {
  std::tm local{};
  ::localtime_r(&now, &local);
  std::array<char, 80> date{};
  // smtp.c: strftime "%a, %d %b %Y %H:%M:%S %z" of localtime (RFC 5322 §3.3).
  const std::size_t n = std::strftime(date.data(), date.size(), "%a, %d %b %Y %H:%M:%S %z", &local);

  std::string to;
  for (const auto& recipient : settings.recipients) {
    if (!to.empty()) to += ", ";
    to += recipient;
  }
  std::string text =
      fmt::format("Date: {}\r\nFrom: {}\r\nSubject: {}\r\nX-Mailer: Keepalived\r\nTo: {}\r\n\r\n",
                  std::string_view(date.data(), n), settings.from, message.subject, to);

  // The body, line by line: CRLF ends, a leading "." doubled (RFC 5321 §4.5.2).
  std::string_view body = message.body;
  for (;;) {
    const std::size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '.') text += '.';
    text += line;
    text += "\r\n";
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
  // keepalived ends with "\r\n.\r\n" after the body's own CRLF: an empty line, then the dot.
  text += "\r\n.\r\n";
  return text;
}

// ---- The sender ------------------------------------------------------------------------------

struct SmtpAlerter::State : std::enable_shared_from_this<SmtpAlerter::State> {
  State(asio::io_context& io_in, SmtpSettings settings_in, const tcp::endpoint& server_in)
      : io(io_in),
        settings(std::move(settings_in)),
        server(server_in),
        name(endpoint_name(server_in)),
        socket(io_in),
        deadline(io_in) {}

  enum class Step : std::uint8_t { Connect, Greeting, Helo, Mail, Rcpt, Data, Body, Quit };

  struct Queued {
    SmtpMessage message;
    std::time_t when;
  };

  asio::io_context& io;
  const SmtpSettings settings;
  const tcp::endpoint server;
  const std::string name;

  tcp::socket socket;
  asio::steady_timer deadline;
  std::deque<Queued> queue;
  Stats stats;

  // The alert in progress.
  bool busy = false;
  bool closed = false;  // the alerter is gone
  std::uint64_t generation = 0;
  Step step = Step::Connect;
  std::size_t recipient = 0;  // the RCPT being answered
  std::string subject;        // for the log
  std::string data;           // what follows the 354
  std::string outgoing;       // the command being written
  std::string received;
  std::array<char, 1024> chunk{};

  bool current(std::uint64_t g) const { return busy && g == generation; }

  void start_next() {
    if (busy || closed || queue.empty()) return;
    Queued next = std::move(queue.front());
    queue.pop_front();
    busy = true;
    const std::uint64_t g = ++generation;
    step = Step::Connect;
    recipient = 0;
    received.clear();
    subject = next.message.subject;
    data = smtp_message_text(next.message, settings, next.when);

    if (settings.recipients.empty()) return fail_soon(g, "no notification_email to send to");
    boost::system::error_code ec;
    socket.open(server.protocol(), ec);
    if (ec) return fail_soon(g, "cannot open a TCP socket: " + error_words(ec));
    arm(g);
    socket.async_connect(server, [self = shared_from_this(), g](boost::system::error_code e) {
      if (!self->current(g)) return;
      if (e) return self->fail("cannot connect: " + error_words(e));
      logger().debug("connected to SMTP server {}", self->name);
      self->step = Step::Greeting;
      self->read(g);
    });
  }

  // A failure found while starting: reported from the io_context, never from send() itself.
  void fail_soon(std::uint64_t g, std::string reason) {
    asio::post(io, [self = shared_from_this(), g, reason = std::move(reason)]() mutable {
      if (self->current(g)) self->fail(std::move(reason));
    });
  }

  // The deadline of the wait that starts now.
  void arm(std::uint64_t g) {
    deadline.expires_after(settings.timeout);
    deadline.async_wait([self = shared_from_this(), g](boost::system::error_code e) {
      if (e || !self->current(g)) return;
      if (self->step == Step::Connect)
        return self->fail("cannot connect: no answer within " +
                          duration_text(self->settings.timeout));
      self->fail("no " + self->expected() + " within " + duration_text(self->settings.timeout));
    });
  }

  // The reply being waited for, as the log says it.
  std::string expected() const {
    switch (step) {
      case Step::Connect:
      case Step::Greeting:
        return "greeting";
      case Step::Helo:
        return "reply to HELO";
      case Step::Mail:
        return "reply to MAIL FROM";
      case Step::Rcpt:
        return "reply to RCPT TO:<" + settings.recipients[recipient] + ">";
      case Step::Data:
        return "reply to DATA";
      case Step::Body:
        return "reply to the message";
      case Step::Quit:
        return "reply to QUIT";
    }
    return "reply";
  }

  void read(std::uint64_t g) {
    socket.async_read_some(asio::buffer(chunk), [self = shared_from_this(), g](
                                                    boost::system::error_code e, std::size_t n) {
      if (!self->current(g)) return;
      if (e == asio::error::eof)
        return self->fail("connection closed by the server before the " + self->expected());
      if (e) return self->fail(error_words(e) + " while waiting for the " + self->expected());
      self->received.append(self->chunk.data(), n);
      self->parse(g);
    });
  }

  // Looks for the last line of a reply (RFC 5321 §4.2.1: "250-" lines continue it).
  void parse(std::uint64_t g) {
    const SmtpReply reply = parse_smtp_reply(received);
    if (reply.status == SmtpReply::Status::Malformed) {
      return fail("the " + expected() + " is not an SMTP reply: \"" + printable(reply.last_line) +
                  "\"");
    }
    if (reply.status == SmtpReply::Status::Complete) {
      const std::string text = printable(reply.last_line);
      received.clear();
      return on_reply(g, reply.code, text);
    }
    if (received.size() > kMaxReply)
      return fail("the " + expected() + " is longer than " + std::to_string(kMaxReply) + " bytes");
    read(g);
  }

  void on_reply(std::uint64_t g, int reply, const std::string& line) {
    // The code each step needs (smtp.c: connection_code 220, helo/mail/rcpt 250, data 354,
    // body 250); any other is a refusal.
    const auto refused = [&](std::string_view what) {
      fail(fmt::format("{} refused: {}", what, line), /*say_quit=*/true, g);
    };
    switch (step) {
      case Step::Connect:
        break;
      case Step::Greeting:
        if (reply != 220) return refused("session");
        step = Step::Helo;
        return write(g, fmt::format("HELO {}\r\n", settings.helo_name));
      case Step::Helo:
        if (reply != 250) return refused("HELO");
        step = Step::Mail;
        return write(g, fmt::format("MAIL FROM:<{}>\r\n", settings.from));
      case Step::Mail:
        if (reply != 250) return refused("MAIL FROM");
        step = Step::Rcpt;
        return write(g, fmt::format("RCPT TO:<{}>\r\n", settings.recipients[0]));
      case Step::Rcpt:
        if (reply != 250) return refused("RCPT TO:<" + settings.recipients[recipient] + ">");
        if (++recipient < settings.recipients.size())
          return write(g, fmt::format("RCPT TO:<{}>\r\n", settings.recipients[recipient]));
        step = Step::Data;
        return write(g, "DATA\r\n");
      case Step::Data:
        if (reply != 354) return refused("DATA");
        step = Step::Body;
        return write(g, std::move(data));
      case Step::Body:
        if (reply != 250) return refused("the message");
        ++stats.sent;
        logger().info("alert sent to SMTP server {}: \"{}\"", name, subject);
        step = Step::Quit;
        return write(g, "QUIT\r\n");
      case Step::Quit:
        return done();
    }
  }

  void write(std::uint64_t g, std::string text) {
    outgoing = std::move(text);
    arm(g);
    asio::async_write(socket, asio::buffer(outgoing),
                      [self = shared_from_this(), g](boost::system::error_code e, std::size_t) {
                        if (!self->current(g)) return;
                        if (e) return self->fail("cannot send to the server: " + error_words(e));
                        self->arm(g);
                        self->read(g);
                      });
  }

  // The alert failed. After a refusal the server is still talking: say QUIT like keepalived
  // does, and close after its reply (bounded by the timeout as any wait).
  void fail(std::string reason, bool say_quit = false, std::uint64_t g = 0) {
    if (step == Step::Quit) return done();  // the alert was sent; the goodbye does not matter
    ++stats.failed;
    logger().warn("alert not sent to SMTP server {}: {} (\"{}\")", name, reason, subject);
    stats.last_error = std::move(reason);
    if (say_quit) {
      step = Step::Quit;
      return write(g, "QUIT\r\n");
    }
    done();
  }

  // The connection is over: close it and start the next alert.
  void done() {
    boost::system::error_code ignored;
    socket.close(ignored);
    deadline.cancel();
    busy = false;
    ++generation;
    data.clear();
    outgoing.clear();
    start_next();
  }

  void shut() {
    closed = true;
    queue.clear();
    if (busy) {
      if (step != Step::Quit) ++stats.failed;
      done();
    }
  }
};

Result<std::unique_ptr<SmtpAlerter>> SmtpAlerter::make(asio::io_context& io,
                                                       SmtpSettings settings) {
  if (settings.recipients.empty()) return fail("no notification_email to send alerts to");
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(settings.server, std::to_string(settings.port),
                                        tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    return fail(fmt::format("cannot resolve smtp_server {}: {}", settings.server,
                            ec ? error_words(ec) : std::string("no address")));
  const tcp::endpoint server = results.begin()->endpoint();
  return std::make_unique<SmtpAlerter>(io, std::move(settings), server);
}

SmtpAlerter::SmtpAlerter(asio::io_context& io, SmtpSettings settings, const tcp::endpoint& server)
    : state_(std::make_shared<State>(io, std::move(settings), server)) {}

SmtpAlerter::~SmtpAlerter() {
  state_->shut();
}

void SmtpAlerter::send(SmtpMessage message) {
  if (state_->queue.size() >= kMaxPending) {
    ++state_->stats.dropped;
    logger().warn("alert dropped: {} alerts already wait for SMTP server {} (\"{}\")", kMaxPending,
                  state_->name, message.subject);
    return;
  }
  state_->queue.push_back(State::Queued{std::move(message), std::time(nullptr)});
  state_->start_next();
}

const SmtpAlerter::Stats& SmtpAlerter::stats() const {
  return state_->stats;
}

std::size_t SmtpAlerter::pending() const {
  return state_->queue.size();
}

bool SmtpAlerter::busy() const {
  return state_->busy;
}

const std::string& SmtpAlerter::server_name() const {
  return state_->name;
}

}  // namespace halo::notify
