// Why the SocketWatcher keeps idle sockets (src/check/socket_watcher.h): the CPU of one
// TCP_CHECK-like connection on loopback, with a new socket per check (socket, SO_LINGER 0,
// TCP_QUICKACK off, connect, poll, close) against one socket reset and reused (TCP_QUICKACK
// off, connect, poll, connect(AF_UNSPEC)).
//
// It runs in a network namespace of its own (unshare), so it touches nothing of the machine's:
//   c++ -O2 -o /tmp/socket_reuse bench/check/socket_reuse.cc && /tmp/socket_reuse 100000
// or build the target bench_socket_reuse. Prints microseconds per check for each way, twice,
// alternating.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  ::close(fd);
  return ok;
}

// Microseconds of CPU (user + system) per check for `checks` connections to `server`.
double run(const sockaddr_in& server, int checks, bool reuse) {
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  int fd = -1;
  const sockaddr unspec{.sa_family = AF_UNSPEC, .sa_data = {}};
  for (int i = 0; i < checks; ++i) {
    if (fd < 0) {
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
      const linger reset{.l_onoff = 1, .l_linger = 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    const int quickack = 0;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quickack, sizeof quickack);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 &&
        errno != EINPROGRESS) {
      std::perror("connect");
      std::exit(1);
    }
    pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
    if (::poll(&p, 1, 1000) != 1 || (p.revents & POLLERR) != 0) {
      std::fprintf(stderr, "check %d did not connect\n", i);
      std::exit(1);
    }
    if (reuse) {
      ::connect(fd, &unspec, sizeof unspec);  // a RST, and the socket is free again
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) ::close(fd);
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) -
                     seconds(before.ru_stime);
  return 1e6 * cpu / checks;
}

}  // namespace

int main(int argc, char** argv) {
  const int checks = argc > 1 ? std::atoi(argv[1]) : 100000;
  if (::unshare(CLONE_NEWNET) != 0 || !loopback_up()) {
    std::perror("a network namespace of its own (run as root)");
    return 1;
  }
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof server;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0 ||
      ::listen(listener, 4096) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&server), &length) != 0) {
    std::perror("listener");
    return 1;
  }
  std::printf("%d checks each, CPU us per check (user + system, both ends of loopback)\n", checks);
  for (int round = 0; round < 2; ++round) {
    std::printf("new socket per check:   %6.2f\n", run(server, checks, false));
    std::printf("idle socket reused:     %6.2f\n", run(server, checks, true));
  }
  return 0;
}
