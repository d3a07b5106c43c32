// One GET over TLS (url_get.h), for SSL_GET and genhash -S: a C++20 coroutine on the
// io_context that connects an Asio socket, does the TLS handshake (SNI when asked) and
// exchanges keepalived's request and the response through Asio SSL.
//
// Stopping: the coroutine's state lives in a shared_ptr that it holds (it must stay valid
// until the operations it has pending complete, which can be after the TlsGet is gone).
// stop() marks it ended and closes the socket; whatever is pending then completes at once with
// an error and the coroutine returns without calling the owner.
//
// Certificates are not verified (keepalived does not verify them either) unless the global SSL
// block gives a CA; its certificate and key, if given, are the client's certificate.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "check/url_get.h"
#include "config/model.h"

namespace halo::check::detail {

// The client context for `cfg` (the global SSL block; nullptr: defaults).
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const config::SslConfig* cfg);

class TlsGet final : public UrlGet {
 public:
  TlsGet(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> context);
  ~TlsGet() override;

  Result<void> start(const HttpFetch& fetch, std::string_view request, Owner& owner) override;
  void stop() override;
  std::string timeout_reason(Duration limit) const override;

  struct Exchange;  // one GET's state, shared with its coroutine

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::shared_ptr<Exchange> exchange_;
};

}  // namespace halo::check::detail
