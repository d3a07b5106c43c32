// The no_accept firewall through libnftables (see the header for the ruleset and why).
//
// libnftables takes nft's own language: each operation is one buffer given to
// nft_run_cmd_from_buffer, which the library sends as one netlink batch, so the kernel applies
// all of it or nothing. Errors are captured (nft_ctx_buffer_error) rather than printed, and
// the "Error: ..." line of nft's message becomes the tail of ours.
//
// libnftables is loaded with dlopen() the first time a firewall is opened, not linked: it
// brings libgmp, libnftnl, libxtables and libjansson along (1.7 MB of mappings), which every
// halod would carry resident for a feature only no_accept configurations use (design §6:
// resident memory).
#include "net/nft_no_accept.h"

#include <dlfcn.h>
#include <nftables/libnftables.h>

#include <cctype>
#include <cstdlib>
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

// The libnftables functions this file uses, resolved once from the shared library.
struct LibNftables {
  decltype(&::nft_ctx_new) ctx_new = nullptr;
  decltype(&::nft_ctx_free) ctx_free = nullptr;
  decltype(&::nft_ctx_buffer_output) buffer_output = nullptr;
  decltype(&::nft_ctx_buffer_error) buffer_error = nullptr;
  decltype(&::nft_ctx_get_output_buffer) get_output_buffer = nullptr;
  decltype(&::nft_ctx_get_error_buffer) get_error_buffer = nullptr;
  decltype(&::nft_ctx_output_set_flags) output_set_flags = nullptr;
  decltype(&::nft_run_cmd_from_buffer) run_cmd_from_buffer = nullptr;
  std::string error;  // why it could not be loaded
};

template <class F>
bool resolve(void* handle, const char* name, F& function) {
  function = reinterpret_cast<F>(::dlsym(handle, name));  // NOLINT: dlsym's contract
  return function != nullptr;
}

const LibNftables& lib() {
  static const LibNftables loaded = [] {
    LibNftables l;
    void* handle = ::dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      l.error = std::string("cannot load libnftables.so.1 (Debian package libnftables1): ") +
                (why != nullptr ? why : "unknown error");
      return l;
    }
    if (!resolve(handle, "nft_ctx_new", l.ctx_new) ||
        !resolve(handle, "nft_ctx_free", l.ctx_free) ||
        !resolve(handle, "nft_ctx_buffer_output", l.buffer_output) ||
        !resolve(handle, "nft_ctx_buffer_error", l.buffer_error) ||
        !resolve(handle, "nft_ctx_get_output_buffer", l.get_output_buffer) ||
        !resolve(handle, "nft_ctx_get_error_buffer", l.get_error_buffer) ||
        !resolve(handle, "nft_ctx_output_set_flags", l.output_set_flags) ||
        !resolve(handle, "nft_run_cmd_from_buffer", l.run_cmd_from_buffer)) {
      l.error = "libnftables.so.1 lacks a function halo needs";
      l.ctx_new = nullptr;
    }
    return l;  // the handle stays open for the life of the process
  }();
  return loaded;
}

}  // namespace

void NoAcceptFirewall::ContextDeleter::operator()(nft_ctx* context) const {
  lib().ctx_free(context);
}

Result<std::unique_ptr<NoAcceptFirewall>> NoAcceptFirewall::open(std::string table, int priority) {
  if (!valid_table_name(table)) {
    return fail("invalid nftables table name \"" + table +
                "\": letters, digits and '_' only, a letter first, at most 64 characters");
  }
  if (lib().ctx_new == nullptr) return fail(lib().error);
  nft_ctx* context = lib().ctx_new(NFT_CTX_DEFAULT);
  if (context == nullptr) return fail("cannot set up libnftables for table inet " + table);
  auto firewall = std::unique_ptr<NoAcceptFirewall>(
      new NoAcceptFirewall(std::move(table), priority, context));  // private constructor
  if (lib().buffer_output(context) != 0 || lib().buffer_error(context) != 0) {
    return fail("cannot set up libnftables for table inet " + firewall->table_ +
                ": cannot buffer its output");
  }
  return firewall;
}

NoAcceptFirewall::NoAcceptFirewall(std::string table, int priority, nft_ctx* context)
    : table_(std::move(table)), priority_(priority), context_(context) {}

NoAcceptFirewall::~NoAcceptFirewall() {
  if (!has_table_) return;
  if (auto deleted = delete_table(""); !deleted) {
    log::get("vrrp").warn("{}", deleted.error().message);
  }
}

Result<void> NoAcceptFirewall::run(const std::string& commands, std::string_view what) {
  if (lib().run_cmd_from_buffer(context_.get(), commands.c_str()) == 0) return {};
  return fail(std::string(what) + ": " + nft_error_text(lib().get_error_buffer(context_.get())));
}

std::string NoAcceptFirewall::create_commands() const {
  // `create`, not `add`: it fails when the table exists, so a table of the same name made by
  // someone else is never taken over (and never deleted by our destructor).
  std::string commands = "create table inet " + table_ + "\n";
  commands += "table inet " + table_ + " {\n";
  commands += "  set vips4 { type ipv4_addr; }\n";
  commands += "  set vips6 { type ipv6_addr; }\n";
  commands += "  chain input {\n";
  commands +=
      "    type filter hook input priority " + std::to_string(priority_) + "; policy accept;\n";
  commands += "    ip daddr @vips4 ip protocol 112 accept\n";  // 112: VRRP
  commands += "    ip daddr @vips4 drop\n";
  commands += "    ip6 daddr @vips6 meta l4proto 112 accept\n";
  commands +=
      "    ip6 daddr @vips6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n";
  commands += "    ip6 daddr @vips6 drop\n";
  commands += "  }\n";
  commands += "}\n";
  return commands;
}

// The table, its sets and chain and the first element in one transaction. The echo of the
// commands (NFT_CTX_OUTPUT_ECHO | NFT_CTX_OUTPUT_HANDLE) gives the new table's handle:
// "create table inet halo # handle 7".
Result<void> NoAcceptFirewall::create(const IpAddress& first) {
  const std::string where = "table inet " + table_;
  lib().output_set_flags(context_.get(), NFT_CTX_OUTPUT_ECHO | NFT_CTX_OUTPUT_HANDLE);
  auto created =
      run(create_commands() + "add element inet " + table_ + " " + set_of(first) + " { " +
              first.to_string() + " }\n",
          "cannot create nftables " + where + " to drop packets to " + first.to_string());
  lib().output_set_flags(context_.get(), 0);
  const char* echo = lib().get_output_buffer(context_.get());
  if (!created) {
    if (created.error().message.ends_with(": File exists")) {
      return fail("cannot create nftables " + where +
                  ": a table of that name already exists in this network namespace (made by "
                  "another program; pick another name)");
    }
    return created;
  }
  has_table_ = true;
  handle_ = 0;
  const std::string_view text = echo == nullptr ? std::string_view() : std::string_view(echo);
  constexpr std::string_view kHandle = "# handle ";
  if (const auto at = text.find(kHandle); at != std::string_view::npos) {
    handle_ = std::strtoull(text.data() + at + kHandle.size(), nullptr, 10);
  }
  if (handle_ == 0) {
    // Cannot happen with nft >= 0.9; without a handle we delete by name.
    log::get("vrrp").warn("nftables {}: no handle in the echo of its creation", where);
  }
  return {};
}

Result<void> NoAcceptFirewall::delete_table(std::string_view prefix) {
  const std::string target =
      handle_ != 0 ? "inet handle " + std::to_string(handle_) : "inet " + table_;
  auto deleted = run("delete table " + target,
                     std::string(prefix) + "cannot delete nftables table inet " + table_ +
                         (handle_ != 0 ? " (handle " + std::to_string(handle_) + ")" : ""));
  if (deleted) {
    has_table_ = false;
    handle_ = 0;
  }
  return deleted;
}

Result<bool> NoAcceptFirewall::remove_leftover() {
  if (has_table_) return fail("nftables table inet " + table_ + " is in use by this process");
  auto listed = run("list table inet " + table_, "no table");
  if (!listed) return false;
  auto deleted = run("delete table inet " + table_, "cannot delete nftables table inet " + table_);
  if (!deleted) return tl::unexpected(deleted.error());
  return true;
}

Result<void> NoAcceptFirewall::drop_to(const IpAddress& address) {
  if (dropped_.contains(address)) return {};
  if (!has_table_) {
    if (auto created = create(address); !created) return created;
  } else if (auto added = run("add element inet " + table_ + " " + set_of(address) + " { " +
                                  address.to_string() + " }",
                              "cannot drop packets to " + address.to_string() +
                                  " in nftables table inet " + table_);
             !added) {
    return added;
  }
  dropped_.insert(address);
  return {};
}

Result<void> NoAcceptFirewall::allow_to(const IpAddress& address) {
  if (!dropped_.contains(address)) return {};
  if (dropped_.size() == 1) {
    // The last one: the table goes with it.
    if (auto deleted =
            delete_table("cannot receive packets to " + address.to_string() + " again: ");
        !deleted) {
      return deleted;
    }
  } else if (auto removed = run("delete element inet " + table_ + " " + set_of(address) + " { " +
                                    address.to_string() + " }",
                                "cannot receive packets to " + address.to_string() +
                                    " again in nftables table inet " + table_);
             !removed) {
    return removed;
  }
  dropped_.erase(address);
  return {};
}

}  // namespace halo::net
