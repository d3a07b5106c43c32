// The nftables back end (see nft_backend.h for the table's layout).
//
// Everything is text: a service becomes an nft script, and libnftables runs the whole script
// as one netlink batch, which the kernel commits atomically or not at all. So an apply()
// that fails (a frontend that overlaps another service's, say) leaves the previous ruleset in
// place, and the back end's record of what it installed stays true.
//
// The DNAT rule of a service with destinations A (weight 1) and B (weight 3) under wrr:
//   meta l4proto tcp dnat ip to numgen inc mod 4 map { 0 : A . 80, 1-3 : B . 80 }
// numgen inc counts connections, so over any 4 consecutive new connections A gets exactly one
// and B three; sh and dh hash an address into the same kind of map instead.
#include "lvs/nft_backend.h"

#include <fmt/format.h>
#include <nftables/libnftables.h>

#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <string_view>

namespace halo::lvs {
namespace {

using config::LvsScheduler;

bool scheduler_supported(LvsScheduler scheduler) {
  return scheduler == LvsScheduler::Rr || scheduler == LvsScheduler::Wrr ||
         scheduler == LvsScheduler::Sh || scheduler == LvsScheduler::Dh;
}

std::string scheduler_refusal(LvsScheduler scheduler) {
  return fmt::format(
      "the nftables load-balancer back end cannot use scheduler '{}' (nftables keeps no "
      "per-destination connection counts or state for it): use lb_algo rr, wrr, sh or dh, or "
      "lb_backend ipvs on a kernel with IPVS",
      scheduler_name(scheduler));
}

std::string method_refusal(config::LvsMethod method) {
  return fmt::format(
      "the nftables load-balancer back end only forwards by NAT, not lvs_method {}: use "
      "lvs_method NAT, or lb_backend ipvs on a kernel with IPVS",
      method_name(method));
}

constexpr std::string_view kPersistenceRefusal =
    "the nftables load-balancer back end does not implement persistence "
    "(persistence_timeout, persistence_granularity, persistence_engine): use lb_algo sh for "
    "client affinity, or lb_backend ipvs on a kernel with IPVS";

// A destination's address as nft writes it (IPv6 needs no brackets in a concatenation).
std::string address_text(const IpAddress& address) {
  return address.to_string();
}

std::string frontend_key(const Service& service, const Frontend& frontend) {
  std::string key = address_text(frontend.first);
  if (frontend.last != frontend.first) key += "-" + address_text(frontend.last);
  key += fmt::format(" . {} . ", protocol_name(service.protocol));
  key += frontend.port == 0 ? std::string("0-65535") : std::to_string(frontend.port);
  return key;
}

std::string_view frontend_map(const Frontend& frontend) {
  return frontend.first.is_v4() ? "frontends4" : "frontends6";
}

// "delete element ..." lines for every frontend and fwmark of `service`.
std::string delete_elements(const Service& service) {
  std::string out;
  for (const auto& frontend : service.frontends) {
    out += fmt::format("delete element inet {} {} {{ {} }}\n", kNftTable, frontend_map(frontend),
                       frontend_key(service, frontend));
  }
  for (const auto mark : service.fwmarks) {
    out += fmt::format("delete element inet {} fwmarks {{ {} }}\n", kNftTable, mark);
  }
  return out;
}

// A comment nft accepts: printable, no quote, at most 120 bytes.
std::string comment_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (out.size() >= 120) break;
    out += (c == '"' || c < 0x20 || c == 0x7f) ? '_' : c;
  }
  return out;
}

// The reason nftables cannot program `service`, or nullopt.
std::optional<std::string> unsupported(const Service& service) {
  if (!scheduler_supported(service.scheduler)) return scheduler_refusal(service.scheduler);
  if (service.persistence_timeout || service.persistence_granularity) {
    return std::string(kPersistenceRefusal);
  }
  for (const auto& destination : service.destinations) {
    if (destination.method.method != config::LvsMethod::Nat) {
      return method_refusal(destination.method.method);
    }
  }
  if (service.frontends.empty() && service.fwmarks.empty()) {
    return std::string("it has no address and no fwmark to listen on");
  }
  for (const auto& frontend : service.frontends) {
    if (frontend.first.family() != frontend.last.family() || frontend.last < frontend.first) {
      return fmt::format("address range {}-{} is not a range of one family",
                         frontend.first.to_string(), frontend.last.to_string());
    }
  }
  return std::nullopt;
}

// The DNAT (or reject) rules of the service's chain.
Result<std::string> chain_rules(const Service& service, const std::string& chain) {
  std::vector<const Destination*> alive;
  for (const auto& destination : service.destinations) {
    if (destination.weight > 0) alive.push_back(&destination);
  }
  const std::string rule_prefix = fmt::format("add rule inet {} {} ", kNftTable, chain);
  const std::string comment = comment_text(service.name);
  if (alive.empty()) {
    return rule_prefix + "meta l4proto tcp reject with tcp reset comment \"" + comment +
           ": no destination\"\n" + rule_prefix + "reject comment \"" + comment +
           ": no destination\"\n";
  }

  const Family family = alive.front()->address.family();
  bool any_port = false;
  bool any_portless = false;
  for (const auto* destination : alive) {
    if (destination->address.family() != family) {
      return fail(fmt::format("destinations {} and {} are of different address families",
                              alive.front()->address.to_string(),
                              destination->address.to_string()));
    }
    (destination->port == 0 ? any_portless : any_port) = true;
  }
  for (const auto& frontend : service.frontends) {
    if (frontend.first.family() != family) {
      return fail(fmt::format(
          "frontend {} and destination {} are of different address families (nftables NAT "
          "does not translate between IPv4 and IPv6)",
          frontend.first.to_string(), alive.front()->address.to_string()));
    }
  }
  if (any_port && any_portless) {
    return fail("some destinations have a port and some have none (port 0)");
  }

  // Slots per destination: rr and dh ignore weights (beyond 0), wrr and sh weigh by them.
  const bool weighted =
      service.scheduler == LvsScheduler::Wrr || service.scheduler == LvsScheduler::Sh;
  std::uint32_t divisor = 0;
  for (const auto* destination : alive) divisor = std::gcd(divisor, destination->weight);
  std::string map;
  std::uint64_t next = 0;
  for (const auto* destination : alive) {
    const std::uint64_t slots = weighted ? destination->weight / divisor : 1;
    if (!map.empty()) map += ", ";
    map += slots == 1 ? fmt::format("{}", next) : fmt::format("{}-{}", next, next + slots - 1);
    map += " : " + address_text(destination->address);
    if (any_port) map += fmt::format(" . {}", destination->port);
    next += slots;
  }
  if (next > UINT32_MAX) return fail("the destinations' weights add up to more than 2^32");

  const std::string_view ip = family == Family::V4 ? "ip" : "ip6";
  std::string selector;
  switch (service.scheduler) {
    case LvsScheduler::Sh:
      selector =
          fmt::format("jhash {} saddr{} mod {}", ip, service.sh_port ? " . th sport" : "", next);
      break;
    case LvsScheduler::Dh:
      selector = fmt::format("jhash {} daddr mod {}", ip, next);
      break;
    default:
      selector = fmt::format("numgen inc mod {}", next);
      break;
  }
  // A fwmark service takes every transport protocol, as IPVS's does.
  const std::string protocols = service.fwmarks.empty()
                                    ? std::string(protocol_name(service.protocol))
                                    : std::string("{ tcp, udp, sctp }");
  return fmt::format("{}meta l4proto {} dnat {} to {} map {{ {} }} comment \"{} {}\"\n",
                     rule_prefix, protocols, ip, selector, map, comment,
                     scheduler_name(service.scheduler));
}

struct NftContextDeleter {
  void operator()(nft_ctx* ctx) const { nft_ctx_free(ctx); }
};

class NftBackend final : public Backend {
 public:
  std::string_view name() const override { return "nftables"; }

  std::optional<std::string> refuse(const config::VirtualServer& vs) const override {
    if (vs.scheduler && !scheduler_supported(*vs.scheduler)) {
      return scheduler_refusal(*vs.scheduler);
    }
    if (vs.persistence_timeout || vs.persistence_granularity || vs.persistence_engine) {
      return std::string(kPersistenceRefusal);
    }
    if (vs.ops) {
      return std::string(
          "the nftables load-balancer back end schedules per connection (conntrack NAT), so it "
          "cannot do ops (one-packet scheduling): remove ops, or use lb_backend ipvs on a kernel "
          "with IPVS");
    }
    if (vs.lvs_method && vs.lvs_method->method != config::LvsMethod::Nat) {
      return method_refusal(vs.lvs_method->method);
    }
    for (const auto& rs : vs.real_servers) {
      if (rs.options->lvs_method && rs.options->lvs_method->method != config::LvsMethod::Nat) {
        return method_refusal(rs.options->lvs_method->method);
      }
    }
    if (vs.sorry_server && vs.sorry_server->lvs_method &&
        vs.sorry_server->lvs_method->method != config::LvsMethod::Nat) {
      return method_refusal(vs.sorry_server->lvs_method->method);
    }
    return std::nullopt;
  }

  Result<void> open() override {
    if (!ctx_) {
      ctx_.reset(nft_ctx_new(NFT_CTX_DEFAULT));
      if (!ctx_) return fail("nftables: cannot create a libnftables context");
      nft_ctx_buffer_output(ctx_.get());
      nft_ctx_buffer_error(ctx_.get());
    }
    installed_.clear();
    return run(nft_base_script(), "cannot create table inet halo_lb");
  }

  Result<void> apply(const Service& service) override {
    if (!ctx_) return fail("nftables: apply() before open()");
    if (auto clash = overlap(service)) {
      return fail(fmt::format("nftables: cannot apply service {}: {}", service.name, *clash));
    }
    const auto it = installed_.find(service.name);
    auto script = nft_service_script(service, it == installed_.end() ? nullptr : &it->second);
    if (!script) {
      return fail(fmt::format("nftables: cannot apply service {}: {}", service.name,
                              script.error().message));
    }
    if (auto done = run(*script, "cannot apply service " + service.name); !done) return done;
    installed_.insert_or_assign(service.name, service);
    return {};
  }

  Result<void> remove(const std::string& service_name) override {
    const auto it = installed_.find(service_name);
    if (it == installed_.end() || !ctx_) return {};
    if (auto done = run(nft_remove_script(it->second), "cannot remove service " + service_name);
        !done) {
      return done;
    }
    installed_.erase(it);
    return {};
  }

  Result<void> close() override {
    if (!ctx_) return {};
    installed_.clear();
    return run(fmt::format("add table inet {0}\ndelete table inet {0}\n", kNftTable),
               "cannot delete table inet halo_lb");
  }

  Result<void> flush() override { return close(); }

 private:
  Result<void> run(const std::string& script, const std::string& what) {
    if (nft_run_cmd_from_buffer(ctx_.get(), script.c_str()) == 0) return {};
    std::string error = nft_ctx_get_error_buffer(ctx_.get());
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    return fail(fmt::format("nftables: {}: {}", what, error.empty() ? "failed" : error));
  }

  // A frontend or fwmark `service` shares with another installed service. The kernel's
  // interval maps accept overlapping elements and then match one of them, so this is checked
  // here, where the error can name both services.
  std::optional<std::string> overlap(const Service& service) const {
    for (const auto& [other_name, other] : installed_) {
      if (other_name == service.name) continue;
      for (const auto& a : service.frontends) {
        for (const auto& b : other.frontends) {
          if (service.protocol != other.protocol || a.first.family() != b.first.family()) {
            continue;
          }
          const bool addresses = a.first <= b.last && b.first <= a.last;
          const bool ports = a.port == 0 || b.port == 0 || a.port == b.port;
          if (addresses && ports) {
            return fmt::format("frontend {} overlaps service {}", frontend_key(service, a),
                               other_name);
          }
        }
      }
      for (const auto mark : service.fwmarks) {
        for (const auto other_mark : other.fwmarks) {
          if (mark == other_mark) return fmt::format("fwmark {} is service {}'s", mark, other_name);
        }
      }
    }
    return std::nullopt;
  }

  std::unique_ptr<nft_ctx, NftContextDeleter> ctx_;
  std::map<std::string, Service> installed_;  // by Service::name
};

}  // namespace

std::string nft_chain_name(const std::string& service_name) {
  std::string out = "svc_";
  for (const char c : service_name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      out += c;
    } else if (out.back() != '_') {
      out += '_';
    }
    if (out.size() >= 64) break;
  }
  // FNV-1a keeps names apart that differ only in punctuation ("a-b" and "a.b").
  std::uint32_t hash = 2166136261U;
  for (const char c : service_name) {
    hash = (hash ^ static_cast<std::uint8_t>(c)) * 16777619U;
  }
  if (out.back() != '_') out += '_';
  return out + fmt::format("{:08x}", hash);
}

std::string nft_base_script() {
  std::string out = fmt::format(
      "add table inet {0}\n"
      "delete table inet {0}\n"
      "add table inet {0}\n"
      "add map inet {0} frontends4 {{ type ipv4_addr . inet_proto . inet_service : verdict; "
      "flags interval; }}\n"
      "add map inet {0} frontends6 {{ type ipv6_addr . inet_proto . inet_service : verdict; "
      "flags interval; }}\n"
      "add map inet {0} fwmarks {{ type mark : verdict; }}\n"
      "add chain inet {0} prerouting {{ type nat hook prerouting priority dstnat; policy "
      "accept; }}\n"
      "add chain inet {0} output {{ type nat hook output priority -100; policy accept; }}\n",
      kNftTable);
  // The `ct` match comes first for a reason beyond counting: a nat chain is only run for
  // packets conntrack tracks, and only an expression that needs conntrack (ct, dnat) turns it
  // on in a namespace. Without it, a table whose services are all empty (reject, no dnat)
  // would see no packet at all, and new connections would reach the local host.
  for (const std::string_view chain : {"prerouting", "output"}) {
    out += fmt::format(
        "add rule inet {0} {1} ct state new counter comment \"new connections; turns conntrack "
        "on\"\n"
        "add rule inet {0} {1} meta mark vmap @fwmarks\n"
        "add rule inet {0} {1} ip daddr . meta l4proto . th dport vmap @frontends4\n"
        "add rule inet {0} {1} ip6 daddr . meta l4proto . th dport vmap @frontends6\n",
        kNftTable, chain);
  }
  return out;
}

Result<std::string> nft_service_script(const Service& service, const Service* installed) {
  if (auto why = unsupported(service)) return fail(*why);
  const std::string chain = nft_chain_name(service.name);
  auto rules = chain_rules(service, chain);
  if (!rules) return tl::unexpected(rules.error());

  std::string out;
  if (installed != nullptr) out += delete_elements(*installed);
  out += fmt::format("add chain inet {0} {1}\nflush chain inet {0} {1}\n", kNftTable, chain);
  out += *rules;
  for (const auto& frontend : service.frontends) {
    out += fmt::format("add element inet {} {} {{ {} : jump {} }}\n", kNftTable,
                       frontend_map(frontend), frontend_key(service, frontend), chain);
  }
  for (const auto mark : service.fwmarks) {
    out += fmt::format("add element inet {} fwmarks {{ {} : jump {} }}\n", kNftTable, mark, chain);
  }
  return out;
}

std::string nft_remove_script(const Service& installed) {
  return delete_elements(installed) +
         fmt::format("delete chain inet {} {}\n", kNftTable, nft_chain_name(installed.name));
}

std::unique_ptr<Backend> make_nft_backend() {
  return std::make_unique<NftBackend>();
}

}  // namespace halo::lvs
