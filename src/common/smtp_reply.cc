#include "common/smtp_reply.h"

namespace halo {

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

SmtpReply parse_smtp_reply(std::string_view received) {
  SmtpReply reply;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = received.find('\n', start);
    if (end == std::string_view::npos) return reply;  // Incomplete
    std::string_view line = received.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    reply.last_line = line;
    const bool coded = line.size() >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2]);
    if (!coded || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      reply.status = SmtpReply::Status::Malformed;
      return reply;
    }
    if (line.size() > 3 && line[3] == '-') continue;  // more lines follow
    reply.status = SmtpReply::Status::Complete;
    reply.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    return reply;
  }
}

}  // namespace halo
