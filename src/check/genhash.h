// genhash: fetch a URL once and print the MD5 digest of its body, for the `digest` of an
// HTTP_GET/SSL_GET url (keepalived -T / --genhash, and the old genhash tool). Used by
// `halod --genhash ...` and `haloctl genhash ...`; it runs its own io_context and blocks
// until the fetch ends or times out.
//
// Options and output are keepalived 2.2.7's (check_genhash.c, check_http.c): the digest alone
// on stdout; with -v the header and body as hex dumps, the header as text, the digest dump and
// "Global response time for [url] = N usecs". Two differences, both deliberate: a failed fetch
// says why on stderr and exits 1 (keepalived prints a terse "Connection failed" on stdout and
// exits 0, so `digest=$(keepalived -T ...)` silently got that text), and without -t the fetch
// gives up after 5 s (keepalived waits forever).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/model/checkers.h"

namespace halo::check {

struct GenhashRequest {
  std::string server;  // IP address (-s)
  std::uint16_t port = 0;
  std::string url = "/";
  bool ssl = false;
  std::optional<std::string> virtualhost;
  bool sni = false;
  config::HttpProtocol http_protocol = config::HttpProtocol::V1_0;
  std::optional<std::uint32_t> fwmark;
  std::chrono::milliseconds timeout{5000};
  bool verbose = false;  // hex dumps of header and body, the header as text, the timing
  bool help = false;     // -h: print the usage (exit 1, as keepalived)
};

struct GenhashResult {
  int status = 0;
  std::string digest;  // lower-case hex MD5 of the body
  std::uint64_t body_bytes = 0;
  std::string text;  // what to print on stdout, keepalived's layout
};

// Fetches request.url and renders keepalived's output. The error is why the fetch failed.
Result<GenhashResult> genhash(const GenhashRequest& request);

// Parses genhash's command line: keepalived's -T option set (-s -p -u -S -I -V -v -h -m -P -t
// and their long forms, getopt style: "-p80", "-Sv", "--port=80", "--port 80"). `args` are the
// words after --genhash / -T (a leading "--genhash" or "-T" is skipped). Errors are keepalived's
// messages ("invalid port number '0'", "Unknown option -x", "Unexpected argument(s): a b").
Result<GenhashRequest> parse_genhash_args(const std::vector<std::string>& args);

// `prog`: how the tool is invoked, "halod --genhash" or "haloctl genhash".
std::string genhash_usage(std::string_view prog = "halod --genhash");

// keepalived's hex dump (lib/utils.c dump_buffer): "0000  48 54 ... - ...   HTTP/1.0 2..".
std::string hex_dump(std::string_view data);

// The whole tool: parse, fetch, print (stdout: the result; stderr: errors and usage).
// Returns the exit code: 0 digest printed, 1 usage error or failed fetch.
int genhash_main(const std::vector<std::string>& args, std::string_view prog = "halod --genhash");

}  // namespace halo::check
