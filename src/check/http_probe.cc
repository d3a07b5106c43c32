// HTTP_GET / SSL_GET: one attempt is a C++20 coroutine on the daemon's io_context that, for each
// url, opens a connection (bindto, bind_if, fwmark applied), does the TLS handshake for SSL_GET,
// sends keepalived's request text and reads the response to the end of its body.
//
// Bounding the attempt: one steady_timer per attempt, armed for connect_timeout when it starts.
// When it fires it closes the socket, so whatever operation is pending (connect, handshake,
// read, write) completes at once with an error and the coroutine reports "no ... within N s"
// for the stage it was in. Nothing else waits, so a server that accepts and never answers, one
// that trickles bytes, or one that answers garbage can never hold the loop or the attempt.
//
// Cancelling: the attempt's state lives in a shared_ptr that the coroutine holds (it must stay
// valid until the operations it has pending complete, which can be after the probe is gone).
// cancel() marks it, closes the socket and cancels the timer; the coroutine then ends without
// calling `done`. The probe's immutable plan (compiled regexes, TLS context) is shared the same
// way, for the same reason.
//
// The response: the header (up to "\r\n\r\n", at most 64 KiB) is parsed by Beast; the body is
// the bytes that follow, up to Content-Length or the end of the stream, hashed as they arrive
// and kept only when a regex needs them. Like keepalived (check_http.c http_process_response),
// a chunked body is hashed as received, so digests made by keepalived's genhash still match.
#include "check/http_probe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <pcre2.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <utility>
#include <vector>

#include "check/socket_setup.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxHead = std::size_t{64} * 1024;
constexpr std::uint64_t kMaxBody = std::uint64_t{16} * 1024 * 1024;

std::string io_error_text(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::broken_pipe) return "connection reset (broken pipe)";
  if (ec == asio::error::network_unreachable) return "network unreachable";
  if (ec == asio::error::host_unreachable) return "host unreachable";
  if (ec == asio::error::timed_out) return "connection timed out";
  return error_words(ec);
}

std::string address_text(const asio::ip::address& a) {
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

struct EvpDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Md5 = std::unique_ptr<EVP_MD_CTX, EvpDeleter>;

Md5 md5_begin() {
  Md5 ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr);
  return ctx;
}

std::string md5_end(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  std::string hex;
  hex.reserve(std::size_t{2} * len);
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", out[i]);
  return hex;
}

// --- one attempt's shared state --------------------------------------------------------------

struct Attempt : std::enable_shared_from_this<Attempt> {
  explicit Attempt(asio::io_context& context) : io(context), deadline(context), socket(context) {}

  // Arms the whole-attempt deadline: when it fires, the socket closes and what is pending fails.
  void arm(Duration timeout) {
    limit = timeout;
    deadline.expires_after(timeout);
    deadline.async_wait([weak = weak_from_this()](const error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock(); self && !self->ended) {
        self->expired = true;
        error_code ignored;
        self->socket.close(ignored);
      }
    });
  }

  void stop() {
    ended = true;
    deadline.cancel();
    error_code ignored;
    socket.close(ignored);
  }

  asio::io_context& io;
  asio::steady_timer deadline;
  tcp::socket socket;
  Duration limit{};
  bool expired = false;
  bool ended = false;  // finished or cancelled: `done` must not run (again)
};

// --- connection set-up ---------------------------------------------------------------------

// Opens the socket and applies the target's options (socket_setup.h). The request is sent as
// soon as the connection is up (TCP_NODELAY) and the handshake's last ACK is held back to ride
// on it (TCP_QUICKACK off), as HAProxy's HTTP checks do: one packet less per check.
Result<void> prepare_socket(tcp::socket& socket, const Target& t) {
  error_code ec;
  socket.open(t.address.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (ec) return fail("cannot open a socket: " + ec.message());
  if (auto applied = detail::apply_target_options(socket.native_handle(), t); !applied) {
    return applied;
  }
  const int on = 1;
  const int off = 0;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &off, sizeof off);
  return {};
}

// --- the response --------------------------------------------------------------------------

// Beast's header parser without Beast's field container: a check needs the status and the
// framing (Content-Length) only, and a container allocates a node per header field.
class StatusParser final : public http::basic_parser<false> {
 public:
  int status() const { return status_; }

 private:
  using string_view = boost::beast::string_view;
  void on_request_impl(http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  int status_ = 0;
};

// Collects the response as it arrives: the header up to "\r\n\r\n", then the body.
class ResponseReader {
 public:
  explicit ResponseReader(const HttpFetch& fetch)
      : fetch_(fetch), md5_(fetch.digest ? md5_begin() : nullptr) {}

  // Feeds received bytes. Returns an error for a response that cannot be right.
  Result<void> feed(std::string_view data) {
    received_ += data.size();
    if (!head_done_) {
      const std::size_t from = head_.size() > 3 ? head_.size() - 3 : 0;
      head_.append(data);
      const auto end = head_.find("\r\n\r\n", from);
      if (end == std::string::npos) {
        if (head_.size() > kMaxHead) return fail("HTTP response header larger than 64 KiB");
        return {};
      }
      std::string rest = head_.substr(end + 4);
      head_.resize(end + 4);
      if (auto parsed = parse_head(); !parsed) return parsed;
      head_done_ = true;
      return add_body(rest);
    }
    return add_body(data);
  }

  // The whole body has arrived (Content-Length reached): no need to wait for the close.
  bool complete() const { return head_done_ && content_length_ && body_bytes_ >= *content_length_; }
  bool head_done() const { return head_done_; }
  std::uint64_t received() const { return received_; }

  Result<HttpResponse> finish() {
    if (!head_done_) {
      if (received_ == 0) return fail("connection closed without a response");
      return fail(
          fmt::format("no HTTP response: the connection closed after {} bytes without "
                      "the end of a header",
                      received_));
    }
    HttpResponse r;
    r.status = status_;
    if (md5_) r.digest = md5_end(md5_.get());
    r.body_bytes = body_bytes_;
    r.body = std::move(body_);
    if (fetch_.keep_head) r.head = std::move(head_);
    return r;
  }

 private:
  Result<void> parse_head() {
    StatusParser parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxHead + 4));
    parser.eager(false);
    parser.body_limit(boost::none);  // the body is not Beast's to read: ours is 16 MiB
    error_code ec;
    parser.put(asio::buffer(head_), ec);
    if (ec && ec != http::error::need_more) {
      return fail("malformed HTTP response: " + ec.message());
    }
    if (!parser.is_header_done()) return fail("malformed HTTP response header");
    status_ = parser.status();
    if (auto length = parser.content_length()) content_length_ = *length;
    return {};
  }

  Result<void> add_body(std::string_view data) {
    if (content_length_) {
      const std::uint64_t left = *content_length_ - std::min(*content_length_, body_bytes_);
      data = data.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(left, data.size())));
    }
    if (data.empty()) return {};
    body_bytes_ += data.size();
    if (body_bytes_ > kMaxBody) return fail("HTTP response body larger than 16 MiB");
    if (md5_) EVP_DigestUpdate(md5_.get(), data.data(), data.size());
    if (fetch_.keep_body) body_.append(data);
    return {};
  }

  const HttpFetch& fetch_;
  Md5 md5_;
  std::string head_;
  bool head_done_ = false;
  int status_ = 0;
  std::optional<std::uint64_t> content_length_;
  std::uint64_t body_bytes_ = 0;
  std::uint64_t received_ = 0;
  std::string body_;
};

std::string timeout_text(Duration limit, std::string_view what) {
  return fmt::format("{} within {}", what, duration_text(limit));
}

// Request and response on a connected stream (a tcp::socket or a TLS stream over it).
// `fetch` and `request` belong to the caller's frame, which outlives this one.
template <class Stream>
asio::awaitable<Result<HttpResponse>> exchange(Stream& stream, std::shared_ptr<Attempt> a,
                                               const HttpFetch& fetch, std::string_view request) {
  auto [wec, written] = co_await asio::async_write(stream, asio::buffer(request), kAwait);
  (void)written;
  if (wec) {
    if (a->expired) co_return fail(timeout_text(a->limit, "request not sent"));
    co_return fail("cannot send the request: " + io_error_text(wec));
  }
  ResponseReader reader(fetch);
  std::array<char, 16384> chunk{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), kAwait);
    if (a->ended) co_return fail("cancelled");
    if (n > 0) {
      if (auto fed = reader.feed(std::string_view(chunk.data(), n)); !fed) {
        co_return tl::unexpected(fed.error());
      }
      if (reader.complete()) break;
    }
    if (!ec) continue;
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) break;
    if (a->expired) {
      if (reader.received() == 0) co_return fail(timeout_text(a->limit, "no response"));
      co_return fail(timeout_text(a->limit, "response not complete"));
    }
    co_return fail(io_error_text(ec));
  }
  co_return reader.finish();
}

// One GET on the attempt's socket: connect, TLS handshake, exchange.
asio::awaitable<Result<HttpResponse>> get_once(std::shared_ptr<Attempt> a, const HttpFetch& fetch,
                                               std::string_view request,
                                               std::shared_ptr<ssl::context> tls) {
  a->socket = tcp::socket(a->io);
  if (a->expired) co_return fail(timeout_text(a->limit, "no connection"));
  if (auto ready = prepare_socket(a->socket, fetch.target); !ready) {
    co_return tl::unexpected(ready.error());
  }
  auto [cec] = co_await a->socket.async_connect(
      tcp::endpoint(fetch.target.address, fetch.target.port), kAwait);
  if (a->ended) co_return fail("cancelled");
  if (cec) {
    if (a->expired) co_return fail(timeout_text(a->limit, "no connection"));
    co_return fail(io_error_text(cec));
  }
  if (!fetch.ssl) co_return co_await exchange(a->socket, a, fetch, request);

  if (!tls) co_return fail("no TLS context");
  ssl::stream<tcp::socket&> stream(a->socket, *tls);
  if (fetch.sni && fetch.virtualhost) {
    SSL_set_tlsext_host_name(stream.native_handle(), fetch.virtualhost->c_str());
  }
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kAwait);
  if (a->ended) co_return fail("cancelled");
  if (hec) {
    if (a->expired) co_return fail(timeout_text(a->limit, "no TLS handshake"));
    if (hec == asio::error::eof || hec == asio::error::connection_reset) {
      co_return fail("TLS handshake failed: " + io_error_text(hec));
    }
    co_return fail("TLS handshake failed: " + hec.message());
  }
  co_return co_await exchange(stream, a, fetch, request);
}

// --- TLS context ------------------------------------------------------------------------------

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

// Everything an attempt reads; shared with its coroutine, which may outlive the probe.
struct Plan {
  asio::io_context* io = nullptr;
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

Outcome verdict_of(bool success, std::string reason, bool timed_out = false) {
  Outcome o;
  o.success = success;
  o.reason = std::move(reason);
  o.timed_out = timed_out;
  return o;
}

void finish(const std::shared_ptr<Attempt>& a, Probe::Done& done, Outcome outcome) {
  if (a->ended) return;
  a->stop();
  auto callback = std::move(done);
  callback(std::move(outcome));
}

asio::awaitable<void> run_attempt(std::shared_ptr<Attempt> a, std::shared_ptr<const Plan> plan,
                                  Probe::Done done) {
  // co_spawn enters the coroutine inline when start() runs on the loop's thread; `done` must
  // never run inside start(), so the attempt begins on the next turn of the loop.
  co_await asio::post(a->io, asio::use_awaitable);
  if (a->ended) co_return;
  if (!plan->setup_error.empty()) {
    finish(a, done, verdict_of(false, plan->setup_error));
    co_return;
  }
  int last_status = 0;
  for (const auto& u : plan->urls) {
    auto response = co_await get_once(a, u.fetch, u.request, plan->tls);
    if (a->ended) co_return;
    if (!response) {
      finish(a, done,
             verdict_of(false, fmt::format("GET {}: {}", u.url.path, response.error().message),
                        a->expired));
      co_return;
    }
    error_code ignored;
    a->socket.close(ignored);
    if (auto verdict = judge(u, *response); !verdict.empty()) {
      finish(a, done, verdict_of(false, fmt::format("GET {}: {}", u.url.path, verdict)));
      co_return;
    }
    last_status = response->status;
  }
  const std::string reason = plan->urls.size() == 1 ? fmt::format("HTTP status {}", last_status)
                             : plan->urls.empty()
                                 ? std::string("no url to check")
                                 : fmt::format("{} urls passed", plan->urls.size());
  finish(a, done, verdict_of(true, reason));
}

asio::awaitable<void> fetch_into(std::shared_ptr<Attempt> a, HttpFetch fetch,
                                 std::shared_ptr<ssl::context> tls,
                                 std::optional<Result<HttpResponse>>* out) {
  const std::string request = http_request_text(fetch);
  *out = co_await get_once(a, fetch, request, std::move(tls));
  a->stop();
}

class HttpProbe final : public Probe {
 public:
  HttpProbe(asio::io_context& io, Target target, HttpOptions options) : io_(io) {
    auto plan = std::make_shared<Plan>();
    plan->io = &io;
    plan->target = std::move(target);
    plan->options = std::move(options);
    if (plan->options.check.ssl) {
      if (auto tls = make_tls_context(plan->options.ssl)) {
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
    plan_ = std::move(plan);
  }
  ~HttpProbe() override { cancel(); }

  void start(Done done) override {
    cancel();
    attempt_ = std::make_shared<Attempt>(io_);
    attempt_->arm(plan_->target.connect_timeout);
    asio::co_spawn(io_, run_attempt(attempt_, plan_, std::move(done)), asio::detached);
  }

  void cancel() override {
    if (!attempt_) return;
    attempt_->stop();
    attempt_.reset();
  }

  std::string_view kind() const override {
    return plan_->options.check.ssl ? "SSL_GET" : "HTTP_GET";
  }

 private:
  asio::io_context& io_;
  std::shared_ptr<const Plan> plan_;
  std::shared_ptr<Attempt> attempt_;
};

}  // namespace

std::string md5_hex(std::string_view data) {
  auto ctx = md5_begin();
  EVP_DigestUpdate(ctx.get(), data.data(), data.size());
  return md5_end(ctx.get());
}

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
  return std::make_unique<HttpProbe>(io, std::move(target), std::move(options));
}

Result<HttpResponse> http_fetch_blocking(const HttpFetch& fetch, const config::SslConfig* ssl) {
  std::shared_ptr<ssl::context> tls;
  if (fetch.ssl) {
    auto made = make_tls_context(ssl);
    if (!made) return tl::unexpected(made.error());
    tls = std::move(*made);
  }
  asio::io_context io;
  auto a = std::make_shared<Attempt>(io);
  a->arm(fetch.target.connect_timeout);
  std::optional<Result<HttpResponse>> result;
  asio::co_spawn(io, fetch_into(a, fetch, tls, &result), asio::detached);
  io.run();
  if (!result) return fail("the fetch did not finish");
  return std::move(*result);
}

}  // namespace halo::check
