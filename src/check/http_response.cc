// See http_response.h.
#include "check/http_response.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include "check/socket_setup.h"

namespace halo::check::detail {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

constexpr std::size_t kMaxHead = std::size_t{64} * 1024;
constexpr std::uint64_t kMaxBody = std::uint64_t{16} * 1024 * 1024;
constexpr std::string_view kEndOfHead = "\r\n\r\n";

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

// Lower-case hex of the digest `ctx` has computed.
std::string md5_text(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{2} * len);
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string io_error_text(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::broken_pipe) return "connection reset (broken pipe)";
  if (ec == asio::error::network_unreachable) return "network unreachable";
  if (ec == asio::error::host_unreachable) return "host unreachable";
  if (ec == asio::error::timed_out) return "connection timed out";
  return error_words(ec);
}

std::string timeout_text(Duration limit, std::string_view what) {
  return fmt::format("{} within {}", what, duration_text(limit));
}

ResponseReader::ResponseReader(const HttpFetch& fetch) : fetch_(fetch) {
  if (fetch.digest) {
    md5_.reset(EVP_MD_CTX_new());
    EVP_DigestInit_ex(md5_.get(), EVP_md5(), nullptr);
  }
}

Result<void> ResponseReader::feed(std::string_view data) {
  received_ += data.size();
  if (head_done_) return add_body(data);
  // The usual case, a whole header in the first bytes, is parsed where it lies; only a header
  // that arrives in pieces is gathered in head_.
  std::string_view head;
  std::size_t used = 0;
  if (head_.empty()) {
    if (const auto end = data.find(kEndOfHead); end != std::string_view::npos) {
      used = end + kEndOfHead.size();
      head = data.substr(0, used);
    }
  }
  if (head.empty()) {
    const std::size_t before = head_.size();
    const std::size_t from = before > 3 ? before - 3 : 0;
    head_.append(data);
    const auto end = head_.find(kEndOfHead, from);
    if (end == std::string::npos) {
      if (head_.size() > kMaxHead) return fail("HTTP response header larger than 64 KiB");
      return {};
    }
    head_.resize(end + kEndOfHead.size());
    used = head_.size() - before;
    head = head_;
  }
  if (head.size() > kMaxHead + kEndOfHead.size()) {
    return fail("HTTP response header larger than 64 KiB");
  }
  StatusParser parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxHead + kEndOfHead.size()));
  parser.eager(false);
  parser.body_limit(boost::none);  // the body is not Beast's to read: ours is 16 MiB
  error_code ec;
  parser.put(asio::buffer(head.data(), head.size()), ec);
  if (ec && ec != http::error::need_more) {
    return fail("malformed HTTP response: " + ec.message());
  }
  if (!parser.is_header_done()) return fail("malformed HTTP response header");
  status_ = parser.status();
  if (auto length = parser.content_length()) content_length_ = *length;
  if (fetch_.keep_head && head_.empty()) head_.assign(head);
  head_done_ = true;
  return add_body(data.substr(used));
}

Result<HttpResponse> ResponseReader::finish() {
  if (!head_done_) {
    if (received_ == 0) return fail("connection closed without a response");
    return fail(
        fmt::format("no HTTP response: the connection closed after {} bytes without "
                    "the end of a header",
                    received_));
  }
  HttpResponse r;
  r.status = status_;
  if (md5_) r.digest = md5_text(md5_.get());
  r.body_bytes = body_bytes_;
  r.body = std::move(body_);
  if (fetch_.keep_head) r.head = std::move(head_);
  return r;
}

Result<void> ResponseReader::add_body(std::string_view data) {
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

}  // namespace halo::check::detail

namespace halo::check {

std::string md5_hex(std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx.get(), data.data(), data.size());
  return detail::md5_text(ctx.get());
}

}  // namespace halo::check
