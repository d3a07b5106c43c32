// keepalived's e-mail alerts (`smtp_alert`): the texts of the alerts, pure, and SmtpAlerter,
// which sends them to `smtp_server` on the io_context, one connection per alert.
//
// What keepalived 2.2.7 sends (seen on the wire from /usr/sbin/keepalived against a recording
// server; texts from the binary's strings and keepalived/core/smtp.c, vrrp/vrrp_notify.c,
// check/ipwrapper.c and the check_*.c callers of smtp_alert()):
//
//   C: (connect)                  S: 220 ...        anything else: the alert fails
//   C: HELO <smtp_helo_name>      S: 250            (default: the host name)
//   C: MAIL FROM:<from>           S: 250            (default from: <user>@<host name>)
//   C: RCPT TO:<to>               S: 250            one per notification_email, in order
//   C: DATA                       S: 354
//   C: Date: ... From: ... Subject: ... X-Mailer: Keepalived ... To: a, b
//      <blank line> <body> CRLF CRLF . CRLF
//                                 S: 250            "SMTP alert successfully sent."
//   C: QUIT
//
// Any other reply code at a step ends the alert (keepalived logs "Error processing RCPT cmd on
// SMTP server [192.0.2.25]:25. SMTP status code = 550" and sends QUIT). A reply's code is read
// from its last line (continuation lines "250-..." are skipped). At shutdown keepalived
// connects for its "Stopping" alerts but exits before saying HELO: none arrives.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/model/global.h"
#include "notify/vrrp_notice.h"

namespace halo::notify {

// One alert: the Subject header's text (router id included) and the body (normally one line).
struct SmtpMessage {
  std::string subject;
  std::string body;

  friend bool operator==(const SmtpMessage&, const SmtpMessage&) = default;
};

// ---- The texts (keepalived 2.2.7's, byte for byte) ------------------------------------------
//
// `router_id` is global_defs' router_id, or the host name when it is not set (keepalived's
// default, global_data.c).

// A VRRP instance's (Subject::Instance) or sync group's (Subject::Group) state change:
//   "[<router_id>] VRRP Instance <name> - Entering MASTER state"
//   "=> VRRP Instance is now owning VRRP VIPs <="
// Master, Backup, Fault and Stop for both. Deleted (an instance removed by a reload) gets
// the FAULT texts, as keepalived 2.2.7 was seen mailing; a group gets none. std::nullopt for
// everything else: keepalived sends no mail for them.
// The caller applies keepalived's two filters (vrrp_notify.c): no mail for FAULT when
// global no_email_faults is set, and none when the state is the one last mailed about.
std::optional<SmtpMessage> vrrp_alert(std::string_view router_id, const VrrpNotice& notice);

// A real server's state after one of its checkers changed verdict:
//   "[<router_id>] Realserver [192.0.2.2]:tcp:8080 of virtual server [192.0.2.1]:tcp:80 - UP"
// `real_server` and `virtual_server` as keepalived's FMT_RS/FMT_VS print them; `up` is the
// real server's state after the change (keepalived's rs->alive), `body` a checker's text
// (checker_alert_body) or kRealServerRemovedBody / kShuttingDownBody.
// keepalived mails when a checker's own verdict flips and rs->smtp_alert is set, unless
// no_checker_emails is set and the real server's state did not change (check_*.c).
SmtpMessage real_server_alert(std::string_view router_id, std::string_view real_server,
                              std::string_view virtual_server, bool up, std::string_view body);

// The body of a checker's alert, by the checker's keyword (Probe::kind()):
//   TCP_CHECK  "=> TCP CHECK succeed on service <="      "=> TCP CHECK failed on service <="
//   UDP_CHECK  "=> UDP CHECK ..."   PING_CHECK "=> ICMP CHECK ..."   (the same two forms)
//   DNS_CHECK  "=> DNS_CHECK: succeed on service <="     "=> DNS_CHECK: failed on service <="
//   HTTP_GET, SSL_GET  "=> CHECK succeed on service <="
//                      "=> CHECK failed on service : HTTP request failed <="
//   SMTP_CHECK "=> CHECK succeed on service <="  "=> CHECK failed on service : <detail> <="
//              ("=> CHECK failed on service <=" without a detail)
//   MISC_CHECK "=> MISC CHECK succeeded on service <="  "=> MISC CHECK failed on service <="
//              (detail "timed out": "=> MISC CHECK timed out on service <=")
//   BFD_CHECK  "=> BFD CHECK <detail: the bfd name> succeeded|failed on service <="
//   any other  "=> CHECK succeed on service <="  "=> CHECK failed on service <="
std::string checker_alert_body(std::string_view checker_kind, bool success,
                               std::string_view detail = {});

// The bodies of a real server's DOWN alert when it leaves the pool without a checker verdict
// (ipwrapper.c clear_service_rs): removed by a reload, or keepalived stopping.
inline constexpr std::string_view kRealServerRemovedBody = "=> Removing <=";
inline constexpr std::string_view kShuttingDownBody = "=> Shutting down <=";

// A virtual server's quorum (ipwrapper.c do_vs_notifies):
//   "[<router_id>] Virtualserver [192.0.2.1]:tcp:80 - UP"
//   "=> Gained quorum 2+1=3 <= 3 <="    (quorum+hysteresis=threshold <= live weight)
// The threshold is quorum+hysteresis when gaining or starting (keepalived's threshold while
// the quorum is down) and quorum-hysteresis when losing it, printed with keepalived's "+"
// in both cases. ShuttingDown: "=> Shutting down <=", DOWN (keepalived mails it only with
// omega set).
enum class QuorumEvent : std::uint8_t { Gained, Lost, StartingUp, StartingDown, ShuttingDown };
SmtpMessage quorum_alert(std::string_view router_id, std::string_view virtual_server,
                         QuorumEvent event, unsigned quorum, unsigned hysteresis, long weight_sum);

// ---- Sending -------------------------------------------------------------------------------

struct SmtpSettings {
  std::string server;  // smtp_server as written: an address or a host name
  std::uint16_t port = 25;
  std::string helo_name;                // smtp_helo_name, or the host name
  std::string from;                     // notification_email_from, or <user>@<host name>
  std::vector<std::string> recipients;  // notification_email, in order
  // smtp_connect_timeout (default 30 s). keepalived bounds each wait with it: the connect,
  // and then every read of a reply and every write (thread_add_read/write timeouts in
  // smtp.c); so does SmtpAlerter. An alert has a fixed number of waits (a write and a read
  // per command, 5 commands + one RCPT per recipient), so it ends in bounded time.
  std::chrono::milliseconds timeout = std::chrono::seconds(30);

  // A reload can keep its alerter (and what waits in it) when these did not change.
  friend bool operator==(const SmtpSettings&, const SmtpSettings&) = default;
};

// The settings of the global_defs, keepalived's defaults filled in; std::nullopt when no
// mail can be sent (no smtp_server or no notification_email: keepalived then sends none).
std::optional<SmtpSettings> smtp_settings(const config::GlobalDefs& defs);

// What follows the server's 354: the headers, a blank line, the body with CRLF line ends and
// leading dots doubled (RFC 5321 §4.5.2), CRLF, and the terminating CRLF "." CRLF.
// `now` gives the Date header, in local time like keepalived ("Mon, 23 Nov 2026 03:32:45
// +0000").
std::string smtp_message_text(const SmtpMessage& message, const SmtpSettings& settings,
                              std::time_t now);

// Sends alerts one at a time, one connection each, in the order given. A server that
// refuses, closes, answers garbage or says nothing makes that alert fail (logged with the
// reason, counted) and the next one starts. At most kMaxPending alerts wait; more are
// dropped and counted, so a dead server cannot grow memory. Destroying the alerter drops what
// waits and abandons the alert in progress (its socket is closed; late completions find
// nothing to do).
class SmtpAlerter {
 public:
  static constexpr std::size_t kMaxPending = 64;

  struct Stats {
    std::uint64_t sent = 0;     // the server took the message (250 after the data)
    std::uint64_t failed = 0;   // an alert that did not get that far
    std::uint64_t dropped = 0;  // not queued: kMaxPending were already waiting
    std::string last_error;     // the reason of the last failure, "" if none
  };

  // Resolves settings.server (a blocking lookup when it is a host name, done once here: like
  // keepalived, which resolves it when reading the configuration) and keeps the first
  // address. Fails when it does not resolve.
  static Result<std::unique_ptr<SmtpAlerter>> make(boost::asio::io_context& io,
                                                   SmtpSettings settings);
  // With the address already known.
  SmtpAlerter(boost::asio::io_context& io, SmtpSettings settings,
              const boost::asio::ip::tcp::endpoint& server);
  ~SmtpAlerter();
  SmtpAlerter(const SmtpAlerter&) = delete;
  SmtpAlerter& operator=(const SmtpAlerter&) = delete;

  // Queues an alert, dated now; returns at once.
  void send(SmtpMessage message);

  const Stats& stats() const;
  std::size_t pending() const;  // waiting, the one in progress not included
  bool busy() const;            // an alert is in progress
  // "[192.0.2.25]:25", as keepalived names the server in its log.
  const std::string& server_name() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the completion handlers in flight
};

}  // namespace halo::notify
