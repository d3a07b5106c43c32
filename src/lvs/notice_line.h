// The lines keepalived writes to lvs_notify_fifo / notify_fifo for the checkers' side, and the
// argument forms of notify_up/notify_down/quorum_up/quorum_down:
//   VS [192.0.2.10]:tcp:80 UP
//   RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN
// (fwmark virtual servers: "FWM 5"; groups: the group's name; see notice_line.cc for the
// forms recorded from keepalived). keepalived follows each line with a stray NUL byte; halo
// does not (see notice_line.cc for why).
#pragma once

#include <string>

#include "lvs/pool.h"

namespace halo::lvs {

// keepalived's "[addr]:proto:port" form of one server.
std::string server_text(const IpAddress& address, config::LvsProtocol protocol, std::uint16_t port);
// The virtual server part of the lines: "[192.0.2.10]:tcp:80", "FWM 5", "group NAME".
std::string virtual_server_text(const config::VirtualServer& vs);

// The FIFO line for a notice, newline included; "" for notices keepalived writes no line for.
std::string fifo_line(const PoolNotice& notice, const PoolSpec& spec,
                      const std::string& virtual_server);

}  // namespace halo::lvs
