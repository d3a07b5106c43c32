// HTTP_GET / SSL_GET: one attempt GETs each url in turn, on a connection of its own, through a
// UrlGet (url_get.h): PlainGet, a raw socket and a small state machine, for HTTP_GET; TlsGet, a
// coroutine over Asio SSL, for SSL_GET. Each response is judged (status ranges, digest, regex)
// before the next url is fetched; the first failure ends the attempt.
//
// Bounding the attempt: the session's one deadline (socket_setup.h, ProbeSession), armed for
// connect_timeout when the attempt starts. When it fires it stops the GET in progress (the
// socket closes) and the attempt fails with "no ... within N s" for the stage that GET was in.
// Nothing else waits, so a server that accepts and never answers, one that trickles bytes, or
// one that answers garbage can never hold the loop or the attempt.
//
// The probe's immutable plan (requests made once per url, compiled regexes, the TLS context)
// is built when the probe is made.
#include "check/http_probe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>
#include <vector>

#include "check/plain_get.h"
#include "check/socket_setup.h"
#include "check/tls_get.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

std::string address_text(const asio::ip::address& a) {
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

// --- regex (pcre2, as keepalived) -------------------------------------------------------------

struct CodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};

std::uint32_t regex_option_bit(std::string_view name) {
  static constexpr std::pair<std::string_view, std::uint32_t> kOptions[] = {
      {"allow_empty_class", PCRE2_ALLOW_EMPTY_CLASS},
      {"alt_bsux", PCRE2_ALT_BSUX},
      {"auto_callout", PCRE2_AUTO_CALLOUT},
      {"caseless", PCRE2_CASELESS},
      {"dollar_endonly", PCRE2_DOLLAR_ENDONLY},
      {"dotall", PCRE2_DOTALL},
      {"dupnames", PCRE2_DUPNAMES},
      {"extended", PCRE2_EXTENDED},
      {"firstline", PCRE2_FIRSTLINE},
      {"match_unset_backref", PCRE2_MATCH_UNSET_BACKREF},
      {"multiline", PCRE2_MULTILINE},
      {"never_ucp", PCRE2_NEVER_UCP},
      {"never_utf", PCRE2_NEVER_UTF},
      {"no_auto_capture", PCRE2_NO_AUTO_CAPTURE},
      {"no_auto_possess", PCRE2_NO_AUTO_POSSESS},
      {"no_dotstar_anchor", PCRE2_NO_DOTSTAR_ANCHOR},
      {"no_start_optimize", PCRE2_NO_START_OPTIMIZE},
      {"ucp", PCRE2_UCP},
      {"ungreedy", PCRE2_UNGREEDY},
      {"utf", PCRE2_UTF},
      {"never_backslash_c", PCRE2_NEVER_BACKSLASH_C},
      {"alt_circumflex", PCRE2_ALT_CIRCUMFLEX},
      {"alt_verbnames", PCRE2_ALT_VERBNAMES},
      {"use_offset_limit", PCRE2_USE_OFFSET_LIMIT},
  };
  for (const auto& [n, bit] : kOptions) {
    if (n == name) return bit;
  }
  return 0;  // the config parser has refused unknown names already
}

// One url, ready to check.
struct UrlPlan {
  config::HttpUrl url;
  std::unique_ptr<pcre2_code, CodeDeleter> regex;
  std::string error;  // a regex that does not compile: the url always fails with this
  HttpFetch fetch;    // made once: every attempt sends the same request
  std::string request;
};

// Does the body match (keepalived: a match starting within [min_offset, max_offset])?
bool regex_matches(const UrlPlan& u, const std::string& body) {
  auto* data = pcre2_match_data_create_from_pattern(u.regex.get(), nullptr);
  const std::size_t start = u.url.regex_min_offset.value_or(0);
  bool matched = false;
  if (start <= body.size()) {
    const int rc = pcre2_match(u.regex.get(), reinterpret_cast<PCRE2_SPTR>(body.data()),
                               body.size(), start, 0, data, nullptr);
    if (rc >= 0) {
      const PCRE2_SIZE at = pcre2_get_ovector_pointer(data)[0];
      matched = !u.url.regex_max_offset || at <= *u.url.regex_max_offset;
    }
  }
  pcre2_match_data_free(data);
  return matched;
}

// Everything an attempt reads, made once when the probe is made.
struct Plan {
  Target target;
  HttpOptions options;
  std::vector<UrlPlan> urls;
  std::shared_ptr<ssl::context> tls;
  std::string setup_error;
};

bool status_ok(const std::vector<config::StatusRange>& ranges, int status) {
  if (ranges.empty()) return status >= 200 && status <= 299;
  for (const auto& r : ranges) {
    if (status >= r.min && status <= r.max) return true;
  }
  return false;
}

// The verdict on one url's response: "" when it passes.
std::string judge(const UrlPlan& u, const HttpResponse& r) {
  if (!status_ok(u.url.status_codes, r.status)) {
    const std::string ranges =
        u.url.status_codes.empty() ? "200-299" : status_ranges_text(u.url.status_codes);
    return fmt::format("HTTP status {} not in {}", r.status, ranges);
  }
  if (!u.url.digest.empty() && r.digest != u.url.digest) {
    return fmt::format("digest mismatch: got {} want {}", r.digest, u.url.digest);
  }
  if (u.url.regex) {
    if (!u.error.empty()) return u.error;
    const bool matched = regex_matches(u, r.body);
    if (!matched && !u.url.regex_no_match) {
      return fmt::format("body does not match regex \"{}\"", *u.url.regex);
    }
    if (matched && u.url.regex_no_match) {
      return fmt::format("body matches regex \"{}\" (regex_no_match)", *u.url.regex);
    }
  }
  return {};
}

HttpFetch fetch_for(const Plan& plan, const UrlPlan& u) {
  HttpFetch f;
  f.target = plan.target;
  f.ssl = plan.options.check.ssl;
  f.path = u.url.path;
  f.virtualhost = u.url.virtualhost                ? u.url.virtualhost
                  : plan.options.check.virtualhost ? plan.options.check.virtualhost
                                                   : plan.options.virtualhost;
  f.sni = plan.options.check.enable_sni.value_or(false);
  f.protocol = plan.options.check.http_protocol;
  f.digest = !u.url.digest.empty();
  f.keep_body = u.url.regex.has_value();
  return f;
}

std::unique_ptr<const Plan> make_plan(Target target, HttpOptions options) {
  auto plan = std::make_unique<Plan>();
  plan->target = std::move(target);
  plan->options = std::move(options);
  if (plan->options.check.ssl) {
    if (auto tls = detail::make_tls_context(plan->options.ssl)) {
      plan->tls = std::move(*tls);
    } else {
      plan->setup_error = tls.error().message;
    }
  }
  for (const auto& url : plan->options.check.urls) {
    UrlPlan u{.url = url, .regex = nullptr, .error = {}, .fetch = {}, .request = {}};
    if (url.regex) {
      std::uint32_t flags = 0;
      for (const auto& name : url.regex_options) flags |= regex_option_bit(name);
      int code = 0;
      PCRE2_SIZE offset = 0;
      u.regex.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(url.regex->c_str()),
                                  PCRE2_ZERO_TERMINATED, flags, &code, &offset, nullptr));
      if (!u.regex) {
        std::array<PCRE2_UCHAR, 256> text{};
        pcre2_get_error_message(code, text.data(), text.size());
        u.error = fmt::format("invalid regex \"{}\" at offset {}: {}", *url.regex, offset,
                              reinterpret_cast<const char*>(text.data()));
      }
    }
    u.fetch = fetch_for(*plan, u);
    u.request = http_request_text(u.fetch);
    plan->urls.push_back(std::move(u));
  }
  return plan;
}

std::unique_ptr<detail::UrlGet> make_url_get(asio::io_context& io, bool use_tls,
                                             std::shared_ptr<ssl::context> tls) {
  if (use_tls) return std::make_unique<detail::TlsGet>(io, std::move(tls));
  return std::make_unique<detail::PlainGet>(io);
}

// One attempt: the urls in turn, each judged before the next is fetched.
class HttpSession final : public detail::ProbeSession, private detail::UrlGet::Owner {
 public:
  HttpSession(asio::io_context& io, std::unique_ptr<const Plan> plan)
      : ProbeSession(io, plan->target),
        plan_(std::move(plan)),
        get_(make_url_get(io, plan_->options.check.ssl, plan_->tls)) {}
  ~HttpSession() override { get_->stop(); }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void start(Probe::Done done) {
    begin(std::move(done));
    if (!plan_->setup_error.empty()) return fail_soon(plan_->setup_error);
    if (plan_->urls.empty()) return finish_soon(true, "no url to check");
    next_ = 0;
    if (auto started = start_url(); !started) fail_soon(started.error().message);
  }

 private:
  const UrlPlan& url() const { return plan_->urls[next_]; }

  Result<void> start_url() {
    if (auto started = get_->start(url().fetch, url().request, *this); !started) {
      return fail(fmt::format("GET {}: {}", url().url.path, started.error().message));
    }
    return {};
  }

  void on_get_done(Result<HttpResponse> response) override {
    auto self = shared_from_this();  // finish() may let the probe go
    if (!response) {
      return finish(false, fmt::format("GET {}: {}", url().url.path, response.error().message));
    }
    if (auto verdict = judge(url(), *response); !verdict.empty()) {
      return finish(false, fmt::format("GET {}: {}", url().url.path, verdict));
    }
    if (++next_ < plan_->urls.size()) {
      if (auto started = start_url(); !started) finish(false, started.error().message);
      return;
    }
    finish(true, plan_->urls.size() == 1 ? fmt::format("HTTP status {}", response->status)
                                         : fmt::format("{} urls passed", plan_->urls.size()));
  }

  void close_socket() override { get_->stop(); }

  void on_deadline() override {
    const Duration limit = target().connect_timeout;
    finish(detail::timeout(fmt::format("GET {}: {}", url().url.path, get_->timeout_reason(limit))));
  }

  std::unique_ptr<const Plan> plan_;
  std::unique_ptr<detail::UrlGet> get_;
  std::size_t next_ = 0;
};

}  // namespace

std::string status_ranges_text(const std::vector<config::StatusRange>& ranges) {
  std::string text;
  for (const auto& r : ranges) {
    if (!text.empty()) text += ',';
    text += r.min == r.max ? fmt::format("{}", r.min) : fmt::format("{}-{}", r.min, r.max);
  }
  return text;
}

std::string http_request_text(const HttpFetch& fetch) {
  const bool v11 = fetch.protocol == config::HttpProtocol::V1_1;
  const bool close = fetch.protocol != config::HttpProtocol::V1_0;
  const std::string host =
      fetch.virtualhost
          ? *fetch.virtualhost
          : fmt::format("{}:{}", address_text(fetch.target.address), fetch.target.port);
  return fmt::format("GET {} HTTP/1.{}\r\nUser-Agent: KeepAliveClient\r\n{}Host: {}\r\n\r\n",
                     fetch.path, v11 ? 1 : 0, close ? "Connection: close\r\n" : "", host);
}

std::unique_ptr<Probe> make_http_probe(boost::asio::io_context& io, Target target,
                                       HttpOptions options) {
  auto plan = make_plan(std::move(target), std::move(options));
  const std::string_view kind = plan->options.check.ssl ? "SSL_GET" : "HTTP_GET";
  return std::make_unique<detail::SessionProbe<HttpSession>>(
      kind, std::make_shared<HttpSession>(io, std::move(plan)));
}

Result<HttpResponse> http_fetch_blocking(const HttpFetch& fetch, const config::SslConfig* ssl) {
  std::shared_ptr<ssl::context> tls;
  if (fetch.ssl) {
    auto made = detail::make_tls_context(ssl);
    if (!made) return tl::unexpected(made.error());
    tls = std::move(*made);
  }
  struct Collect final : detail::UrlGet::Owner {
    void on_get_done(Result<HttpResponse> response) override { result = std::move(response); }
    std::optional<Result<HttpResponse>> result;
  } collect;
  asio::io_context io;
  auto get = make_url_get(io, fetch.ssl, std::move(tls));
  const std::string request = http_request_text(fetch);
  if (auto started = get->start(fetch, request, collect); !started) {
    return tl::unexpected(started.error());
  }
  asio::steady_timer deadline(io, fetch.target.connect_timeout);
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec || collect.result) return;
    collect.result = fail(get->timeout_reason(fetch.target.connect_timeout));
    get->stop();
  });
  while (!collect.result && io.run_one() > 0) {
  }
  get->stop();
  if (!collect.result) return fail("the fetch did not finish");
  return std::move(*collect.result);
}

}  // namespace halo::check
