// A scriptable HTTP(S) server for the HTTP_GET/SSL_GET and genhash tests: it listens on
// 127.0.0.1 (inside the test's NetnsSandbox) on the test's own io_context, reads each request
// to its blank line, records it, then behaves as told: answer some bytes (and close, or keep the
// connection open), say nothing, close at once, or reset. With a TLS context it does the TLS
// handshake first and records the SNI name the client sent.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace halo::testing {

enum class ServerMode { Respond, Silent, Close, Reset };

struct ServerScript {
  ServerMode mode = ServerMode::Respond;
  std::string reply;       // Respond: these bytes
  bool keep_open = false;  // Respond: do not close after the reply
  bool unasked = false;    // Respond: at once, without reading a request
};

inline ServerScript respond(std::string reply, bool keep_open = false) {
  ServerScript s;
  s.reply = std::move(reply);
  s.keep_open = keep_open;
  return s;
}
inline ServerScript behave(ServerMode mode) {
  ServerScript s;
  s.mode = mode;
  return s;
}

class TestHttpServer {
 public:
  TestHttpServer(boost::asio::io_context& io, ServerScript script,
                 boost::asio::ssl::context* tls = nullptr)
      : io_(io), acceptor_(io), script_(std::move(script)), tls_(tls) {
    using boost::asio::ip::tcp;
    const tcp::endpoint local(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(local.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(local);
    acceptor_.listen();
    boost::asio::co_spawn(io_, accept_loop(this), boost::asio::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void set_script(ServerScript script) { script_ = std::move(script); }

  std::vector<std::string> requests;  // each request as received, up to its blank line
  std::string sni;                    // the SNI name of the last TLS handshake
  int connections = 0;

 private:
  using Socket = boost::asio::ip::tcp::socket;
  static constexpr auto kAwait = boost::asio::as_tuple(boost::asio::use_awaitable);

  static boost::asio::awaitable<void> accept_loop(TestHttpServer* self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor_.async_accept(kAwait);
      if (ec) co_return;
      ++self->connections;
      boost::asio::co_spawn(self->io_, serve(self, std::move(socket)), boost::asio::detached);
    }
  }

  static boost::asio::awaitable<void> serve(TestHttpServer* self, Socket socket) {
    if (self->tls_ == nullptr) {
      co_await converse(self, socket, socket);
      co_return;
    }
    boost::asio::ssl::stream<Socket&> tls(socket, *self->tls_);
    auto [ec] = co_await tls.async_handshake(boost::asio::ssl::stream_base::server, kAwait);
    if (ec) co_return;
    const char* name = SSL_get_servername(tls.native_handle(), TLSEXT_NAMETYPE_host_name);
    self->sni = name != nullptr ? name : "";
    co_await converse(self, tls, socket);
  }

  template <class Stream>
  static boost::asio::awaitable<void> converse(TestHttpServer* self, Stream& stream,
                                               Socket& socket) {
    const ServerScript script = self->script_;
    if (!script.unasked) {
      std::string request;
      auto buffer = boost::asio::dynamic_buffer(request);
      auto [ec, n] = co_await boost::asio::async_read_until(stream, buffer, "\r\n\r\n", kAwait);
      if (ec) co_return;
      self->requests.push_back(request.substr(0, n));
    }
    switch (script.mode) {
      case ServerMode::Respond: {
        auto [wec, written] =
            co_await boost::asio::async_write(stream, boost::asio::buffer(script.reply), kAwait);
        (void)wec;
        (void)written;
        if (script.keep_open) self->held_.push_back(std::move(socket));
        break;
      }
      case ServerMode::Silent:
        self->held_.push_back(std::move(socket));
        break;
      case ServerMode::Close:
        break;
      case ServerMode::Reset: {
        boost::system::error_code ignored;
        socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
        break;
      }
    }
  }

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ServerScript script_;
  boost::asio::ssl::context* tls_;
  std::vector<Socket> held_;
};

// A throw-away self-signed certificate and key (openssl req) in a fresh temp directory, and a
// server TLS context that uses them.
class TestCertificate {
 public:
  TestCertificate() {
    char dir_template[] = "/tmp/halo-http-test-XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test"
        " -keyout " +
        key() + " -out " + cert() + " >/dev/null 2>&1";
    ok_ = std::system(cmd.c_str()) == 0;  // NOLINT(cert-env33-c): test set-up only
  }
  ~TestCertificate() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;

  bool ok() const { return ok_; }
  std::string cert() const { return dir_ + "/cert.pem"; }
  std::string key() const { return dir_ + "/key.pem"; }

  std::unique_ptr<boost::asio::ssl::context> server_context() const {
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    ctx->use_certificate_chain_file(cert());
    ctx->use_private_key_file(key(), boost::asio::ssl::context::pem);
    return ctx;
  }

 private:
  std::string dir_;
  bool ok_ = false;
};

}  // namespace halo::testing
