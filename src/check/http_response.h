// Reading an HTTP check's response, whatever carried it (a plain socket, a TLS stream): the
// header up to "\r\n\r\n" (at most 64 KiB, parsed by Beast for the status and Content-Length),
// then the body up to Content-Length or the end of the stream (at most 16 MiB), hashed as it
// arrives and kept only when asked for. Like keepalived (check_http.c http_process_response),
// a chunked body is hashed as received, so digests made by keepalived's genhash still match.
#pragma once

#include <openssl/evp.h>

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "check/http_probe.h"
#include "common/result.h"

namespace halo::check::detail {

// Operator words for a socket error: "connection refused", "connection reset", ...
std::string io_error_text(const boost::system::error_code& ec);
// "no response within 3 s".
std::string timeout_text(Duration limit, std::string_view what);

// Collects the response as it arrives: the header up to "\r\n\r\n", then the body.
class ResponseReader {
 public:
  explicit ResponseReader(const HttpFetch& fetch);

  // Feeds received bytes. Returns an error for a response that cannot be right.
  Result<void> feed(std::string_view data);

  // The whole body has arrived (Content-Length reached): no need to wait for the close.
  bool complete() const { return head_done_ && content_length_ && body_bytes_ >= *content_length_; }
  std::uint64_t received() const { return received_; }

  // The response, once the stream has ended (or complete()).
  Result<HttpResponse> finish();

 private:
  struct EvpDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };

  Result<void> parse_head();
  Result<void> add_body(std::string_view data);

  const HttpFetch& fetch_;
  std::unique_ptr<EVP_MD_CTX, EvpDeleter> md5_;
  std::string head_;
  bool head_done_ = false;
  int status_ = 0;
  std::optional<std::uint64_t> content_length_;
  std::uint64_t body_bytes_ = 0;
  std::uint64_t received_ = 0;
  std::string body_;
};

}  // namespace halo::check::detail
