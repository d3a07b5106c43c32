// HTTP_GET and SSL_GET: for each url block, GET the path (Boost.Beast, over Asio SSL for
// SSL_GET) and judge the response: the status must be in one of the status_code ranges
// (default 200-299); when `digest` is set, the MD5 of the body must equal it; when `regex` is
// set, the body must match it (or, with regex_no_match, must not). `virtualhost` (url, then
// checker, then real/virtual server) is the Host header and, for SSL_GET with enable_sni, the
// SNI name. http_protocol: 1.0 sends "Connection: close"-less 1.0, 1.0C adds it, 1.1 sends
// HTTP/1.1 with Connection: close. The body is read to its end, at most 16 MiB.
//
// One attempt checks every url in turn (keepalived checks one url per delay_loop while
// recovering unless fast_recovery; halo checks all of them in one attempt, which is what
// fast_recovery asks for, and reports the first failing url). Certificates are not verified
// (keepalived does not verify them either), unless an SSL block gives a CA.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "check/probe.h"
#include "config/model.h"

namespace halo::check {

struct HttpOptions {
  config::HttpCheck check;
  std::optional<std::string> virtualhost;  // inherited from real/virtual server, if any
  const config::SslConfig* ssl = nullptr;  // global SSL block; nullptr: defaults
};

std::unique_ptr<Probe> make_http_probe(boost::asio::io_context& io, Target target,
                                       HttpOptions options);

// Lower-case hex MD5 of `data` (OpenSSL EVP), as keepalived's digest and genhash print it.
std::string md5_hex(std::string_view data);

}  // namespace halo::check
