// The real servers of the health-check benchmark (bench/check/run): one small epoll program that
// stands in for thousands of back ends, so the checkers, not the servers, are what is measured.
//
// It listens on [::] (dual stack) on every TCP port and every HTTP port it is given, one
// listening socket per port per thread (SO_REUSEPORT spreads connections over the threads).
// The run script makes a whole IPv6 /64 (or two IPv4 /24s) local in its namespace, so one
// wildcard listener answers for every real server address there.
//  - A TCP port accepts and closes at once: a TCP_CHECK (or HAProxy's layer-4 check) only
//    needs the handshake to complete.
//  - An HTTP port reads the request up to its empty line, answers
//    `HTTP/1.1 200 OK` with an empty body and `Connection: close`, and closes.
//
// Counters live in a file mapped shared (--stats FILE: six little-endian u64: TCP accepted,
// HTTP accepted, HTTP answered, HTTP dropped (closed or failed before a full request), accept
// errors, reserved), so the run script reads them at any moment with one pread and the servers
// pay one relaxed atomic add per event. SIGTERM ends it (default action).
//
//   bench_check_server --stats FILE [--tcp-port P]... [--http-port P]... [--threads N]

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Counters {
  std::atomic<std::uint64_t> tcp_accepted;
  std::atomic<std::uint64_t> http_accepted;
  std::atomic<std::uint64_t> http_answered;
  std::atomic<std::uint64_t> http_dropped;
  std::atomic<std::uint64_t> accept_errors;
  std::atomic<std::uint64_t> reserved;
};

Counters* counters = nullptr;

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr int kBacklog = 65535;  // capped by net.core.somaxconn, which the run script raises
constexpr std::size_t kMaxRequest = 8192;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "bench_check_server: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

int listen_on(std::uint16_t port) {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  addr.sin6_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("bind");
  if (listen(fd, kBacklog) < 0) die("listen");
  return fd;
}

// Tags in epoll data: listening sockets carry their kind, connections their fd.
constexpr std::uint64_t kTcpListener = 1ull << 40;
constexpr std::uint64_t kHttpListener = 2ull << 40;

void serve(const std::vector<std::uint16_t>& tcp_ports,
           const std::vector<std::uint16_t>& http_ports) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  auto add = [ep](int fd, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag | static_cast<std::uint64_t>(fd);
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  };
  for (auto p : tcp_ports) add(listen_on(p), kTcpListener);
  for (auto p : http_ports) add(listen_on(p), kHttpListener);

  std::vector<std::string> pending;  // partial HTTP requests by fd
  auto finish = [&](int fd, bool answered) {
    (answered ? counters->http_answered : counters->http_dropped)
        .fetch_add(1, std::memory_order_relaxed);
    if (static_cast<std::size_t>(fd) < pending.size()) pending[fd].clear();
    close(fd);
  };
  // Reads what is there; answers once the request's empty line has arrived.
  auto on_readable = [&](int fd) {
    if (static_cast<std::size_t>(fd) >= pending.size()) pending.resize(fd + 1);
    char buf[4096];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        pending[fd].append(buf, static_cast<std::size_t>(n));
        if (pending[fd].find("\r\n\r\n") != std::string::npos ||
            pending[fd].find("\n\n") != std::string::npos) {
          ssize_t w = write(fd, kResponse.data(), kResponse.size());
          finish(fd, w == static_cast<ssize_t>(kResponse.size()));
          return;
        }
        if (pending[fd].size() > kMaxRequest) return finish(fd, false);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // wait for more
      return finish(fd, false);  // EOF or error before a full request
    }
  };

  epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      std::uint64_t data = events[i].data.u64;
      int fd = static_cast<int>(data & 0xffffffffu);
      if (data & kTcpListener) {
        for (;;) {
          int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
          if (c < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
              counters->accept_errors.fetch_add(1, std::memory_order_relaxed);
            break;
          }
          counters->tcp_accepted.fetch_add(1, std::memory_order_relaxed);
          close(c);
        }
      } else if (data & kHttpListener) {
        for (;;) {
          int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
              counters->accept_errors.fetch_add(1, std::memory_order_relaxed);
            break;
          }
          counters->http_accepted.fetch_add(1, std::memory_order_relaxed);
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.u64 = static_cast<std::uint64_t>(c);
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0) {
            finish(c, false);
            continue;
          }
          on_readable(c);  // the request often arrives with the handshake's last ACK
        }
      } else {
        on_readable(fd);  // closing the fd removes it from the epoll set
      }
    }
  }
}

std::uint16_t port_arg(const char* s) {
  long v = std::strtol(s, nullptr, 10);
  if (v <= 0 || v > 65535) {
    std::fprintf(stderr, "bench_check_server: bad port %s\n", s);
    std::exit(2);
  }
  return static_cast<std::uint16_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::uint16_t> tcp_ports, http_ports;
  const char* stats = nullptr;
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--tcp-port" && has_value) {
      tcp_ports.push_back(port_arg(argv[++i]));
    } else if (a == "--http-port" && has_value) {
      http_ports.push_back(port_arg(argv[++i]));
    } else if (a == "--stats" && has_value) {
      stats = argv[++i];
    } else if (a == "--threads" && has_value) {
      threads = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: bench_check_server --stats FILE [--tcp-port P]... "
                   "[--http-port P]... [--threads N]\n");
      return 2;
    }
  }
  if (stats == nullptr || threads < 1 || (tcp_ports.empty() && http_ports.empty())) {
    std::fprintf(stderr, "bench_check_server: --stats and at least one port are needed\n");
    return 2;
  }
  int fd = open(stats, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("open --stats");
  if (ftruncate(fd, sizeof(Counters)) < 0) die("ftruncate --stats");
  void* mem = mmap(nullptr, sizeof(Counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED) die("mmap --stats");
  counters = new (mem) Counters{};

  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(serve, tcp_ports, http_ports);
  serve(tcp_ports, http_ports);
}
