// HTTP_GET and SSL_GET: for each url block, GET the path (over Asio SSL for SSL_GET; Boost.Beast
// parses the response header) and judge the response: the status must be in one of the
// status_code ranges (default 200-299); when `digest` is set, the MD5 of the body must equal it;
// when `regex` is set, the body must match it (or, with regex_no_match, must not). `virtualhost`
// (url, then checker, then real/virtual server) is the Host header and, for SSL_GET with
// enable_sni, the SNI name; without one the Host header is "address:port" ("[v6]:port").
//
// The request is keepalived's, byte for byte (check_http.c): "GET <path> HTTP/1.<0|1>",
// "User-Agent: KeepAliveClient", "Connection: close" for 1.0C and 1.1, "Host: ...".
// The body is what follows the header up to Content-Length (else to the end of the stream),
// not de-chunked: keepalived hashes those bytes, so digests made by its genhash keep working.
// A body larger than 16 MiB, a header larger than 64 KiB, fail the url.
//
// One attempt checks every url in turn, each on a connection of its own, the whole attempt
// bounded by connect_timeout (keepalived checks one url per delay_loop while recovering unless
// fast_recovery; halo checks all of them in one attempt, which is what fast_recovery asks for,
// and reports the first failing url). Certificates are not verified (keepalived does not verify
// them either), unless the global SSL block gives a CA; its certificate and key, if given, are
// the client's certificate.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/probe.h"
#include "common/result.h"
#include "config/model.h"

namespace halo::check {

struct HttpOptions {
  config::HttpCheck check;
  std::optional<std::string> virtualhost;  // inherited from real/virtual server, if any
  const config::SslConfig* ssl = nullptr;  // global SSL block; nullptr: defaults
};

// Success reason: "HTTP status 200" (one url) or "3 urls passed". Failure reasons name the
// url: "GET /health: HTTP status 500 not in 200-299", "GET /: digest mismatch: got X want Y",
// "GET /: body does not match regex \"...\"", "GET /: connection refused",
// "GET /: connection reset", "GET /: no response within 3 s" (timed_out set),
// "GET /: TLS handshake failed: wrong version number (SSL routines)".
std::unique_ptr<Probe> make_http_probe(boost::asio::io_context& io, Target target,
                                       HttpOptions options);

// Lower-case hex MD5 of `data` (OpenSSL EVP), as keepalived's digest and genhash print it.
std::string md5_hex(std::string_view data);

// "200-299", "200-299,404": the ranges as an operator wrote them (empty: the default).
std::string status_ranges_text(const std::vector<config::StatusRange>& ranges);

// One GET, the building block of the probe and of genhash.
struct HttpFetch {
  Target target;
  bool ssl = false;
  std::string path = "/";
  std::optional<std::string> virtualhost;  // Host header (and SNI name when sni)
  bool sni = false;
  config::HttpProtocol protocol = config::HttpProtocol::V1_0;
  bool digest = true;      // HttpResponse::digest (a url with `digest`, genhash)
  bool keep_body = false;  // HttpResponse::body (for a regex, or genhash -v)
  bool keep_head = false;  // HttpResponse::head
};

struct HttpResponse {
  int status = 0;
  std::string digest;  // lower-case hex MD5 of the body (HttpFetch::digest; else empty)
  std::uint64_t body_bytes = 0;
  std::string body;  // when HttpFetch::keep_body
  std::string head;  // the header as received, "\r\n\r\n" included (keep_head)
};

// The request text keepalived sends for `fetch`.
std::string http_request_text(const HttpFetch& fetch);

// Runs one GET on its own io_context, bounded by fetch.target.connect_timeout: for genhash.
// The error is the failure reason ("connection refused", "no response within 5 s", ...).
Result<HttpResponse> http_fetch_blocking(const HttpFetch& fetch,
                                         const config::SslConfig* ssl = nullptr);

}  // namespace halo::check
