// DNS_CHECK: one query (type and name from the config; default SOA for ".") over UDP to the
// target; success when a reply with our id, the question echoed and RCODE NOERROR arrives
// within connect_timeout and has at least one answer of the asked type (keepalived's rule).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "check/probe.h"
#include "config/model.h"

namespace halo::check {

std::unique_ptr<Probe> make_dns_probe(boost::asio::io_context& io, Target target,
                                      config::DnsCheck check);

// The wire form of the query and the judgement of a reply; pure, for tests.
std::vector<std::uint8_t> encode_dns_query(std::uint16_t id, const config::DnsCheck& check);
Outcome judge_dns_reply(std::span<const std::uint8_t> reply, std::uint16_t id,
                        const config::DnsCheck& check);

}  // namespace halo::check
