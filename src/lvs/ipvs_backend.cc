// The IPVS back end: keeps, per service name, what it told the kernel (every IPVS service key
// with its settings and destinations) and turns each apply() into the few messages that make
// the kernel equal to the wanted Service.
//
// IPVS has no transactions: a change is a sequence of requests, each acknowledged. The record
// is updated after each acknowledged request, so when one fails halfway the record still
// says exactly what the kernel holds and the next apply() sends what is still missing.
//
// Starting after a crash: IPVS keeps the services of a halo that died. open() flushes them
// only when asked (global_defs lvs_flush, keepalived's keyword), since the same table may
// hold other programs' services (kube-proxy's, ipvsadm's). Otherwise a service halo adds
// that already exists (EEXIST) is deleted and added again, so its stale destinations go; a
// destination or service that is already gone when halo deletes it (ENOENT: an operator ran
// ipvsadm -C) counts as deleted.
#include "lvs/ipvs_backend.h"

#include <fmt/format.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "lvs/ipvs_message.h"

namespace halo::lvs {
namespace {

constexpr std::string_view kNoIpvs =
    "IPVS is not available in this kernel (the IPVS generic netlink family does not exist; "
    "load ip_vs)";

// ---------------------------------------------------------------------------------------------
// The real channel.

struct MnlSocketCloser {
  void operator()(mnl_socket* nl) const { mnl_socket_close(nl); }
};

int family_attr_cb(const nlattr* attr, void* data) {
  if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
      mnl_attr_validate(attr, MNL_TYPE_U16) >= 0) {
    *static_cast<int*>(data) = mnl_attr_get_u16(attr);
  }
  return MNL_CB_OK;
}

int family_cb(const nlmsghdr* nlh, void* data) {
  mnl_attr_parse(nlh, sizeof(genlmsghdr), family_attr_cb, data);
  return MNL_CB_OK;
}

class NetlinkIpvsChannel final : public IpvsChannel {
 public:
  Result<std::uint16_t> resolve_family() override {
    if (auto opened = ensure_open(); !opened) return tl::unexpected(opened.error());
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = GENL_ID_CTRL;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = ++seq_;
    auto* genl = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
    genl->cmd = CTRL_CMD_GETFAMILY;
    genl->version = 1;
    mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
    int id = -1;
    const auto done = exchange(nlh, family_cb, &id);
    if (!done) {
      if (errno_ == ENOENT) return fail(std::string(kNoIpvs));
      return fail("cannot look up the IPVS generic netlink family: " + done.error().message);
    }
    if (id < 0) return fail(std::string(kNoIpvs));
    return static_cast<std::uint16_t>(id);
  }

  int request(std::span<const std::uint8_t> message) override {
    if (auto opened = ensure_open(); !opened) return errno_ != 0 ? errno_ : EIO;
    std::vector<std::uint8_t> buf(message.begin(), message.end());
    auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data());
    nlh->nlmsg_seq = ++seq_;
    return exchange(nlh, nullptr, nullptr) ? 0 : errno_;
  }

 private:
  Result<void> ensure_open() {
    if (nl_) return {};
    nl_.reset(mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC));
    if (!nl_) {
      errno_ = errno;
      return fail(std::string("cannot open a generic netlink socket: ") + strerror(errno_));
    }
    if (mnl_socket_bind(nl_.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
      errno_ = errno;
      nl_.reset();
      return fail(std::string("cannot bind a generic netlink socket: ") + strerror(errno_));
    }
    portid_ = mnl_socket_get_portid(nl_.get());
    return {};
  }

  // Sends `nlh` and reads until its ack (or error) arrives.
  Result<void> exchange(nlmsghdr* nlh, mnl_cb_t cb, void* data) {
    errno_ = 0;
    if (mnl_socket_sendto(nl_.get(), nlh, nlh->nlmsg_len) < 0) {
      errno_ = errno;
      return fail(strerror(errno_));
    }
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    for (;;) {
      const auto n = mnl_socket_recvfrom(nl_.get(), buf.data(), buf.size());
      if (n < 0) {
        errno_ = errno;
        return fail(strerror(errno_));
      }
      const int ret =
          mnl_cb_run(buf.data(), static_cast<std::size_t>(n), nlh->nlmsg_seq, portid_, cb, data);
      if (ret == MNL_CB_STOP) return {};
      if (ret < 0) {
        errno_ = errno;
        return fail(strerror(errno_));
      }
    }
  }

  std::unique_ptr<mnl_socket, MnlSocketCloser> nl_;
  std::uint32_t portid_ = 0;
  std::uint32_t seq_ = 0;
  int errno_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The back end.

using DestKey = std::pair<IpAddress, std::uint16_t>;

// What one IPVS service holds, as far as halo told the kernel.
struct KeyState {
  Service settings;  // destinations empty
  std::map<DestKey, Destination> destinations;
};
using Installed = std::map<ipvs::ServiceKey, KeyState>;

std::string key_text(const ipvs::ServiceKey& key) {
  if (!key.address) return fmt::format("FWM {}", key.fwmark);
  if (key.address->is_v6()) return fmt::format("[{}]:{}", key.address->to_string(), key.port);
  return fmt::format("{}:{}", key.address->to_string(), key.port);
}

std::string dest_text(const Destination& d) {
  if (d.address.is_v6()) return fmt::format("[{}]:{}", d.address.to_string(), d.port);
  return fmt::format("{}:{}", d.address.to_string(), d.port);
}

class IpvsBackend final : public Backend {
 public:
  IpvsBackend(std::unique_ptr<IpvsChannel> channel, bool flush_at_open)
      : channel_(std::move(channel)), flush_at_open_(flush_at_open) {}

  std::string_view name() const override { return "ipvs"; }

  std::optional<std::string> refuse(const config::VirtualServer&) const override {
    return std::nullopt;  // IPVS expresses everything keepalived.conf can say
  }

  Result<void> open() override {
    auto id = channel_->resolve_family();
    if (!id) return tl::unexpected(id.error());
    family_id_ = *id;
    installed_.clear();
    if (!flush_at_open_) return {};
    if (const int err = channel_->request(ipvs::flush_message(*family_id_, ++seq_)); err != 0) {
      return fail(std::string("IPVS: cannot flush the services (lvs_flush): ") + strerror(err));
    }
    return {};
  }

  Result<void> apply(const Service& service) override {
    if (!family_id_) return fail("IPVS: apply() before open()");
    const auto keys = ipvs::service_keys(service);
    if (!keys) {
      return fail(
          fmt::format("IPVS: cannot apply service {}: its address ranges are invalid "
                      "or hold more than 65536 addresses",
                      service.name));
    }
    Service settings = service;
    settings.destinations.clear();
    std::map<DestKey, Destination> wanted;
    for (const auto& d : service.destinations) {
      wanted.insert_or_assign(DestKey{d.address, d.port}, d);
    }

    Installed& state = installed_[service.name];
    // Services no longer wanted (their destinations go with them).
    for (auto it = state.begin(); it != state.end();) {
      if (std::find(keys->begin(), keys->end(), it->first) != keys->end()) {
        ++it;
        continue;
      }
      if (auto done = delete_service(it->first, it->second.settings); !done) return done;
      it = state.erase(it);
    }
    for (const auto& key : *keys) {
      if (auto done = apply_key(state, key, settings, wanted); !done) return done;
    }
    if (state.empty()) installed_.erase(service.name);
    return {};
  }

  Result<void> remove(const std::string& service_name) override {
    const auto found = installed_.find(service_name);
    if (found == installed_.end()) return {};
    Installed& state = found->second;
    for (auto it = state.begin(); it != state.end();) {
      if (auto done = delete_service(it->first, it->second.settings); !done) return done;
      it = state.erase(it);
    }
    installed_.erase(found);
    return {};
  }

  Result<void> close() override {
    while (!installed_.empty()) {
      if (auto done = remove(installed_.begin()->first); !done) return done;
    }
    return {};
  }

  Result<void> flush() override {
    if (!family_id_) return {};
    installed_.clear();
    if (const int err = channel_->request(ipvs::flush_message(*family_id_, ++seq_)); err != 0) {
      return fail(std::string("IPVS: cannot flush the services (lvs_flush_on_stop): ") +
                  strerror(err));
    }
    return {};
  }

 private:
  int send_service(ipvs::Command command, const Service& settings, const ipvs::ServiceKey& key) {
    return channel_->request(ipvs::service_message(*family_id_, ++seq_, command, settings, key));
  }
  int send_dest(ipvs::Command command, const Service& settings, const ipvs::ServiceKey& key,
                const Destination& destination) {
    return channel_->request(
        ipvs::dest_message(*family_id_, ++seq_, command, settings, key, destination));
  }

  static Result<void> service_error(std::string_view what, const ipvs::ServiceKey& key, int err) {
    return fail(fmt::format("IPVS: cannot {} service {}: {}", what, key_text(key), strerror(err)));
  }
  static Result<void> dest_error(std::string_view what, const Destination& destination,
                                 const ipvs::ServiceKey& key, int err) {
    return fail(fmt::format("IPVS: cannot {} real server {} of service {}: {}", what,
                            dest_text(destination), key_text(key), strerror(err)));
  }

  Result<void> delete_service(const ipvs::ServiceKey& key, const Service& settings) {
    const int err = send_service(ipvs::Command::DelService, settings, key);
    if (err != 0 && err != ENOENT && err != ESRCH) return service_error("delete", key, err);
    return {};
  }

  // A new service; one that exists already (left by a crashed halo) is replaced, so none of
  // its old destinations survive.
  Result<void> add_service(const ipvs::ServiceKey& key, const Service& settings) {
    int err = send_service(ipvs::Command::NewService, settings, key);
    if (err == EEXIST) {
      err = send_service(ipvs::Command::DelService, settings, key);
      if (err == 0) err = send_service(ipvs::Command::NewService, settings, key);
    }
    if (err != 0) return service_error("add", key, err);
    return {};
  }

  Result<void> apply_key(Installed& state, const ipvs::ServiceKey& key, const Service& settings,
                         const std::map<DestKey, Destination>& wanted) {
    auto it = state.find(key);
    if (it == state.end()) {
      if (auto done = add_service(key, settings); !done) return done;
      it = state.emplace(key, KeyState{settings, {}}).first;
    } else if (ipvs::service_message(0, 0, ipvs::Command::NewService, it->second.settings, key) !=
               ipvs::service_message(0, 0, ipvs::Command::NewService, settings, key)) {
      if (const int err = send_service(ipvs::Command::SetService, settings, key); err != 0) {
        return service_error("change", key, err);
      }
      it->second.settings = settings;
    }
    KeyState& ks = it->second;
    for (auto d = ks.destinations.begin(); d != ks.destinations.end();) {
      if (wanted.contains(d->first)) {
        ++d;
        continue;
      }
      const int err = send_dest(ipvs::Command::DelDest, ks.settings, key, d->second);
      if (err != 0 && err != ENOENT) return dest_error("delete", d->second, key, err);
      d = ks.destinations.erase(d);
    }
    for (const auto& [dk, destination] : wanted) {
      const auto have = ks.destinations.find(dk);
      if (have == ks.destinations.end()) {
        int err = send_dest(ipvs::Command::NewDest, ks.settings, key, destination);
        if (err == EEXIST) err = send_dest(ipvs::Command::SetDest, ks.settings, key, destination);
        if (err != 0) return dest_error("add", destination, key, err);
        ks.destinations.emplace(dk, destination);
      } else if (!(have->second == destination)) {
        const int err = send_dest(ipvs::Command::SetDest, ks.settings, key, destination);
        if (err != 0) return dest_error("change", destination, key, err);
        have->second = destination;
      }
    }
    return {};
  }

  std::unique_ptr<IpvsChannel> channel_;
  bool flush_at_open_ = false;
  std::optional<std::uint16_t> family_id_;
  std::uint32_t seq_ = 0;
  std::map<std::string, Installed> installed_;  // by Service::name
};

}  // namespace

std::unique_ptr<IpvsChannel> make_netlink_ipvs_channel() {
  return std::make_unique<NetlinkIpvsChannel>();
}

std::unique_ptr<Backend> make_ipvs_backend(bool flush_at_open) {
  return make_ipvs_backend(make_netlink_ipvs_channel(), flush_at_open);
}

std::unique_ptr<Backend> make_ipvs_backend(std::unique_ptr<IpvsChannel> channel,
                                           bool flush_at_open) {
  return std::make_unique<IpvsBackend>(std::move(channel), flush_at_open);
}

bool ipvs_available() {
  return make_netlink_ipvs_channel()->resolve_family().has_value();
}

}  // namespace halo::lvs
