// genhash: keepalived's -T mode. The command line is parsed the way getopt_long parses
// keepalived's (short options bundle, arguments attach or follow, long options take "=value"
// or the next word, unambiguous prefixes of long options work, words that are not options are
// an error), with keepalived's messages. The fetch is the HTTP probe's own GET
// (http_fetch_blocking), so the digest genhash prints is by construction the one HTTP_GET
// compares against. The output is keepalived 2.2.7's layout, recorded from the real binary:
//
//   $ keepalived -T -s 127.0.0.1 -p 8080 -u /index.html
//   6f5902ac237024bdd0c176cb93063dc4
//
// and with -v the banners, hex dumps and timing line that hex_dump() and render() draw.
#include "check/genhash.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "check/http_probe.h"

namespace halo::check {
namespace {

constexpr std::string_view kHeaderHex =
    "-----------------------[    HTTP Header Buffer    ]-----------------------\n";
constexpr std::string_view kHeaderAscii =
    "-----------------------[ HTTP Header Ascii Buffer ]-----------------------\n";
constexpr std::string_view kBodyHex =
    "-----------------------[        HTML Buffer        ]-----------------------\n";
constexpr std::string_view kHash =
    "-----------------------[    HTML hash resulting    ]-----------------------\n";
constexpr std::string_view kHashFinal =
    "-----------------------[ HTML hash final resulting ]-----------------------\n";

struct LongOption {
  std::string_view name;
  char short_name;
  bool takes_value;
};

constexpr std::array<LongOption, 11> kLongOptions{{
    {"help", 'h', false},
    {"verbose", 'v', false},
    {"use-ssl", 'S', false},
    {"use-sni", 'I', false},
    {"server", 's', true},
    {"use-virtualhost", 'V', true},
    {"port", 'p', true},
    {"url", 'u', true},
    {"fwmark", 'm', true},
    {"protocol", 'P', true},
    {"timeout", 't', true},
}};

const LongOption* short_option(char c) {
  for (const auto& o : kLongOptions) {
    if (o.short_name == c) return &o;
  }
  return nullptr;
}

// Exact name, else a unique prefix (getopt_long's rule).
const LongOption* long_option(std::string_view name) {
  const LongOption* found = nullptr;
  for (const auto& o : kLongOptions) {
    if (o.name == name) return &o;
    if (o.name.substr(0, name.size()) == name) {
      if (found != nullptr) return nullptr;  // ambiguous
      found = &o;
    }
  }
  return found;
}

// strtoul after leading blanks; nullopt for "", a sign, or trailing garbage (keepalived's test).
std::optional<unsigned long> unsigned_value(const std::string& text) {
  const auto start = text.find_first_not_of(" \t");
  if (start == std::string::npos || text[start] == '-' || text[start] == '+') return std::nullopt;
  char* end = nullptr;
  const unsigned long value = std::strtoul(text.c_str() + start, &end, 10);
  if (*end != '\0' || end == text.c_str() + start) return std::nullopt;
  return value;
}

Result<void> apply(GenhashRequest& r, char option, const std::string& value, unsigned& seen) {
  switch (option) {
    case 'h':
      r.help = true;
      break;
    case 'v':
      r.verbose = true;
      break;
    case 'S':
      r.ssl = true;
      break;
    case 'I':
      r.sni = true;
      break;
    case 's': {
      boost::system::error_code ec;
      (void)boost::asio::ip::make_address(value, ec);
      if (ec) return fail(fmt::format("server should be an IP, not {}", value));
      r.server = value;
      seen |= 1;
      break;
    }
    case 'V':
      r.virtualhost = value;
      break;
    case 'p': {
      char* end = nullptr;
      const long port = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || port <= 0 || port > 65535) {
        return fail(fmt::format("invalid port number '{}'", value));
      }
      r.port = static_cast<std::uint16_t>(port);
      seen |= 2;
      break;
    }
    case 'u':
      r.url = value;
      seen |= 4;
      break;
    case 'm': {
      const auto mark = unsigned_value(value);
      if (!mark || *mark > 0xffffffffUL) return fail(fmt::format("invalid fwmark '{}'", value));
      r.fwmark = static_cast<std::uint32_t>(*mark);
      break;
    }
    case 'P':
      if (value == "1.0") {
        r.http_protocol = config::HttpProtocol::V1_0;
      } else if (value == "1.0c" || value == "1.0C") {
        r.http_protocol = config::HttpProtocol::V1_0C;
      } else if (value == "1.1") {
        r.http_protocol = config::HttpProtocol::V1_1;
      } else {
        return fail(fmt::format("invalid HTTP protocol version '{}'", value));
      }
      break;
    case 't': {
      const auto seconds = unsigned_value(value);
      if (!seconds || *seconds > 86400UL * 365) {
        return fail(fmt::format("invalid timeout '{}'", value));
      }
      r.timeout = std::chrono::seconds(*seconds);
      break;
    }
    default:
      return fail(fmt::format("Unknown option -{}", option));
  }
  return {};
}

std::string render(const GenhashRequest& request, const HttpResponse& response,
                   std::chrono::microseconds elapsed) {
  if (!request.verbose) return response.digest + "\n";
  std::string out;
  out += kHeaderHex;
  out += hex_dump(response.head);
  out += kHeaderAscii;
  out += response.head;
  out += '\n';
  if (!response.body.empty()) {
    out += kBodyHex;
    out += hex_dump(response.body);
  }
  std::string raw;
  for (std::size_t i = 0; i + 1 < response.digest.size(); i += 2) {
    raw += static_cast<char>(std::strtoul(response.digest.substr(i, 2).c_str(), nullptr, 16));
  }
  out += '\n';
  out += kHash;
  out += hex_dump(raw);
  out += kHashFinal;
  out += response.digest + "\n";
  out += fmt::format("\nGlobal response time for [{}] = {} usecs\n", request.url, elapsed.count());
  return out;
}

}  // namespace

std::string hex_dump(std::string_view data) {
  std::string out;
  const std::size_t rows = (data.size() + 15) / 16;
  for (std::size_t row = 0; row < rows; ++row) {
    out += fmt::format("{:04} ", (row * 16) & 0xffff);
    std::string ascii;
    for (std::size_t i = row * 16; i < row * 16 + 16; ++i) {
      if (i < data.size()) {
        const auto byte = static_cast<unsigned char>(data[i]);
        out += fmt::format(" {:02x}", byte);
        ascii += byte >= 0x20 && byte <= 0x7e ? static_cast<char>(byte) : '.';
      } else {
        out += "   ";
        ascii += ' ';
      }
      if (i % 16 == 7) out += " -";
    }
    out += "   " + ascii + "\n";
  }
  return out;
}

std::string genhash_usage(std::string_view prog) {
  return fmt::format(
      "Usage: {} COMMAND [OPTIONS]\n"
      "Commands:\n"
      "   -s server-address -p port -u url\n"
      "   -S -s server-address -p port -u url\n"
      "   -h\n"
      "\n"
      "Options:\n"
      "Either long or short options are allowed.\n"
      "   --use-ssl         -S       Use SSL connection to remote server.\n"
      "   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; "
      "see -V).\n"
      "   --server          -s       Use the specified remote server address.\n"
      "   --port            -p       Use the specified remote server port.\n"
      "   --url             -u       Use the specified remote server url.\n"
      "   --use-virtualhost -V       Use the specified virtualhost in GET query.\n"
      "   --verbose         -v       Use verbose mode output.\n"
      "   --help            -h       Display this short inlined help screen.\n"
      "   --fwmark          -m       Use the specified FW mark.\n"
      "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n"
      "                                1.0c means 1.0 with 'Connection: close'\n"
      "   --timeout         -t       Timeout in seconds\n",
      prog);
}

Result<GenhashRequest> parse_genhash_args(const std::vector<std::string>& args) {
  GenhashRequest r;
  unsigned seen = 0;  // bits: server, port, url
  std::vector<std::string> extra;
  std::size_t i = 0;
  if (!args.empty() && (args[0] == "-T" || args[0] == "--genhash")) i = 1;
  bool options_done = false;
  for (; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (options_done || word.size() < 2 || word[0] != '-') {
      extra.push_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word[1] == '-') {
      const auto eq = word.find('=');
      const std::string name = word.substr(2, eq == std::string::npos ? eq : eq - 2);
      const LongOption* o = long_option(name);
      if (o == nullptr) return fail(fmt::format("Unknown option {}", word));
      std::string value;
      if (o->takes_value) {
        if (eq != std::string::npos) {
          value = word.substr(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return fail(fmt::format("Missing parameter for option --{}", o->name));
        }
      } else if (eq != std::string::npos) {
        return fail(fmt::format("Unknown option {}", word));
      }
      if (auto ok = apply(r, o->short_name, value, seen); !ok) return tl::unexpected(ok.error());
      continue;
    }
    for (std::size_t k = 1; k < word.size(); ++k) {
      const LongOption* o = short_option(word[k]);
      if (o == nullptr) return fail(fmt::format("Unknown option -{}", word[k]));
      std::string value;
      if (o->takes_value) {
        if (k + 1 < word.size()) {
          value = word.substr(k + 1);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return fail(fmt::format("Missing parameter for option -{}", word[k]));
        }
        k = word.size();
      }
      if (auto ok = apply(r, o->short_name, value, seen); !ok) return tl::unexpected(ok.error());
    }
  }
  if (r.help) return r;
  if (!extra.empty()) {
    std::string text = "Unexpected argument(s):";
    for (const auto& e : extra) text += " " + e;
    return fail(text);
  }
  if (seen != 7) return fail("the server (-s), the port (-p) and the url (-u) are required");
  return r;
}

Result<GenhashResult> genhash(const GenhashRequest& request) {
  HttpFetch fetch;
  boost::system::error_code ec;
  fetch.target.address = boost::asio::ip::make_address(request.server, ec);
  if (ec) return fail(fmt::format("server should be an IP, not {}", request.server));
  fetch.target.port = request.port;
  fetch.target.fwmark = request.fwmark;
  fetch.target.connect_timeout = request.timeout;
  fetch.ssl = request.ssl;
  fetch.path = request.url;
  fetch.virtualhost = request.virtualhost;
  fetch.sni = request.sni;
  fetch.protocol = request.http_protocol;
  fetch.keep_body = request.verbose;
  fetch.keep_head = request.verbose;

  const auto begin = std::chrono::steady_clock::now();
  auto response = http_fetch_blocking(fetch);
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - begin);
  if (!response) return tl::unexpected(response.error());
  GenhashResult result;
  result.status = response->status;
  result.digest = response->digest;
  result.body_bytes = response->body_bytes;
  result.text = render(request, *response, elapsed);
  return result;
}

int genhash_main(const std::vector<std::string>& args, std::string_view prog) {
  auto request = parse_genhash_args(args);
  if (!request || request->help) {
    if (!request) std::fprintf(stderr, "%s\n", request.error().message.c_str());
    std::fputs(genhash_usage(prog).c_str(), stderr);
    return 1;
  }
  auto result = genhash(*request);
  if (!result) {
    std::fprintf(stderr, "%s: GET %s: %s\n", request->server.c_str(), request->url.c_str(),
                 result.error().message.c_str());
    return 1;
  }
  std::fwrite(result->text.data(), 1, result->text.size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace halo::check
