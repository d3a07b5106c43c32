// The lines keepalived writes to lvs_notify_fifo and notify_fifo for the checkers' side
// (check/ipwrapper.c notify_fifo_vs, notify_fifo_rs):
//   VS <vs> UP|DOWN            when the quorum is gained or lost (PoolNotice Quorum*)
//   RS <rs> <vs> UP|DOWN       when a real server comes up or goes down (RealServer*)
// with <vs> = "[192.0.2.10]:tcp:80" ("[2001:db8::10]:udp:53" for IPv6), "FWM 5" for a fwmark
// virtual server, "[NAME]:0" for `virtual_server group NAME` (keepalived's format_vs: the
// group's name in brackets and the virtual server's own port, which a group has none of), and
// <rs> = "[198.51.100.11]:tcp:80", the real server's address and port with the virtual
// server's protocol ("none" for a fwmark virtual server, which has no protocol).
// Weight changes and the sorry server give no line.
//
// Stray NUL: keepalived 2.2.7 writes none after these lines. Its write() length is exactly the
// line (strlen(vs)+strlen(state)+5 for VS, strlen(rs)+strlen(vs)+strlen(state)+6 for RS; the
// buffer is one byte larger only for snprintf's terminator), checked in the disassembly of
// Debian's /usr/sbin/keepalived 2.2.7, in the upstream source and in a capture of its FIFO.
// halo writes the line and its newline, nothing more; see notice_line.cc.
//
// notify_up/notify_down/quorum_up/quorum_down scripts get no arguments from keepalived beyond
// those written in the configuration (notify_exec of the configured script).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/model.h"
#include "lvs/pool.h"

namespace halo::lvs {

// keepalived's "[addr]:proto:port" form of one server (inet_sockaddrtotrio); no protocol:
// "none".
std::string server_text(const IpAddress& address, std::optional<config::LvsProtocol> protocol,
                        std::uint16_t port);

// The protocol keepalived formats a virtual server's servers with: the configured one; for a
// virtual server with addresses (its own, or a group's ranges) and none configured, UDP (what
// keepalived defaults to, with a config error); for fwmarks only, none.
std::optional<config::LvsProtocol> server_protocol(const config::VirtualServer& vs,
                                                   const config::LvsConfig& lvs);

// The virtual server part of the lines: "[192.0.2.10]:tcp:80", "FWM 5", "[NAME]:0".
std::string virtual_server_text(const config::VirtualServer& vs);

// The real server part: "[198.51.100.11]:tcp:80" (a real server without a port has the
// virtual server's).
std::string real_server_text(const config::VirtualServer& vs, const config::RealServer& rs,
                             const config::LvsConfig& lvs);

// The FIFO line for a notice, newline included; "" for notices keepalived writes no line for.
// `virtual_server` is virtual_server_text(); real servers are named by RealServerSpec::name.
std::string fifo_line(const PoolNotice& notice, const PoolSpec& spec,
                      const std::string& virtual_server);

}  // namespace halo::lvs
