// One GET of an HTTP_GET/SSL_GET url, whatever carries it: PlainGet (plain_get.h, a raw socket
// for plain HTTP) or TlsGet (tls_get.h, Asio SSL). The probe (http_probe.cc) and genhash run
// their urls through this interface and bound them with a deadline of their own.
#pragma once

#include <string>
#include <string_view>

#include "check/http_probe.h"
#include "common/result.h"

namespace halo::check::detail {

class UrlGet {
 public:
  class Owner {
   public:
    // The GET has ended: the response, or the reason it failed ("connection refused",
    // "malformed HTTP response: ...", "TLS handshake failed: ...").
    virtual void on_get_done(Result<HttpResponse> response) = 0;

   protected:
    ~Owner() = default;
  };

  virtual ~UrlGet() = default;
  UrlGet() = default;
  UrlGet(const UrlGet&) = delete;
  UrlGet& operator=(const UrlGet&) = delete;

  // Opens a socket (the target's options applied), connects, sends `request` and reads the
  // response; then owner.on_get_done is called once, from the io_context, unless stop() comes
  // first. An error found at once (no socket, an option that cannot be applied, no route) is
  // returned instead and nothing is called. `fetch`, `request` and `owner` must outlive the
  // GET; on_get_done may start the next GET.
  virtual Result<void> start(const HttpFetch& fetch, std::string_view request, Owner& owner) = 0;
  // Closes the socket; the owner is not called. Idempotent.
  virtual void stop() = 0;
  // Why the GET has not ended, for the caller's deadline: "no connection within 1 s", "no TLS
  // handshake within 1 s", "request not sent within 1 s", "no response within 1 s",
  // "response not complete within 1 s".
  virtual std::string timeout_reason(Duration limit) const = 0;
};

}  // namespace halo::check::detail
