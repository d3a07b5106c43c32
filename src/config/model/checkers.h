// Health checkers of a real_server: TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK, DNS_CHECK,
// MISC_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK and BFD_CHECK.
//
// Every checker shares one set of options (CheckerCommon: where to connect and how often);
// what differs per protocol sits in a small struct held in a std::variant, so a real server
// with one TCP_CHECK costs one compact element in a vector, not a heap object per checker.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.h"
#include "config/model/common.h"

namespace halo::config {

// A rarely set part of a model struct, allocated only when something in it is set, so that the
// common case (10,000 real servers that set nothing unusual) stays small. Copies deeply and
// compares by value; an empty box equals a default T.
template <class T>
class Box {
 public:
  Box() = default;
  Box(const Box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  ~Box() = default;

  const T& get() const { return p_ ? *p_ : empty(); }
  const T* operator->() const { return &get(); }
  const T& operator*() const { return get(); }
  T& mut() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  bool has_value() const { return p_ != nullptr; }
  friend bool operator==(const Box& a, const Box& b) { return a.get() == b.get(); }

 private:
  static const T& empty() {
    static const T value{};
    return value;
  }
  std::unique_ptr<T> p_;
};

// Options every checker takes (MISC_CHECK only the timing ones, FILE_CHECK and BFD_CHECK
// almost none). Unset values inherit from the real server, then the virtual server.
struct CheckerCommon {
  std::optional<IpAddress> connect_ip;  // default: the real server's address
  std::uint16_t connect_port = 0;       // 0: the real server's port
  std::optional<IpAddress> bindto;
  std::uint16_t bind_port = 0;  // 0: any
  std::string bind_if;          // "": none
  std::optional<Duration> connect_timeout;
  std::optional<std::uint32_t> fwmark;
  std::optional<std::uint32_t> retry;
  std::optional<Duration> delay_before_retry;
  std::optional<Duration> warmup;
  std::optional<Duration> delay_loop;
  std::optional<bool> alpha;
  std::optional<bool> log_all_failures;
  SourceLoc loc;

  bool operator==(const CheckerCommon&) const = default;
};

struct TcpCheck {
  bool operator==(const TcpCheck&) const = default;
};

struct PingCheck {
  bool operator==(const PingCheck&) const = default;
};

// An HTTP status code range, inclusive ("200-299", or "503" as 503-503).
struct StatusRange {
  std::uint16_t min = 0;
  std::uint16_t max = 0;
  bool operator==(const StatusRange&) const = default;
};

struct HttpUrl {
  std::string path;
  std::string digest;                     // 32 lowercase hex digits (MD5), "" when not checked
  std::vector<StatusRange> status_codes;  // empty: 200-299
  std::optional<std::string> virtualhost;
  std::optional<std::string> regex;
  bool regex_no_match = false;
  std::vector<std::string> regex_options;  // pcre2 option names, as written
  std::optional<std::pair<std::uint64_t, std::uint64_t>> regex_stack;  // start, max bytes
  std::optional<std::uint64_t> regex_min_offset;
  std::optional<std::uint64_t> regex_max_offset;
  SourceLoc loc;

  bool operator==(const HttpUrl&) const = default;
};

enum class HttpProtocol : std::uint8_t { V1_0, V1_0C, V1_1 };

// HTTP_GET and SSL_GET (ssl = true).
struct HttpCheck {
  bool ssl = false;
  std::optional<std::string> virtualhost;
  HttpProtocol http_protocol = HttpProtocol::V1_0;
  std::optional<bool> enable_sni;
  std::optional<bool> fast_recovery;
  std::vector<HttpUrl> urls;

  bool operator==(const HttpCheck&) const = default;
};

struct SmtpCheck {
  std::optional<std::string> helo_name;
  // Deprecated `host { }` blocks: each is a checker of its own with these options.
  std::vector<CheckerCommon> hosts;

  bool operator==(const SmtpCheck&) const = default;
};

enum class DnsType : std::uint8_t { A, Ns, Cname, Soa, Mx, Txt, Aaaa, Rrsig, Dnskey };

struct DnsCheck {
  DnsType type = DnsType::Soa;
  std::string name = ".";

  bool operator==(const DnsCheck&) const = default;
};

struct MiscCheck {
  Box<Script> path;                      // misc_path; `user` fills path.user / path.group
  std::optional<std::uint32_t> timeout;  // misc_timeout, seconds; default: delay_loop
  bool dynamic = false;

  bool operator==(const MiscCheck&) const = default;
};

struct UdpCheck {
  std::string payload;  // normalised hex, two digits per byte; "" = random payload
  bool require_reply = false;
  std::string reply;  // normalised hex pattern (X = any nibble); "" = any data
  std::uint32_t min_reply_length = 0;
  std::uint32_t max_reply_length = 255;

  bool operator==(const UdpCheck&) const = default;
};

struct FileCheck {
  std::string track_file;  // name of a track_file block
  std::optional<std::int32_t> weight;
  bool reverse = false;

  bool operator==(const FileCheck&) const = default;
};

struct BfdCheck {
  std::string name;  // a bfd_instance

  bool operator==(const BfdCheck&) const = default;
};

using CheckerKind = std::variant<TcpCheck, HttpCheck, SmtpCheck, DnsCheck, MiscCheck, UdpCheck,
                                 PingCheck, FileCheck, BfdCheck>;

struct Checker {
  CheckerCommon common;  // common.loc: where the checker block starts
  CheckerKind kind;

  const SourceLoc& loc() const { return common.loc; }
  bool operator==(const Checker&) const = default;
};

}  // namespace halo::config
