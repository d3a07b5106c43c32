// The no_accept firewall through libnftables (see the header for the ruleset and why).
//
// libnftables takes nft's own language: each operation is one buffer given to
// nft_run_cmd_from_buffer, which the library sends as one netlink batch, so the kernel applies
// all of it or nothing. Errors are captured (nft_ctx_buffer_error) rather than printed, and
// the "Error: ..." line of nft's message becomes the tail of ours.
#include "net/nft_no_accept.h"

#include <nftables/libnftables.h>

#include <cctype>
#include <utility>

#include "common/log.h"

namespace halo::net {
namespace {

constexpr std::size_t kMaxTableName = 64;

bool valid_table_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTableName) return false;
  if (std::isalpha(static_cast<unsigned char>(name.front())) == 0) return false;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

// nft reports "file:line:col: Error: Could not process rule: File exists", then the command
// and a caret line. The words after "Error: " (without the "Could not process rule: " noise)
// say it best.
std::string nft_error_text(const char* buffer) {
  const std::string_view text = buffer == nullptr ? std::string_view() : std::string_view(buffer);
  const auto at = text.find("Error: ");
  if (at == std::string_view::npos) {
    const auto end = text.find('\n');
    const auto line = text.substr(0, end);
    return line.empty() ? std::string("libnftables failed without a message") : std::string(line);
  }
  auto line = text.substr(at + 7);
  line = line.substr(0, line.find('\n'));
  constexpr std::string_view kNoise = "Could not process rule: ";
  if (line.starts_with(kNoise)) line.remove_prefix(kNoise.size());
  return std::string(line);
}

const char* set_of(const IpAddress& address) {
  return address.is_v4() ? "vips4" : "vips6";
}

}  // namespace

void NoAcceptFirewall::ContextDeleter::operator()(nft_ctx* context) const {
  nft_ctx_free(context);
}

Result<std::unique_ptr<NoAcceptFirewall>> NoAcceptFirewall::open(std::string table, int priority) {
  if (!valid_table_name(table)) {
    return fail("invalid nftables table name \"" + table +
                "\": letters, digits and '_' only, a letter first, at most 64 characters");
  }
  nft_ctx* context = nft_ctx_new(NFT_CTX_DEFAULT);
  if (context == nullptr) return fail("cannot set up libnftables for table inet " + table);
  auto firewall = std::unique_ptr<NoAcceptFirewall>(
      new NoAcceptFirewall(std::move(table), priority, context));  // private constructor
  if (nft_ctx_buffer_output(context) != 0 || nft_ctx_buffer_error(context) != 0) {
    return fail("cannot set up libnftables for table inet " + firewall->table_ +
                ": cannot buffer its output");
  }
  return firewall;
}

NoAcceptFirewall::NoAcceptFirewall(std::string table, int priority, nft_ctx* context)
    : table_(std::move(table)), priority_(priority), context_(context) {}

NoAcceptFirewall::~NoAcceptFirewall() {
  if (!has_table_) return;
  if (auto deleted =
          run("delete table inet " + table_, "cannot delete nftables table inet " + table_);
      !deleted) {
    log::get("vrrp").warn("{}", deleted.error().message);
  }
}

Result<void> NoAcceptFirewall::run(const std::string& commands, std::string_view what) {
  if (nft_run_cmd_from_buffer(context_.get(), commands.c_str()) == 0) return {};
  return fail(std::string(what) + ": " + nft_error_text(nft_ctx_get_error_buffer(context_.get())));
}

std::string NoAcceptFirewall::create_commands() const {
  // `create`, not `add`: it fails when the table exists, so a table of the same name made by
  // someone else is never taken over (and never deleted by our destructor).
  return "create table inet " + table_ + "\n" +    //
         "table inet " + table_ + " {\n" +         //
         "  set vips4 { type ipv4_addr; }\n"       //
         "  set vips6 { type ipv6_addr; }\n"       //
         "  chain input {\n"                       //
         "    type filter hook input priority " +  //
         std::to_string(priority_) +
         "; policy accept;\n"                              //
         "    ip daddr @vips4 ip protocol 112 accept\n"    //
         "    ip daddr @vips4 drop\n"                      //
         "    ip6 daddr @vips6 meta l4proto 112 accept\n"  //
         "    ip6 daddr @vips6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n"
         "    ip6 daddr @vips6 drop\n"
         "  }\n"
         "}\n";
}

Result<void> NoAcceptFirewall::drop_to(const IpAddress& address) {
  if (dropped_.contains(address)) return {};
  const std::string where = "table inet " + table_;
  const std::string element =
      "add element inet " + table_ + " " + set_of(address) + " { " + address.to_string() + " }\n";
  if (!has_table_) {
    auto created =
        run(create_commands() + element,
            "cannot create nftables " + where + " to drop packets to " + address.to_string());
    if (!created) {
      if (created.error().message.ends_with(": File exists")) {
        return fail("cannot create nftables " + where +
                    ": a table of that name already exists in this network namespace (made by "
                    "another program; pick another name)");
      }
      return created;
    }
    has_table_ = true;
  } else if (auto added = run(element, "cannot drop packets to " + address.to_string() +
                                           " in nftables " + where);
             !added) {
    return added;
  }
  dropped_.insert(address);
  return {};
}

Result<void> NoAcceptFirewall::allow_to(const IpAddress& address) {
  if (!dropped_.contains(address)) return {};
  const std::string where = "table inet " + table_;
  if (dropped_.size() == 1) {
    // The last one: the table goes with it.
    if (auto deleted = run("delete " + where, "cannot delete nftables " + where +
                                                  " to receive packets to " + address.to_string());
        !deleted) {
      return deleted;
    }
    has_table_ = false;
  } else if (auto removed = run("delete element inet " + table_ + " " + set_of(address) + " { " +
                                    address.to_string() + " }",
                                "cannot receive packets to " + address.to_string() +
                                    " again in nftables " + where);
             !removed) {
    return removed;
  }
  dropped_.erase(address);
  return {};
}

}  // namespace halo::net
