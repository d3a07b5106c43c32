// Whole-configuration checks of the lvs area (see validate.h): what keepalived -t reports once
// a virtual_server, real_server or bfd_instance block is complete, and references between
// blocks (virtual_server group -> virtual_server_group, BFD_CHECK -> bfd_instance).
//
// keepalived fails -t for a virtual server without protocol, scheduler or forwarding method
// (it then guesses UDP, wlc and NAT); halo reports the same, so both agree on pass and fail.
#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_set>

#include "config/validate.h"

namespace halo::config {
namespace {

std::string_view family_name(Family f) {
  return f == Family::V4 ? "IPv4" : "IPv6";
}

std::string server_text(const IpAddress& a, std::uint16_t port) {
  return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), port)
                   : fmt::format("{}:{}", a.to_string(), port);
}

std::string vs_text(const VirtualServer& vs) {
  switch (vs.kind) {
    case VirtualServerKind::Fwmark:
      return fmt::format("fwmark {}", vs.fwmark);
    case VirtualServerKind::Group:
      return fmt::format("group {}", vs.group);
    case VirtualServerKind::Address:
      break;
  }
  return server_text(vs.address, vs.port);
}

void validate_checker(const Checker& c, const RealServer& rs, const LvsConfig& lvs,
                      const Config& config, Diagnostics& diag) {
  auto check_bind = [&](const CheckerCommon& common) {
    const IpAddress& dst = common.connect_ip ? *common.connect_ip : rs.address;
    if (dst.is_v6() && dst.is_link_local() && common.bind_if.empty()) {
      diag.error(common.loc, fmt::format("checker address {} is link-local: it needs 'bind_if'",
                                         dst.to_string()));
    }
    if (!common.bindto) return;
    const Family target = dst.family();
    if (common.bindto->family() != target) {
      diag.error(common.loc,
                 fmt::format("'bindto' {} is {} but the checker connects to an {} "
                             "address",
                             common.bindto->to_string(), family_name(common.bindto->family()),
                             family_name(target)));
    }
  };
  const bool connects = !std::holds_alternative<MiscCheck>(c.kind) &&
                        !std::holds_alternative<FileCheck>(c.kind) &&
                        !std::holds_alternative<BfdCheck>(c.kind);
  if (connects) check_bind(c.common);
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, HttpCheck>) {
          if (k.urls.empty()) {
            diag.error(c.loc(), fmt::format("{} has no url block", k.ssl ? "SSL_GET" : "HTTP_GET"));
          }
          for (const auto& u : k.urls) {
            if (u.path.empty()) diag.error(u.loc, "url has no 'path'");
            const bool regex_params = !u.regex_options.empty() || u.regex_no_match ||
                                      u.regex_min_offset || u.regex_max_offset || u.regex_stack;
            if (!u.regex && regex_params) {
              diag.warning(u.loc, "regex options given without 'regex' are ignored");
            }
            if (u.regex && u.regex_max_offset &&
                u.regex_min_offset.value_or(0) > *u.regex_max_offset) {
              diag.warning(u.loc, fmt::format("'regex_min_offset' {} is beyond 'regex_max_offset' "
                                              "{}; both are ignored",
                                              *u.regex_min_offset, *u.regex_max_offset));
            }
          }
        } else if constexpr (std::is_same_v<K, SmtpCheck>) {
          for (const auto& h : k.hosts) check_bind(h);
        } else if constexpr (std::is_same_v<K, MiscCheck>) {
          if (k.path->command.empty()) {
            diag.error(c.loc(), "MISC_CHECK has no 'misc_path'");
          } else {
            check_script(*k.path, config, diag);
          }
        } else if constexpr (std::is_same_v<K, UdpCheck>) {
          if (k.min_reply_length > k.max_reply_length) {
            diag.error(c.loc(), fmt::format("UDP_CHECK 'min_reply_length' {} is above "
                                            "'max_reply_length' {}: the check would always fail",
                                            k.min_reply_length, k.max_reply_length));
          }
        } else if constexpr (std::is_same_v<K, FileCheck>) {
          if (k.track_file.empty()) {
            diag.error(c.loc(), "FILE_CHECK has no 'track_file'");
          } else {
            const auto& files = config.vrrp.track_files;
            const auto it = std::find_if(files.begin(), files.end(),
                                         [&](const auto& f) { return f.name == k.track_file; });
            // keepalived reads the file once: the track_file must come first.
            if (it == files.end() || !it->loc.before(c.loc())) {
              diag.error(c.loc(), fmt::format("FILE_CHECK names track_file '{}', which is not "
                                              "configured before it",
                                              k.track_file));
            }
          }
        } else if constexpr (std::is_same_v<K, BfdCheck>) {
          if (k.name.empty()) {
            diag.error(c.loc(), "BFD_CHECK has no 'name'");
          } else {
            const BfdInstance* found = nullptr;
            for (const auto& b : lvs.bfd_instances) {
              if (b.name == k.name) found = &b;
            }
            if (found != nullptr && !found->loc.before(c.loc())) {
              // keepalived reads the file once: the bfd_instance must come first.
              diag.error(c.loc(), fmt::format("BFD_CHECK names bfd_instance '{}', which is "
                                              "configured only later (line {})",
                                              k.name, found->loc.line));
            } else if (found == nullptr) {
              diag.error(c.loc(), fmt::format("BFD_CHECK names bfd_instance '{}', which is not "
                                              "configured",
                                              k.name));
            }
          }
        }
      },
      c.kind);
}

const VirtualServerGroup* find_group(const LvsConfig& lvs, const std::string& name) {
  for (const auto& g : lvs.virtual_server_groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

void validate_virtual_server(const VirtualServer& vs, const Config& config, Diagnostics& diag) {
  const auto& lvs = config.lvs;
  const std::string name = vs_text(vs);
  const VirtualServerGroup* group = nullptr;
  if (vs.kind == VirtualServerKind::Group) {
    group = find_group(lvs, vs.group);
    if (group == nullptr) {
      // keepalived -t accepts this silently and the service never exists; halo refuses it.
      diag.error(vs.loc,
                 fmt::format("virtual_server group '{}' names no virtual_server_group", vs.group));
    }
  }

  // Protocol: needed for addresses, meaningless for fwmarks.
  const bool has_addresses =
      vs.kind == VirtualServerKind::Address || (group != nullptr && !group->ranges.empty());
  const bool fwmark_only =
      vs.kind == VirtualServerKind::Fwmark || (group != nullptr && group->ranges.empty());
  if (has_addresses && !vs.protocol) {
    diag.error(vs.loc,
               fmt::format("virtual_server {} has no 'protocol' (keepalived assumes UDP)", name));
  }
  if (fwmark_only && vs.protocol) {
    diag.error(vs.loc,
               fmt::format("virtual_server {} uses fwmarks: 'protocol' does not apply", name));
  }
  if (!vs.scheduler) {
    diag.error(vs.loc, fmt::format("virtual_server {} has no 'lvs_sched' (keepalived assumes "
                                   "wlc)",
                                   name));
  }
  if (!vs.lvs_method) {
    diag.error(vs.loc, fmt::format("virtual_server {} has no 'lvs_method' (keepalived assumes "
                                   "NAT)",
                                   name));
  }

  if (vs.ops && !fwmark_only && vs.protocol && *vs.protocol != LvsProtocol::Udp) {
    diag.error(vs.loc, fmt::format("virtual_server {}: 'ops' (one-packet scheduling) needs "
                                   "protocol UDP",
                                   name));
  }

  // A service without a port must be persistent.
  const bool persistent = vs.persistence_timeout || vs.persistence_granularity;
  bool zero_port = vs.kind == VirtualServerKind::Address && vs.port == 0;
  if (group != nullptr) {
    for (const auto& r : group->ranges) zero_port |= r.port == 0;
  }
  if (zero_port && !persistent) {
    diag.error(vs.loc, fmt::format("virtual_server {} has no port: only persistent services "
                                   "(persistence_timeout) may omit it",
                                   name));
  }

  // Address family: every non-tunnelled real/sorry server has the virtual server's.
  std::optional<Family> family = vs.ip_family;
  if (vs.kind == VirtualServerKind::Address) family = vs.address.family();
  if (group != nullptr && !family && !group->ranges.empty()) {
    family = group->ranges.front().first.family();
  }
  if (!family && vs.persistence_granularity) {
    // keepalived takes the family from an IPv4 netmask or an IPv6 prefix length.
    family = vs.persistence_granularity->netmask ? Family::V4 : Family::V6;
  }
  const auto method_of = [&](const std::optional<ForwardingMethod>& own) {
    return own ? own->method : vs.lvs_method ? vs.lvs_method->method : LvsMethod::Nat;
  };
  if (vs.sorry_server && method_of(vs.sorry_server->lvs_method) != LvsMethod::Tun) {
    if (!family) family = vs.sorry_server->address.family();
    if (vs.sorry_server->address.family() != *family) {
      diag.error(
          vs.sorry_server->loc,
          fmt::format("sorry_server {} is {} but virtual_server {} is {}",
                      vs.sorry_server->address.to_string(),
                      family_name(vs.sorry_server->address.family()), name, family_name(*family)));
    }
  }

  if (vs.sorry_server && vs.sorry_server->port != 0 &&
      method_of(vs.sorry_server->lvs_method) != LvsMethod::Nat) {
    if (group != nullptr || vs.kind == VirtualServerKind::Fwmark) {
      diag.error(vs.sorry_server->loc,
                 "a sorry_server of a virtual_server group or fwmark that does not "
                 "use NAT takes no port");
    } else if (vs.kind == VirtualServerKind::Address && vs.port != 0 &&
               vs.sorry_server->port != vs.port) {
      diag.error(vs.sorry_server->loc,
                 fmt::format("sorry_server port {} must be the virtual server's port {} (only "
                             "NAT rewrites ports)",
                             vs.sorry_server->port, vs.port));
    }
  }
  if (vs.real_servers.empty()) {
    diag.error(vs.loc, fmt::format("virtual_server {} has no real_server", name));
  }
  std::set<std::pair<IpAddress, std::uint16_t>> seen;
  for (const auto& rs : vs.real_servers) {
    const LvsMethod method = method_of(rs.options->lvs_method);
    if (method != LvsMethod::Tun) {
      if (!family) family = rs.address.family();
      if (rs.address.family() != *family) {
        diag.error(rs.loc, fmt::format("real_server {} is {} but virtual_server {} is {} (only "
                                       "tunnelled real servers may differ)",
                                       rs.address.to_string(), family_name(rs.address.family()),
                                       name, family_name(*family)));
        continue;
      }
    }
    const std::uint16_t port = rs.port != 0 ? rs.port : vs.port;
    if (!seen.emplace(rs.address, port).second) {
      diag.error(rs.loc, fmt::format("real_server {} is given twice in virtual_server {}",
                                     server_text(rs.address, port), name));
    }
    if (fwmark_only && rs.port != 0 && method != LvsMethod::Nat) {
      diag.error(rs.loc, fmt::format("real_server {} of fwmark service {} has a port, "
                                     "which only NAT uses",
                                     server_text(rs.address, rs.port), name));
    }
    if (method != LvsMethod::Nat && rs.port != 0) {
      // Only NAT rewrites the port: DR and TUN real servers listen on the service's port.
      std::uint16_t mismatch = 0;
      if (vs.kind == VirtualServerKind::Address && vs.port != 0 && vs.port != rs.port) {
        mismatch = vs.port;
      }
      if (group != nullptr) {
        for (const auto& r : group->ranges) {
          if (r.port != 0 && r.port != rs.port) mismatch = r.port;
        }
      }
      if (mismatch != 0) {
        diag.error(rs.loc, fmt::format("real_server {} uses {} forwarding, so its port must be "
                                       "the virtual server's port {}",
                                       server_text(rs.address, rs.port),
                                       method == LvsMethod::Dr ? "DR" : "TUN", mismatch));
      }
    }
    if (vs.kind == VirtualServerKind::Address && vs.port == 0 && rs.port != 0 && !persistent) {
      diag.error(rs.loc, fmt::format("real_server port {} does not match virtual_server {}",
                                     rs.port, name));
    }
    if (rs.options->notify_up) check_script(*rs.options->notify_up, config, diag);
    if (rs.options->notify_down) check_script(*rs.options->notify_down, config, diag);
    for (const auto& c : rs.checkers) validate_checker(c, rs, lvs, config, diag);
  }
  if (!vs.real_servers.empty()) {
    std::uint64_t total = 0;
    for (const auto& rs : vs.real_servers) total += rs.weight;
    std::uint64_t quorum = vs.quorum;
    if (quorum > total) {
      diag.error(vs.loc, fmt::format("virtual_server {}: quorum {} exceeds the total weight {} "
                                     "of its real servers",
                                     name, vs.quorum, total));
      quorum = total;
    }
    if (vs.hysteresis >= quorum) {
      // As keepalived, compare with the quorum after it was cut to the total weight.
      diag.error(vs.loc, fmt::format("virtual_server {}: hysteresis {} must be below the quorum "
                                     "{}{}",
                                     name, vs.hysteresis, quorum,
                                     quorum < vs.quorum ? " (reduced to the total weight)" : ""));
    }
  }
  if (vs.quorum_up) check_script(*vs.quorum_up, config, diag);
  if (vs.quorum_down) check_script(*vs.quorum_down, config, diag);
}

void validate_group(const VirtualServerGroup& g, Diagnostics& diag) {
  bool v4 = false, v6 = false, fwmark_no_family = false;
  for (const auto& r : g.ranges) (r.first.is_v4() ? v4 : v6) = true;
  for (const auto& f : g.fwmarks) fwmark_no_family |= !f.family;
  if (v4 && v6 && fwmark_no_family) {
    diag.error(g.loc, fmt::format("virtual_server_group '{}' has IPv4 and IPv6 addresses: its "
                                  "fwmarks need a family (inet|inet6)",
                                  g.name));
  }
}

// keepalived's BFD_INAME_MAX is 32 with the terminating NUL.
constexpr std::size_t kMaxBfdName = 31;

void validate_bfd(const LvsConfig& lvs, Diagnostics& diag) {
  std::unordered_set<std::string_view> names;
  std::set<IpAddress> neighbors;
  for (const auto& b : lvs.bfd_instances) {
    if (b.name.size() > kMaxBfdName) {
      diag.error(b.loc, fmt::format("bfd_instance name '{}' is longer than {} characters", b.name,
                                    kMaxBfdName));
    }
    if (!names.insert(b.name).second) {
      diag.error(b.loc, fmt::format("bfd_instance '{}' is configured twice", b.name));
    }
    if (!b.neighbor_ip) {
      diag.error(b.loc, fmt::format("bfd_instance '{}' has no 'neighbor_ip'", b.name));
      continue;
    }
    if (!neighbors.insert(*b.neighbor_ip).second) {
      diag.error(b.loc, fmt::format("bfd_instance '{}' has the same neighbor_ip {} as another",
                                    b.name, b.neighbor_ip->to_string()));
    }
    if (b.source_ip && b.source_ip->family() != b.neighbor_ip->family()) {
      diag.error(b.loc, fmt::format("bfd_instance '{}': source_ip {} and neighbor_ip {} are not "
                                    "of the same family",
                                    b.name, b.source_ip->to_string(), b.neighbor_ip->to_string()));
    }
    const int ttl = b.ttl ? *b.ttl : b.neighbor_ip->is_v4() ? 255 : 64;
    // keepalived keeps max_hops in a byte: -1 is 255 ("no hop count check").
    const int max_hops = b.max_hops < 0 ? 255 : b.max_hops;
    if (max_hops > ttl) {
      diag.error(b.loc, fmt::format("bfd_instance '{}': max_hops {} exceeds ttl/hoplimit {}",
                                    b.name, max_hops, ttl));
    }
  }
}

}  // namespace

void validate_lvs(const Config& config, const ValidateOptions&, Diagnostics& diag) {
  for (const auto& g : config.lvs.virtual_server_groups) validate_group(g, diag);
  for (const auto& vs : config.lvs.virtual_servers) validate_virtual_server(vs, config, diag);
  validate_bfd(config.lvs, diag);
}

}  // namespace halo::config
