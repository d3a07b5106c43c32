// keepalived's `no_accept` (RFC 5798 §6.1 Accept_Mode false, also implied by `vrrp_strict`):
// a master that does not own the addresses routes for its virtual IPs but receives no packets
// addressed to them. Like keepalived (`nftables` keyword, default table "keepalived", priority
// -1) halo does it with an nftables table of its own in the running network namespace:
//
//   table inet halo {
//     set vips4 { type ipv4_addr; }
//     set vips6 { type ipv6_addr; }
//     chain input {
//       type filter hook input priority -1; policy accept;
//       ip daddr @vips4 ip protocol vrrp accept
//       ip daddr @vips4 drop
//       ip6 daddr @vips6 meta l4proto vrrp accept
//       ip6 daddr @vips6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
//       ip6 daddr @vips6 drop
//     }
//   }
//
// VRRP itself and IPv6 neighbour discovery stay allowed, or nobody could resolve the VIP. ARP
// is not IP and never reaches the inet input hook. The table is created with the first
// address (`create table`: a table of that name made by someone else is an error, and it is
// then left alone), deleted (by its kernel handle, never by name) when the last address goes
// and when the object dies. No other table is ever touched. Every change is one atomic nftables
// transaction (one libnftables buffer), and what the object remembers changes only after the kernel
// accepted it.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "common/ip_address.h"
#include "common/result.h"

struct nft_ctx;

namespace halo::net {

class NoAcceptFirewall {
 public:
  static constexpr std::string_view kDefaultTable = "halo";
  static constexpr int kDefaultPriority = -1;  // keepalived's nftables_priority default

  // Checks the table name (letters, digits, '_'; a letter first; at most 64 characters) and
  // prepares libnftables in the calling thread's network namespace. Touches no kernel state.
  static Result<std::unique_ptr<NoAcceptFirewall>> open(
      std::string table = std::string(kDefaultTable), int priority = kDefaultPriority);
  // Deletes the table if this object made it (a failure is logged).
  ~NoAcceptFirewall();
  NoAcceptFirewall(const NoAcceptFirewall&) = delete;
  NoAcceptFirewall& operator=(const NoAcceptFirewall&) = delete;

  // Drops packets to `address` (creating the table on the first one). Idempotent.
  Result<void> drop_to(const IpAddress& address);
  // Receives packets to `address` again (deleting the table after the last one). Idempotent.
  Result<void> allow_to(const IpAddress& address);

  // `halod --remove-vips`: deletes a table of this name that an earlier halod left behind (it
  // was killed). false: there was none.
  Result<bool> remove_leftover();

  bool dropping(const IpAddress& address) const { return dropped_.contains(address); }
  // True while the table exists (made by this object).
  bool has_table() const { return has_table_; }
  const std::string& table() const { return table_; }

 private:
  NoAcceptFirewall(std::string table, int priority, nft_ctx* context);
  // Runs `commands` as one transaction; the failure names `what` and nft's own error text.
  Result<void> run(const std::string& commands, std::string_view what);
  Result<void> create(const IpAddress& first);
  // Deletes our table; a failure message starts with `prefix`.
  Result<void> delete_table(std::string_view prefix);
  std::string create_commands() const;

  std::string table_;
  int priority_;
  struct ContextDeleter {
    void operator()(nft_ctx* context) const;
  };
  std::unique_ptr<nft_ctx, ContextDeleter> context_;
  std::set<IpAddress> dropped_;
  bool has_table_ = false;
  // The kernel's handle of our table: deletion by handle can never hit a table of the same
  // name that someone made after ours vanished.
  std::uint64_t handle_ = 0;
};

}  // namespace halo::net
