// The control server alone, for bench/control/run until halod serves its control socket:
// halo's control::Server on a UNIX socket with a handler that answers `show info` with a
// few lines (like halod's), everything else with an error. Stops on SIGTERM or SIGINT.
//
//   bench_control_server SOCKET_PATH [MAXCONN]
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "control/listener.h"
#include "control/server.h"

int main(int argc, char** argv) {
  using namespace halo::control;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SOCKET_PATH [MAXCONN]\n", argv[0]);
    return 2;
  }
  const SocketSpec spec{argv[1], 0600, {}, {}};
  auto fd = open_listener(spec);
  if (!fd) {
    std::fprintf(stderr, "%s\n", fd.error().message.c_str());
    return 1;
  }
  const int listening = fd->get();
  Limits limits;
  if (argc > 2) limits.maxconn = std::strtoul(argv[2], nullptr, 10);
  boost::asio::io_context io;
  halo::status::EventLog events;
  const auto handler = [](const Command& command) {
    if (command.words == std::vector<std::string>{"show", "info"}) {
      return Reply{"Name: halo\nVersion: bench\nPid: 1\nUptime_sec: 1\nInstances: 0\nMasters: 0\n"};
    }
    return Reply::error("unknown command '" + command.verb() + "'");
  };
  auto server = Server::start(io, std::move(*fd), limits, handler, events);
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) {
    remove_listener(spec, listening);
    server->stop();
  });
  io.run();
  return 0;
}
