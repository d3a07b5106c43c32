// The shape of an SMTP reply (RFC 5321 §4.2.1), shared by SMTP_CHECK (check/smtp_probe.cc) and
// the alert mailer (notify/smtp_alert.cc): lines end in CRLF (a bare LF is taken too), each
// starts with the three-digit code, "250-..." lines continue the reply and the "250 ..." (or
// bare "250") line ends it; the reply's code is the last line's.
#pragma once

#include <cstdint>
#include <string_view>

namespace halo {

struct SmtpReply {
  enum class Status : std::uint8_t { Incomplete, Complete, Malformed };
  Status status = Status::Incomplete;
  int code = 0;                // Complete: the last line's code
  std::string_view last_line;  // Complete: the last line; Malformed: the offending one (no CR)
};

// Reads the first reply at the start of `received` (views point into it).
SmtpReply parse_smtp_reply(std::string_view received);

}  // namespace halo
