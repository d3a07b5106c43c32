// genhash: fetch a URL once and print the MD5 digest of its body, for the `digest` of an
// HTTP_GET/SSL_GET url (keepalived -T / --genhash, and the old genhash tool). Used by
// `halod --genhash ...` and `haloctl genhash ...`; it runs its own io_context and blocks
// until the fetch ends or times out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace halo::check {

struct GenhashRequest {
  std::string server;  // IP address
  std::uint16_t port = 80;
  std::string url = "/";
  bool ssl = false;
  std::optional<std::string> virtualhost;
  bool sni = false;
  std::string http_protocol = "1.0";  // 1.0, 1.0C, 1.1
  std::optional<std::string> bind_address;
  std::optional<std::uint32_t> fwmark;
  std::chrono::milliseconds timeout{5000};
  bool verbose = false;  // print the request and the response headers too
};

struct GenhashResult {
  int status = 0;
  std::string digest;  // lower-case hex MD5 of the body
  std::uint64_t body_bytes = 0;
  std::string text;  // what to print, keepalived's layout (see genhash.cc)
};

Result<GenhashResult> genhash(const GenhashRequest& request);

// Parses genhash's command line (keepalived's -T option set: -s -p -u -S -V -v -r -h -t -I
// -m --fwmark; long forms too). Errors name the bad option.
Result<GenhashRequest> parse_genhash_args(const std::vector<std::string>& args);
std::string genhash_usage();

}  // namespace halo::check
