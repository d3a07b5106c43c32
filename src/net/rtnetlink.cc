// The daemon's rtnetlink requests over one blocking NETLINK_ROUTE socket.
//
// rtnetlink is a request/response protocol with the kernel (rtnetlink(7), netlink(7)): a
// request carries a sequence number chosen by the sender, and every message of the answer
// carries it back. Each request here gets a fresh one and NLM_F_ACK, so the kernel always ends
// its answer with an NLMSG_ERROR message (error 0 is the ack); a dump (NLM_F_DUMP) ends with
// NLMSG_DONE instead. Anything else on the socket is skipped: the rest of an answer we gave up
// on (after a timeout), or a message from another process (any local process may send to
// our port; only messages whose sender port is 0, the kernel, are read).
//
// Socket options:
//   NETLINK_EXT_ACK  the kernel explains EINVAL and friends in text ("Invalid prefix length");
//                    the text is appended to the errno text of every error
//   NETLINK_CAP_ACK  an error does not echo the whole request back (we have it)
//   SO_RCVTIMEO 1 s  a reply that never comes (a kernel bug, a lost message) is an error, not
//                    a daemon stuck in recv(); the kernel answers in microseconds
//
// A dump that is read only half keeps the socket busy (a new dump would get EBUSY), so a
// dump is always read to its NLMSG_DONE, even after a message in it failed to parse. When the
// kernel flags a dump as inconsistent (NLM_F_DUMP_INTR: addresses or links changed while it
// was being sent), it is run again.
//
// Errors name the operation and the thing: "cannot add 192.0.2.10/24 on veth-a: File exists",
// "cannot delete link 42: Operation not permitted (extended ack text)", "cannot add route
// 192.0.2.0/24 via 198.51.100.1 dev 3: Network is unreachable (Nexthop has invalid gateway)".
#include "net/rtnetlink.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "net/socket_util.h"

namespace halo::net {
namespace {

constexpr std::size_t kReceiveBufferSize = std::size_t{64} * 1024;  // a dump part is at most 32 KiB
constexpr std::size_t kMaxRequestSize = kMaxRouteMessageSize;       // the largest request
constexpr int kDumpAttempts = 3;
constexpr timeval kReceiveTimeout{.tv_sec = 1, .tv_usec = 0};

// "No such device" or "Invalid argument (Invalid prefix length)".
std::string kernel_text(int error, const std::string& ext_ack) {
  return ext_ack.empty() ? errno_text(error) : errno_text(error) + " (" + ext_ack + ")";
}

std::string interface_text(std::uint32_t ifindex, const std::string& name) {
  return name.empty() ? "ifindex " + std::to_string(ifindex) : name;
}

std::string address_text(const AddressRequest& r) {
  return r.prefix.to_string() + " on " + interface_text(r.ifindex, r.interface_name);
}

Result<std::size_t> build_dump_addresses(Family family, std::uint32_t seq,
                                         std::span<std::uint8_t> buf) {
  alignas(nlmsghdr) std::array<std::uint8_t, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(ifaddrmsg))>
      storage{};
  if (buf.size() < storage.size()) return fail("netlink buffer is too small");
  nlmsghdr* nlh = mnl_nlmsg_put_header(storage.data());
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = family == Family::V4 ? AF_INET : AF_INET6;
  std::memcpy(buf.data(), storage.data(), nlh->nlmsg_len);
  return nlh->nlmsg_len;
}

}  // namespace

Result<Rtnetlink> Rtnetlink::open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return fail("cannot open rtnetlink socket: " + errno_text(errno));
  Rtnetlink rt(fd, 0);  // closes fd on every error below
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) < 0) {
    return fail("cannot bind rtnetlink socket: " + errno_text(errno));
  }
  socklen_t len = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) < 0) {
    return fail("cannot read the rtnetlink port id: " + errno_text(errno));
  }
  rt.port_id_ = local.nl_pid;
  // Both are conveniences (error text, shorter error messages): an old kernel without them
  // still works.
  (void)set_option(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
  (void)set_option(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kReceiveTimeout, sizeof kReceiveTimeout) < 0) {
    return fail("cannot set the rtnetlink receive timeout: " + errno_text(errno));
  }
  return rt;
}

Rtnetlink::Rtnetlink(int fd, std::uint32_t port_id)
    : fd_(fd), port_id_(port_id), buffer_(kReceiveBufferSize) {}

Rtnetlink::Rtnetlink(Rtnetlink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      seq_(other.seq_),
      port_id_(other.port_id_),
      buffer_(std::move(other.buffer_)) {}

Rtnetlink& Rtnetlink::operator=(Rtnetlink&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    seq_ = other.seq_;
    port_id_ = other.port_id_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

Rtnetlink::~Rtnetlink() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Rtnetlink::Outcome> Rtnetlink::round_trip(const Build& build, bool dump,
                                                 const OnMessage& on_message,
                                                 const std::string& what) {
  if (fd_ < 0) return fail(what + ": rtnetlink socket is closed");
  const std::uint32_t seq = ++seq_;
  alignas(nlmsghdr) std::array<std::uint8_t, kMaxRequestSize> request{};
  auto built = build(seq, request);
  if (!built) return fail(what + ": " + built.error().message);

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent = 0;
  do {
    sent = sendto(fd_, request.data(), *built, 0, reinterpret_cast<const sockaddr*>(&kernel),
                  sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return fail(what + ": " + errno_text(errno));
  if (static_cast<std::size_t>(sent) != *built) return fail(what + ": short netlink send");

  bool interrupted = false;
  std::optional<Error> handler_error;  // kept while the rest of a dump is drained
  for (;;) {
    const auto received = receive_netlink(fd_, buffer_, 0);
    const ssize_t n = received.size;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return fail(what + ": no answer from the kernel within 1 s");
      }
      return fail(what + ": " + errno_text(errno));
    }
    if (received.truncated) return fail(what + ": netlink reply truncated");
    if (received.sender != 0) continue;  // not from the kernel

    int len = static_cast<int>(n);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer_.data());
    for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != port_id_) continue;  // an older answer
      const std::span<const std::uint8_t> message(reinterpret_cast<const std::uint8_t*>(nlh),
                                                  nlh->nlmsg_len);
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        auto ack = parse_ack(message);
        if (!ack) return fail(what + ": " + ack.error().message);
        if (handler_error) return tl::unexpected(*handler_error);
        return Outcome{.error = ack->error, .ext_ack = ack->message, .interrupted = false};
      }
      if (nlh->nlmsg_type == NLMSG_DONE && dump) {
        if (handler_error) return tl::unexpected(*handler_error);
        // The payload is the dump's status, 0 or -errno.
        int status = 0;
        if (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof status) {
          std::memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof status);
        }
        return Outcome{
            .error = status < 0 ? -status : 0, .ext_ack = {}, .interrupted = interrupted};
      }
      if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) != 0) interrupted = true;
      if (handler_error || !on_message) continue;
      if (auto ok = on_message(message); !ok) {
        handler_error = Error{what + ": " + ok.error().message};
      }
    }
  }
}

Result<void> Rtnetlink::dump(const Build& build, const OnMessage& on_message,
                             const std::function<void()>& restart, const std::string& what) {
  for (int attempt = 1;; ++attempt) {
    restart();
    auto outcome = round_trip(build, /*dump=*/true, on_message, what);
    if (!outcome) return tl::unexpected(outcome.error());
    if (outcome->error != 0) return fail(what + ": " + kernel_text(outcome->error, {}));
    if (!outcome->interrupted) return {};
    if (attempt == kDumpAttempts) {
      return fail(what + ": the kernel interrupted the dump " + std::to_string(attempt) +
                  " times (the table kept changing)");
    }
  }
}

Result<void> Rtnetlink::add_address(const AddressRequest& request, bool replace) {
  const std::string what = "cannot add " + address_text(request);
  auto outcome = round_trip(
      [&](std::uint32_t seq, std::span<std::uint8_t> buf) {
        return build_new_address(request, seq, buf, replace);
      },
      /*dump=*/false, nullptr, what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error != 0) return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
  return {};
}

Result<bool> Rtnetlink::delete_address(const AddressRequest& request) {
  const std::string what = "cannot delete " + address_text(request);
  auto outcome =
      round_trip([&](std::uint32_t seq,
                     std::span<std::uint8_t> buf) { return build_del_address(request, seq, buf); },
                 /*dump=*/false, nullptr, what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == 0) return true;
  if (outcome->error == EADDRNOTAVAIL || outcome->error == ENODEV) return false;
  return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
}

Result<std::vector<AddressMessage>> Rtnetlink::addresses(Family family) {
  std::vector<AddressMessage> out;
  const std::string what =
      std::string("cannot list the ") + (family == Family::V4 ? "IPv4" : "IPv6") + " addresses";
  auto ok =
      dump([family](std::uint32_t seq,
                    std::span<std::uint8_t> buf) { return build_dump_addresses(family, seq, buf); },
           [&](std::span<const std::uint8_t> message) -> Result<void> {
             auto parsed = parse_address_message(message);
             if (!parsed) return tl::unexpected(parsed.error());
             out.push_back(std::move(*parsed));
             return {};
           },
           [&] { out.clear(); }, what);
  if (!ok) return tl::unexpected(ok.error());
  return out;
}

Result<std::optional<LinkInfo>> Rtnetlink::get_link(const Build& build, const std::string& what) {
  std::optional<LinkInfo> found;
  auto outcome = round_trip(
      build, /*dump=*/false,
      [&](std::span<const std::uint8_t> message) -> Result<void> {
        auto parsed = parse_link_message(message);
        if (!parsed) return tl::unexpected(parsed.error());
        found = std::move(parsed->link);
        return {};
      },
      what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == ENODEV) return std::optional<LinkInfo>();
  if (outcome->error != 0) return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
  if (!found) return fail(what + ": the kernel acknowledged without an answer");
  return found;
}

Result<std::optional<LinkInfo>> Rtnetlink::link(std::string_view name) {
  if (!check_interface_name(name)) return std::optional<LinkInfo>();
  return get_link([name](std::uint32_t seq,
                         std::span<std::uint8_t> buf) { return build_get_link(name, seq, buf); },
                  "cannot read link " + std::string(name));
}

Result<std::optional<LinkInfo>> Rtnetlink::link(std::uint32_t ifindex) {
  return get_link(
      [ifindex](std::uint32_t seq, std::span<std::uint8_t> buf) {
        return build_get_link(ifindex, seq, buf);
      },
      "cannot read link " + std::to_string(ifindex));
}

Result<std::vector<LinkInfo>> Rtnetlink::links() {
  std::vector<LinkInfo> out;
  auto ok = dump(
      [](std::uint32_t seq, std::span<std::uint8_t> buf) { return build_dump_links(seq, buf); },
      [&](std::span<const std::uint8_t> message) -> Result<void> {
        auto parsed = parse_link_message(message);
        if (!parsed) return tl::unexpected(parsed.error());
        out.push_back(std::move(parsed->link));
        return {};
      },
      [&] { out.clear(); }, "cannot list the links");
  if (!ok) return tl::unexpected(ok.error());
  return out;
}

Result<std::uint32_t> Rtnetlink::add_macvlan(const MacvlanRequest& request) {
  const std::string what = "cannot create macvlan " + request.name + " on ifindex " +
                           std::to_string(request.parent_ifindex);
  auto outcome =
      round_trip([&](std::uint32_t seq,
                     std::span<std::uint8_t> buf) { return build_new_macvlan(request, seq, buf); },
                 /*dump=*/false, nullptr, what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error != 0) return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));

  auto created = link(request.name);
  if (!created) return tl::unexpected(created.error());
  if (!*created) return fail(what + ": it vanished right after it was created");
  const std::uint32_t ifindex = (*created)->ifindex;
  if (!request.bring_up) return ifindex;
  if (auto up = set_link_up(ifindex, true); !up) {
    (void)delete_link(ifindex);  // best effort: the error below is the one that matters
    return tl::unexpected(up.error());
  }
  return ifindex;
}

Result<void> Rtnetlink::set_link_up(std::uint32_t ifindex, bool up) {
  const std::string what = "cannot set link " + std::to_string(ifindex) + (up ? " up" : " down");
  auto outcome = round_trip(
      [&](std::uint32_t seq, std::span<std::uint8_t> buf) {
        return build_set_link_up(ifindex, up, seq, buf);
      },
      /*dump=*/false, nullptr, what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error != 0) return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
  return {};
}

Result<bool> Rtnetlink::delete_link(std::uint32_t ifindex) {
  const std::string what = "cannot delete link " + std::to_string(ifindex);
  auto outcome =
      round_trip([&](std::uint32_t seq,
                     std::span<std::uint8_t> buf) { return build_del_link(ifindex, seq, buf); },
                 /*dump=*/false, nullptr, what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == 0) return true;
  if (outcome->error == ENODEV) return false;
  return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
}

Result<Rtnetlink::Outcome> Rtnetlink::acked(const Build& build, const std::string& what) {
  return round_trip(build, /*dump=*/false, nullptr, what);
}

Result<void> Rtnetlink::add_route(const RouteRequest& route) {
  const std::string what = "cannot add route " + route_text(route);
  auto outcome =
      acked([&](std::uint32_t seq,
                std::span<std::uint8_t> buf) { return build_new_route(route, seq, buf); },
            what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == 0 || outcome->error == EEXIST) return {};
  return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
}

Result<bool> Rtnetlink::delete_route(const RouteRequest& route) {
  const std::string what = "cannot delete route " + route_text(route);
  auto outcome =
      acked([&](std::uint32_t seq,
                std::span<std::uint8_t> buf) { return build_del_route(route, seq, buf); },
            what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == 0) return true;
  if (outcome->error == ESRCH || outcome->error == ENODEV) return false;
  return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
}

Result<void> Rtnetlink::add_rule(const RuleRequest& rule) {
  const std::string what = "cannot add rule " + rule_text(rule);
  auto outcome = acked([&](std::uint32_t seq,
                           std::span<std::uint8_t> buf) { return build_new_rule(rule, seq, buf); },
                       what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == 0 || outcome->error == EEXIST) return {};
  return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
}

Result<bool> Rtnetlink::delete_rule(const RuleRequest& rule) {
  const std::string what = "cannot delete rule " + rule_text(rule);
  auto outcome = acked([&](std::uint32_t seq,
                           std::span<std::uint8_t> buf) { return build_del_rule(rule, seq, buf); },
                       what);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->error == 0) return true;
  if (outcome->error == ENOENT) return false;
  return fail(what + ": " + kernel_text(outcome->error, outcome->ext_ack));
}

}  // namespace halo::net
