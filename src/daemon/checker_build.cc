#include "daemon/checker_build.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <type_traits>

#include "check/dns_probe.h"
#include "check/http_probe.h"
#include "check/misc_probe.h"
#include "check/ping_probe.h"
#include "check/smtp_probe.h"
#include "check/tcp_probe.h"
#include "check/udp_probe.h"
#include "common/host_name.h"
#include "config/lexer.h"
#include "process/credentials.h"

namespace halo::daemon {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// keepalived.conf(5): "retry: default 1 unless specified below" (DNS_CHECK 3, MISC_CHECK 0);
// "delay_before_retry: delay_loop for DNS_CHECK, 3 seconds for HTTP_GET and SSL_GET, and 1
// second otherwise"; "warmup: enabled by default, with the maximum at delay_loop".
std::uint32_t default_retry(const config::Checker& c) {
  if (std::holds_alternative<config::DnsCheck>(c.kind)) return 3;
  if (std::holds_alternative<config::MiscCheck>(c.kind)) return 0;
  return 1;
}

config::Duration default_delay_before_retry(const config::Checker& c, config::Duration delay_loop) {
  if (std::holds_alternative<config::DnsCheck>(c.kind)) return delay_loop;
  if (std::holds_alternative<config::HttpCheck>(c.kind)) return std::chrono::seconds(3);
  return std::chrono::seconds(1);
}

std::int64_t ms(config::Duration d) {
  return duration_cast<milliseconds>(d).count();
}

}  // namespace

std::string_view checker_kind_name(const config::Checker& checker) {
  return std::visit(Overloaded{
                        [](const config::TcpCheck&) { return "TCP_CHECK"; },
                        [](const config::HttpCheck& h) { return h.ssl ? "SSL_GET" : "HTTP_GET"; },
                        [](const config::SmtpCheck&) { return "SMTP_CHECK"; },
                        [](const config::DnsCheck&) { return "DNS_CHECK"; },
                        [](const config::MiscCheck&) { return "MISC_CHECK"; },
                        [](const config::UdpCheck&) { return "UDP_CHECK"; },
                        [](const config::PingCheck&) { return "PING_CHECK"; },
                        [](const config::FileCheck&) { return "FILE_CHECK"; },
                        [](const config::BfdCheck&) { return "BFD_CHECK"; },
                    },
                    checker.kind);
}

std::uint16_t real_server_port(const config::VirtualServer& vs, const config::RealServer& rs) {
  return rs.port != 0 ? rs.port : vs.port;
}

Result<BuiltCheck> build_check(boost::asio::io_context& io, process::Supervisor& supervisor,
                               const config::Config& config, const config::VirtualServer& vs,
                               const config::RealServer& rs, const config::Checker& checker,
                               const std::string& id) {
  const config::CheckerCommon& c = checker.common;
  const config::RealServerOptions& ro = rs.options.get();
  BuiltCheck built;
  status::CheckView& view = built.view;
  view.kind = std::string(checker_kind_name(checker));
  view.id = id;

  // Timing: checker, then real server, then virtual server, then the kind's default.
  check::ScheduleConfig& s = built.schedule;
  s.delay_loop = c.delay_loop.value_or(ro.delay_loop.value_or(vs.delay_loop));
  s.retry = c.retry.value_or(ro.retry.value_or(vs.retry.value_or(default_retry(checker))));
  s.delay_before_retry = c.delay_before_retry.value_or(ro.delay_before_retry.value_or(
      vs.delay_before_retry.value_or(default_delay_before_retry(checker, s.delay_loop))));
  s.warmup = c.warmup ? c.warmup : ro.warmup ? ro.warmup : vs.warmup;  // unset: delay_loop
  s.alpha = c.alpha.value_or(ro.alpha.value_or(vs.alpha));
  const config::Duration connect_timeout = c.connect_timeout.value_or(
      ro.connect_timeout.value_or(vs.connect_timeout.value_or(std::chrono::seconds(5))));
  view.delay_loop_ms = ms(s.delay_loop);
  view.retry = s.retry;
  view.delay_before_retry_ms = ms(s.delay_before_retry);
  view.warmup_ms = ms(s.warmup.value_or(s.delay_loop));
  view.alpha = s.alpha;
  view.log_all_failures = c.log_all_failures.value_or(config.global.defs.checker_log_all_failures);
  view.connect_timeout_ms = ms(connect_timeout);

  check::Target target;
  const IpAddress& address = c.connect_ip ? *c.connect_ip : rs.address;
  target.address = boost::asio::ip::make_address(address.to_string());
  target.port = c.connect_port != 0 ? c.connect_port : real_server_port(vs, rs);
  if (c.bindto) target.bind_address = boost::asio::ip::make_address(c.bindto->to_string());
  target.bind_port = c.bind_port;
  target.bind_interface = c.bind_if;
  target.fwmark = c.fwmark;
  target.connect_timeout = connect_timeout;
  view.target = target.text();

  const auto& virtualhost = ro.virtualhost ? ro.virtualhost : vs.virtualhost;
  Result<void> made = std::visit(
      Overloaded{
          [&](const config::TcpCheck&) -> Result<void> {
            built.probe = check::make_tcp_probe(io, target);
            return {};
          },
          [&](const config::HttpCheck& h) -> Result<void> {
            check::HttpOptions options{h, virtualhost,
                                       config.global.ssl ? &*config.global.ssl : nullptr};
            for (const auto& url : h.urls) view.details.emplace_back("url", url.path);
            built.probe = check::make_http_probe(io, target, std::move(options));
            return {};
          },
          [&](const config::SmtpCheck& smtp) -> Result<void> {
            std::string helo = smtp.helo_name ? *smtp.helo_name
                               : config.global.defs.smtp_helo_name
                                   ? *config.global.defs.smtp_helo_name
                                   : host_name();
            if (helo.empty()) helo = "localhost";
            view.details.emplace_back("helo_name", helo);
            built.probe = check::make_smtp_probe(io, target, helo);
            return {};
          },
          [&](const config::DnsCheck& dns) -> Result<void> {
            view.details.emplace_back("name", dns.name);
            built.probe = check::make_dns_probe(io, target, dns);
            return {};
          },
          [&](const config::UdpCheck& udp) -> Result<void> {
            built.probe = check::make_udp_probe(io, target, udp);
            return {};
          },
          [&](const config::PingCheck&) -> Result<void> {
            built.probe = check::make_ping_probe(io, target);
            return {};
          },
          [&](const config::MiscCheck& misc) -> Result<void> {
            const config::Script& script = misc.path.get();
            check::MiscOptions options;
            options.dynamic = misc.dynamic;
            options.command.argv = config::split_command(script.command);
            if (options.command.argv.empty()) return fail("MISC_CHECK has no misc_path");
            const auto& defs = config.global.defs;
            auto credentials = process::script_identity(
                options.command.argv[0],
                {script.user, script.group, defs.script_user, defs.script_group},
                defs.enable_script_security);
            if (!credentials) return fail(credentials.error().message);
            options.command.credentials = std::move(*credentials);
            // misc_timeout, else delay_loop (keepalived.conf(5)).
            options.command.timeout =
                misc.timeout ? config::Duration(std::chrono::seconds(*misc.timeout)) : s.delay_loop;
            options.command.description = fmt::format("MISC_CHECK of {}", id);
            view.target = script.command;
            view.details.emplace_back("script", script.command);
            view.details.emplace_back("timeout",
                                      std::to_string(ms(options.command.timeout) / 1000));
            view.details.emplace_back("dynamic", misc.dynamic ? "YES" : "NO");
            const auto& who = options.command.credentials;
            view.details.emplace_back("uid:gid", fmt::format("{}:{}", who.uid.value_or(getuid()),
                                                             who.gid.value_or(getgid())));
            s.from_start = true;  // keepalived: a script's next run counts from its start
            built.probe = check::make_misc_probe(io, supervisor, std::move(options));
            return {};
          },
          [&](const config::FileCheck& file) -> Result<void> {
            const auto& files = config.vrrp.track_files;
            const bool known = std::any_of(files.begin(), files.end(), [&](const auto& f) {
              return f.name == file.track_file;
            });
            if (!known) return fail(fmt::format("track_file '{}' is not defined", file.track_file));
            view.target = file.track_file;
            return {};
          },
          [&](const config::BfdCheck&) -> Result<void> {
            return fail("BFD_CHECK is not supported: halo has no BFD yet");
          },
      },
      checker.kind);
  if (!made) return tl::unexpected(made.error());
  // keepalived_check.data: the kind's own lines follow its "Keepalive method" line.
  if (!view.details.empty())
    view.details.insert(view.details.begin(), {"Keepalive method", view.kind});
  return built;
}

}  // namespace halo::daemon
