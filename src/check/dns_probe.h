// DNS_CHECK: one query (type and name from the config; default SOA for ".", recursion
// desired) over UDP to the target; success when a response with our id and RCODE NOERROR
// arrives within connect_timeout. That is keepalived's rule (check_dns.c): neither the echoed
// question nor the answer section is examined, so an empty NOERROR answer is success.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "check/probe.h"
#include "config/model.h"

namespace halo::check {

std::unique_ptr<Probe> make_dns_probe(boost::asio::io_context& io, Target target,
                                      config::DnsCheck check);

// The wire form of the query and the judgement of a reply; pure, for tests.
std::vector<std::uint8_t> encode_dns_query(std::uint16_t id, const config::DnsCheck& check);
// nullopt: not the answer to query `id` (shorter than a header, another id, or QR clear); the
// probe keeps waiting. Otherwise the verdict: NOERROR success, any other RCODE failure.
std::optional<Outcome> judge_dns_reply(std::span<const std::uint8_t> reply, std::uint16_t id,
                                       const config::DnsCheck& check);

}  // namespace halo::check
