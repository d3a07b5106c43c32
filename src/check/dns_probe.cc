// DNS_CHECK, as keepalived's check_dns.c does it: one query over a connected UDP socket,
// recursion desired, a random id, QDCOUNT 1, the configured type, class IN. A datagram that
// is shorter than a header, carries another id or is not a response (QR clear) is not the
// answer: keep waiting. The answer decides: RCODE NOERROR is success, whatever its sections
// hold (keepalived checks neither the question nor the answers); any other RCODE is failure.
// An ICMP error (port unreachable) or connect_timeout without an answer is failure.
#include "check/dns_probe.h"

#include <random>

#include "check/datagram_session.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxReply = 4096;

std::uint16_t type_code(config::DnsType type) {
  switch (type) {  // RFC 1035 §3.2.2, RFC 3596, RFC 4034
    case config::DnsType::A:
      return 1;
    case config::DnsType::Ns:
      return 2;
    case config::DnsType::Cname:
      return 5;
    case config::DnsType::Soa:
      return 6;
    case config::DnsType::Mx:
      return 15;
    case config::DnsType::Txt:
      return 16;
    case config::DnsType::Aaaa:
      return 28;
    case config::DnsType::Rrsig:
      return 46;
    case config::DnsType::Dnskey:
      return 48;
  }
  return 6;
}

std::string rcode_text(int rcode) {
  static constexpr const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                           "NXDOMAIN", "NOTIMP",  "REFUSED"};
  std::string text = "RCODE " + std::to_string(rcode);
  if (rcode < 6) text += std::string(" (") + kNames[rcode] + ")";
  return text;
}

class DnsSession final : public detail::DatagramSession {
 public:
  DnsSession(asio::io_context& io, Target target, config::DnsCheck check)
      : DatagramSession(io, std::move(target), kMaxReply),
        check_(std::move(check)),
        random_(std::random_device{}()) {}

  void start(Probe::Done done) {
    const std::uint64_t generation = begin(std::move(done));
    id_ = static_cast<std::uint16_t>(random_());
    exchange(generation, {.datagram = encode_dns_query(id_, check_), .what = "the query"});
  }

 private:
  void on_reply(std::uint64_t generation, std::span<const std::uint8_t> reply) override {
    auto verdict = judge_dns_reply(reply, id_, check_);
    if (!verdict) return wait_for_reply(generation);  // not our answer: keep waiting
    finish(std::move(*verdict));
  }

  void on_deadline() override {
    finish(detail::timeout("no answer within " + detail::duration_text(target().connect_timeout)));
  }

  config::DnsCheck check_;
  std::uint16_t id_ = 0;
  std::minstd_rand random_;
};

}  // namespace

std::vector<std::uint8_t> encode_dns_query(std::uint16_t id, const config::DnsCheck& check) {
  std::vector<std::uint8_t> q;
  q.reserve(kHeaderSize + check.name.size() + 6);
  auto put16 = [&q](std::uint16_t v) {
    q.push_back(static_cast<std::uint8_t>(v >> 8));
    q.push_back(static_cast<std::uint8_t>(v & 0xff));
  };
  put16(id);
  put16(0x0100);  // QR 0, OPCODE QUERY, RD 1 (RFC 1035 §4.1.1)
  put16(1);       // QDCOUNT
  put16(0);       // ANCOUNT
  put16(0);       // NSCOUNT
  put16(0);       // ARCOUNT
  // QNAME: "." is the root (one zero byte); "example.com" and "example.com." both end with it.
  std::string_view name = check.name;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    q.push_back(static_cast<std::uint8_t>(label.size()));
    q.insert(q.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  q.push_back(0);
  put16(type_code(check.type));
  put16(1);  // QCLASS IN
  return q;
}

std::optional<Outcome> judge_dns_reply(std::span<const std::uint8_t> reply, std::uint16_t id,
                                       const config::DnsCheck& /*check*/) {
  if (reply.size() < kHeaderSize) return std::nullopt;
  const auto reply_id = static_cast<std::uint16_t>(reply[0] << 8 | reply[1]);
  if (reply_id != id) return std::nullopt;
  if ((reply[2] & 0x80) == 0) return std::nullopt;  // QR clear: a query, not our answer
  const int rcode = reply[3] & 0x0f;
  Outcome outcome;
  outcome.success = rcode == 0;
  outcome.reason = outcome.success ? "answer NOERROR" : "answer " + rcode_text(rcode);
  return outcome;
}

std::unique_ptr<Probe> make_dns_probe(boost::asio::io_context& io, Target target,
                                      config::DnsCheck check) {
  return std::make_unique<detail::SessionProbe<DnsSession>>(
      "DNS_CHECK", std::make_shared<DnsSession>(io, std::move(target), std::move(check)));
}

}  // namespace halo::check
