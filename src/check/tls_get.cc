// See tls_get.h.
#include "check/tls_get.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "check/http_response.h"
#include "check/socket_setup.h"

namespace halo::check::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

enum class TlsStage { Connecting, Handshake, Sending, Receiving };

struct TlsGet::Exchange {
  explicit Exchange(asio::io_context& io) : socket(io) {}

  void stop() {
    ended = true;
    error_code ignored;
    socket.close(ignored);
  }

  tcp::socket socket;
  TlsStage stage = TlsStage::Connecting;
  std::uint64_t received = 0;
  bool ended = false;  // stopped, or the owner was called
};

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Request and response on the TLS stream.
asio::awaitable<Result<HttpResponse>> exchange(ssl::stream<tcp::socket&>& stream,
                                               TlsGet::Exchange& x, const HttpFetch& fetch,
                                               std::string_view request) {
  x.stage = TlsStage::Sending;
  auto [wec, written] = co_await asio::async_write(stream, asio::buffer(request), kAwait);
  (void)written;
  if (x.ended) co_return fail("stopped");
  if (wec) co_return fail("cannot send the request: " + io_error_text(wec));
  x.stage = TlsStage::Receiving;
  ResponseReader reader(fetch);
  std::array<char, 16384> chunk{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), kAwait);
    if (x.ended) co_return fail("stopped");
    if (n > 0) {
      x.received += n;
      if (auto fed = reader.feed(std::string_view(chunk.data(), n)); !fed) {
        co_return tl::unexpected(fed.error());
      }
      if (reader.complete()) break;
    }
    if (!ec) continue;
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) break;
    co_return fail(io_error_text(ec));
  }
  co_return reader.finish();
}

// Connect, handshake, exchange.
asio::awaitable<Result<HttpResponse>> get(TlsGet::Exchange& x, const HttpFetch& fetch,
                                          std::string_view request, ssl::context& context) {
  auto [cec] = co_await x.socket.async_connect(
      tcp::endpoint(fetch.target.address, fetch.target.port), kAwait);
  if (x.ended) co_return fail("stopped");
  if (cec) co_return fail(io_error_text(cec));
  x.stage = TlsStage::Handshake;
  ssl::stream<tcp::socket&> stream(x.socket, context);
  if (fetch.sni && fetch.virtualhost) {
    SSL_set_tlsext_host_name(stream.native_handle(), fetch.virtualhost->c_str());
  }
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kAwait);
  if (x.ended) co_return fail("stopped");
  if (hec) {
    if (hec == asio::error::eof || hec == asio::error::connection_reset) {
      co_return fail("TLS handshake failed: " + io_error_text(hec));
    }
    co_return fail("TLS handshake failed: " + hec.message());
  }
  co_return co_await exchange(stream, x, fetch, request);
}

// Holds the exchange, the context and its own copy of the fetch and request until the last
// operation has completed: after stop() an aborted read or write still completes later, when
// the caller's copies may be gone. Completion handlers never run inside start(), so neither
// does the owner.
asio::awaitable<void> run(std::shared_ptr<TlsGet::Exchange> x,
                          std::shared_ptr<ssl::context> context, HttpFetch fetch,
                          std::string request, UrlGet::Owner* owner) {
  auto response = co_await get(*x, fetch, request, *context);
  if (x->ended) co_return;
  x->stop();
  owner->on_get_done(std::move(response));  // may start the next GET
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const config::SslConfig* cfg) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  ctx->set_verify_mode(ssl::verify_none, ec);
  if (cfg == nullptr) return ctx;
  if (cfg->password) {
    std::string password = *cfg->password;
    ctx->set_password_callback(
        [password](std::size_t, ssl::context::password_purpose) { return password; }, ec);
  }
  if (cfg->ca) {
    ctx->load_verify_file(*cfg->ca, ec);
    if (ec) return fail(fmt::format("cannot load the CA file {}: {}", *cfg->ca, ec.message()));
    ctx->set_verify_mode(ssl::verify_peer, ec);
  }
  if (cfg->certificate) {
    ctx->use_certificate_chain_file(*cfg->certificate, ec);
    if (ec) {
      return fail(
          fmt::format("cannot load the certificate {}: {}", *cfg->certificate, ec.message()));
    }
  }
  if (cfg->key) {
    ctx->use_private_key_file(*cfg->key, ssl::context::pem, ec);
    if (ec) return fail(fmt::format("cannot load the key {}: {}", *cfg->key, ec.message()));
  }
  return ctx;
}

TlsGet::TlsGet(asio::io_context& io, std::shared_ptr<ssl::context> context)
    : io_(io), context_(std::move(context)) {}

TlsGet::~TlsGet() {
  stop();
}

Result<void> TlsGet::start(const HttpFetch& fetch, std::string_view request, Owner& owner) {
  stop();
  auto x = std::make_shared<Exchange>(io_);
  error_code ec;
  x->socket.open(fetch.target.address.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (ec) return fail("cannot open a socket: " + ec.message());
  if (auto applied = apply_target_options(x->socket.native_handle(), fetch.target); !applied) {
    return applied;
  }
  // The request leaves as soon as the handshake is done (TCP_NODELAY: TLS writes records in
  // pieces), and the handshake's last ACK rides on the ClientHello (TCP_QUICKACK off).
  const int on = 1;
  const int off = 0;
  ::setsockopt(x->socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ::setsockopt(x->socket.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &off, sizeof off);
  exchange_ = x;
  asio::co_spawn(io_, run(std::move(x), context_, fetch, std::string(request), &owner),
                 asio::detached);
  return {};
}

void TlsGet::stop() {
  if (!exchange_) return;
  exchange_->stop();
  exchange_.reset();
}

std::string TlsGet::timeout_reason(Duration limit) const {
  if (!exchange_) return timeout_text(limit, "no connection");
  switch (exchange_->stage) {
    case TlsStage::Connecting:
      break;
    case TlsStage::Handshake:
      return timeout_text(limit, "no TLS handshake");
    case TlsStage::Sending:
      return timeout_text(limit, "request not sent");
    case TlsStage::Receiving:
      return timeout_text(limit, exchange_->received > 0 ? "response not complete" : "no response");
  }
  return timeout_text(limit, "no connection");
}

}  // namespace halo::check::detail
