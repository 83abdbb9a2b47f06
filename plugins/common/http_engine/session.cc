#include "session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <type_traits>

#include "cors.h"
#include "exchange.h"
#include "gzip.h"
#include "http_syntax.h"
#include "problem.h"
#include "request_target.h"
#include "response_head.h"

namespace hyperion::http_engine {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Headers the server owns; a handler's own values for them are dropped.
bool server_owned(std::string_view name) {
  return name == "content-length" || name == "transfer-encoding" || name == "connection" || name == "keep-alive";
}

bool sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

std::string peer_of(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  std::string address = ep.address().to_string();
  if (ep.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(ep.port());
}

template <class Stream>
class Session final : public SessionBase, public ExchangeWaker, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(Engine& engine, tcp::socket&& socket, std::shared_ptr<net::ssl::context> tls)
      : engine_(engine), tls_(std::move(tls)), stream_(make_stream(std::move(socket), tls_.get())) {}

  ~Session() override { engine_.untrack(handle_); }

  void run() {
    handle_ = engine_.track(this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void close_when_idle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      if (self->idle()) self->close();
    });
  }

  void close_now() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      self->connection_failed();
    });
  }

 private:
  static Stream make_stream(tcp::socket&& socket, net::ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(PlainStream(std::move(socket)), *tls);
    } else {
      (void)tls;
      return Stream(std::move(socket));
    }
  }
  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }

  // --- deadlines ---
  // A deadline is a number the engine's sweeper (engine.h) compares with the
  // clock every tick: setting one costs a store, not a timer. When it passes,
  // on_deadline runs on the strand and acts on the phase it was set for.
  enum class Phase { kHandshake, kIdle, kHeader, kBody, kHandler, kWriting, kOther };
  void set_deadline(Phase phase, std::chrono::milliseconds after) {
    phase_ = phase;
    phase_deadline_ = std::chrono::steady_clock::now() + after;
    deadline_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(phase_deadline_.time_since_epoch()).count(),
                       std::memory_order_relaxed);
  }
  // What make_room() reads to find the slowest client (engine.h).
  void mark_header_pending(bool pending) {
    header_since_ns_.store(pending ? std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::steady_clock::now().time_since_epoch())
                                         .count()
                                   : 0,
                           std::memory_order_relaxed);
  }
  void clear_deadline(Phase phase) {
    phase_ = phase;
    phase_deadline_ = std::chrono::steady_clock::time_point::max();
    deadline_ns_.store(INT64_MAX, std::memory_order_relaxed);
  }

  // ExchangeWaker: the handler did something from another thread.
  void wake() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->look(); });
  }

  void deadline_passed() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->closed_ || std::chrono::steady_clock::now() < self->phase_deadline_) return;  // moved on meanwhile
      self->on_deadline();
    });
  }

  void on_deadline() {
    beast::error_code ignored;
    switch (phase_) {
      case Phase::kHandler:
        if (exchange_ && !answered_) {
          exchange_->abandon();
          exchange_->cancel();
          closing_ = true;
          answer_problem(503, "the handler did not answer within handler_timeout_ms");
        }
        return;
      case Phase::kOther: return;
      default:
        // A read or write is pending: cancel it; its completion sees timed_out_.
        timed_out_ = true;
        socket().cancel(ignored);
        return;
    }
  }

  // Each request is served with the settings of the moment it began.
  void refresh_settings() {
    uint64_t version = engine_.settings_version();
    if (version == settings_version_) return;
    settings_version_ = version;
    settings_ = engine_.settings();
  }

  void begin() {
    peer_ = peer_of(socket());
    refresh_settings();
    if constexpr (kTls) {
      set_deadline(Phase::kHandshake, settings_->header_timeout);
      mark_header_pending(true);
      stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->mark_header_pending(false);
        if (ec) return self->close();
        self->wait_request();
      });
    } else {
      wait_request();
    }
  }

  // Between requests: wait (idle_timeout) for the first byte of the next one.
  void wait_request() {
    if (closing_ || dead_) return close();
    refresh_settings();
    parser_.emplace();
    parser_->header_limit(settings_->max_header_bytes);
    parser_->body_limit(settings_->max_body_bytes);
    parser_->eager(true);
    if (buffer_.size() > 0) return parse();  // pipelined: the next request is here already
    idle_.store(true, std::memory_order_release);
    set_deadline(Phase::kIdle, settings_->idle_timeout);
    read_more();
  }

  void read_more() {
    stream_.async_read_some(buffer_.prepare(8192), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->idle_.store(false, std::memory_order_release);
      if (ec) return self->read_failed(ec);
      self->buffer_.commit(n);
      self->parse();
    });
  }

  // Feeds what arrived to the parser: the header is checked as soon as it is
  // whole, the request served as soon as it is complete.
  void parse() {
    if (phase_ != Phase::kHeader && phase_ != Phase::kBody) {  // the first bytes of a request
      started_ = std::chrono::steady_clock::now();
      set_deadline(Phase::kHeader, settings_->header_timeout);
      mark_header_pending(true);
    }
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) return read_failed(ec);
      if (phase_ == Phase::kHeader && parser_->is_header_done()) {
        mark_header_pending(false);
        if (!on_header()) return;  // answered an error, or a 100 Continue is on its way
        set_deadline(Phase::kBody, settings_->body_timeout);
      }
      if (used == 0) break;
    }
    if (parser_->is_done()) {
      clear_deadline(Phase::kHandler);
      return on_request();
    }
    read_more();
  }

  void read_failed(beast::error_code ec) {
    if (dead_ || closed_) return close();
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) return close();  // nothing begun: nothing to answer
    begin_request_record();
    if (timed_out_) {
      closing_ = true;
      return answer_problem(408, phase_ == Phase::kBody
                                     ? "the body did not arrive within body_timeout_ms"
                                     : "the request line and headers did not arrive within header_timeout_ms");
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == net::ssl::error::stream_truncated) {
      return close();
    }
    closing_ = true;
    if (ec == http::error::header_limit) {
      return answer_problem(431, "request line and headers exceed max_header_bytes (" +
                                     std::to_string(settings_->max_header_bytes) + ")");
    }
    if (ec == http::error::body_limit) {
      return answer_problem(413, "the body exceeds max_body_bytes (" + std::to_string(settings_->max_body_bytes) + ")");
    }
    if (ec == http::error::bad_version) return answer_problem(505, "only HTTP/1.0 and HTTP/1.1 are served");
    answer_problem(400, "malformed request: " + ec.message());
  }

  // Checks a complete header; false when it was answered (an error) or the
  // body waits for a 100 Continue to be written.
  bool on_header() {
    auto& req = parser_->get();
    begin_request_record();
    keep_alive_ = req.keep_alive();
    if (req.target().size() > settings_->max_request_line_bytes) {
      closing_ = true;
      answer_problem(414, "the request target exceeds max_request_line_bytes (" +
                              std::to_string(settings_->max_request_line_bytes) + ")");
      return false;
    }
    size_t count = 0;
    for (const auto& f : req) {
      ++count;
      // "name: value\r\n": one line, bounded like the request line.
      if (f.name_string().size() + f.value().size() + 4 > settings_->max_request_line_bytes) {
        closing_ = true;
        answer_problem(431, "the header field " + std::string(f.name_string().substr(0, 64)) +
                                " exceeds max_request_line_bytes (" +
                                std::to_string(settings_->max_request_line_bytes) + ")");
        return false;
      }
    }
    if (count > settings_->max_header_count) {
      closing_ = true;
      answer_problem(431, std::to_string(count) + " header fields exceed max_header_count (" +
                              std::to_string(settings_->max_header_count) + ")");
      return false;
    }
    if (req.version() != 11 && req.version() != 10) {
      closing_ = true;
      answer_problem(505, "only HTTP/1.0 and HTTP/1.1 are served");
      return false;
    }
    if (req.version() == 11 && req.find(http::field::host) == req.end()) {
      closing_ = true;
      answer_problem(400, "an HTTP/1.1 request needs a Host header");
      return false;
    }
    if (settings_->require_length && !parser_->content_length() && !parser_->chunked() &&
        (req.method() == http::verb::post || req.method() == http::verb::put || req.method() == http::verb::patch)) {
      closing_ = true;
      answer_problem(411, std::string(req.method_string()) + " needs a Content-Length (or a chunked body)");
      return false;
    }
    auto expect = req.find(http::field::expect);
    if (expect == req.end() || !beast::iequals(expect->value(), "100-continue") || parser_->is_done()) return true;
    continue_line_ = "HTTP/1.1 100 Continue\r\n\r\n";
    writing_ = true;
    set_deadline(Phase::kWriting, settings_->write_timeout);
    net::async_write(stream_, net::buffer(continue_line_),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec) return self->connection_failed();
                       self->set_deadline(Phase::kBody, self->settings_->body_timeout);
                       self->parse();
                     });
    return false;
  }

  // What the log line and metrics of this request need, before anything can fail.
  void begin_request_record() {
    status_ = 0;
    bytes_out_ = 0;
    recorded_ = false;
    route_.clear();
    server_error_.clear();
    request_ = std::make_shared<Request>();
    request_->received = started_;
    request_->received_unix_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    request_->peer = peer_;
    if (parser_) {
      const auto& req = parser_->get();
      request_->method = std::string(req.method_string());
      request_->target = std::string(req.target());
      version_ = req.version() == 10 ? 10 : 11;
    }
  }

  void on_request() {
    auto& req = parser_->get();
    Request& r = *request_;
    r.headers.reserve(static_cast<size_t>(std::distance(req.begin(), req.end())));
    for (const auto& f : req) {
      r.headers.emplace_back(to_lower(f.name_string()), std::string(f.value()));
    }
    r.body = std::move(req.body());
    r.incoming_traceparent = header_value(r.headers, "traceparent");
    std::string_view given_id = header_value(r.headers, "x-request-id");
    r.request_id = sane_request_id(given_id) ? std::string(given_id) : plugins::random_hex(32);
    r.deadline_ns =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  (std::chrono::steady_clock::now() + settings_->handler_timeout).time_since_epoch())
                                  .count());
    std::string_view target = r.target;
    if (target == "*" && r.method == "OPTIONS") {
      return answer_empty(204, {{"allow", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"}});
    }
    RequestTarget parsed;
    std::string error;
    if (!parse_target(target, parsed, error)) return answer_problem(400, error);
    r.path = std::move(parsed.path);
    r.query = std::move(parsed.query);
    RouteMatch match =
        engine_.table().find(r.method, header_value(r.headers, "host"), parsed.raw_path, r.method == "OPTIONS");
    if (match.outcome == RouteMatch::Outcome::kNoRoute) return answer_unrouted(match);
    if (is_preflight(r.method, r.headers)) {
      PreflightAnswer a = answer_preflight(settings_->cors, r.headers, match.allow);
      if (a.status != 204) return answer_problem(a.status, a.detail, std::move(a.headers));
      return answer_empty(204, std::move(a.headers));
    }
    if (r.method == "OPTIONS") return answer_empty(204, {{"allow", comma_list(match.allow)}});
    if (match.outcome == RouteMatch::Outcome::kNoMethod) return answer_unrouted(match);
    run_handler(std::move(match));
  }

  void run_handler(RouteMatch match) {
    // A registration removed between the lookup and here (a swap or an
    // unregister) refuses new exchanges: look again, the next one serves.
    std::shared_ptr<Exchange> ex;
    for (int attempt = 0; attempt < 3 && match.outcome == RouteMatch::Outcome::kFound; ++attempt) {
      request_->params = std::move(match.params);
      // The exchange keeps the session alive until the handler ended it
      // (maybe_finish detaches it, breaking the cycle).
      auto candidate = std::make_shared<Exchange>(request_, match.registration, this->shared_from_this());
      if (match.registration->begin(candidate.get())) {
        ex = std::move(candidate);
        break;
      }
      candidate->detach();
      match = engine_.table().find(request_->method, header_value(request_->headers, "host"),
                                   std::string_view(request_->target).substr(0, request_->target.find('?')));
    }
    if (!ex) return answer_unrouted(match);
    route_ = ex->registration().path().text;
    if (const hyperion::trace::Tracer* tracer = engine_.observer().tracer()) {
      request_->span =
          tracer->start(request_->method + " " + route_, HYPERION_SPAN_SERVER, request_->incoming_traceparent,
                        header_value(request_->headers, "tracestate"), request_->received_unix_ns);
      request_->span_started = true;
    }
    exchange_ = ex;
    handler_ended_ = false;
    answered_ = false;
    std::string what;
    if (!ex->run_on_request(what)) {
      engine_.observer().handler_failed(route_, what);
      server_error_ = "the handler threw: " + what;
    }
    look();
    if (exchange_ && !answered_) set_deadline(Phase::kHandler, settings_->handler_timeout);
  }

  // The handler did something (or was cancelled): act on it.
  void look() {
    if (!exchange_) return;
    std::shared_ptr<Exchange> ex = exchange_;
    ExchangeOutput out = ex->take();
    if (out.cancel_requested) ex->run_on_cancel();
    if (out.ended) handler_ended_ = true;
    if (out.has_head && !answered_) {
      if (out.stream) {
        start_stream(out.status, std::move(out.headers));
      } else {
        answer(out.status, std::move(out.headers), std::move(out.body));
      }
    }
    if (streaming_) {
      for (auto& c : out.chunks) chunks_.push_back(std::move(c));
      pump();
    }
    if (handler_ended_ && !answered_) {
      answer_problem(500, "the handler failed without answering");
    }
    maybe_finish();
  }

  // --- answers ---
  // 404 when no template matches, 405 with Allow when one does but not the method.
  void answer_unrouted(const RouteMatch& match) {
    if (match.outcome == RouteMatch::Outcome::kNoMethod) {
      return answer_problem(405, request_->method + " is not served on " + request_->path,
                            {{"allow", comma_list(match.allow)}});
    }
    answer_problem(404, "no route serves " + request_->path);
  }

  void answer_problem(int status, const std::string& detail, Fields headers = {}) {
    if (status >= 500 && server_error_.empty()) server_error_ = detail;
    headers.emplace_back("content-type", std::string(kProblemContentType));
    answer(status, std::move(headers), problem_body(status, detail, request_ ? request_->path : std::string()));
  }

  void answer_empty(int status, Fields headers) { answer(status, std::move(headers), {}); }

  void answer(int status, Fields headers, std::string body) {
    answered_ = true;
    if (!request_) begin_request_record();
    const Settings& s = *settings_;
    if (status == 204 || status == 304) body.clear();
    bool has_encoding = !header_value(headers, "content-encoding").empty();
    bool gzipped = false;
    if (s.gzip && !has_encoding && body.size() >= s.gzip_min_bytes && body.size() > 0 &&
        accepts_gzip(header_value(request_->headers, "accept-encoding")) &&
        compressible(header_value(headers, "content-type"))) {
      std::string packed;
      if (gzip_compress(body, packed)) {
        body = std::move(packed);
        gzipped = true;
      }
    }
    head_.begin(version_, status);
    write_fields(headers);
    if (gzipped) {
      head_.field("content-encoding", "gzip");
      head_.field("vary", "Accept-Encoding");
    }
    // HEAD: the length GET would send, and no body.
    bool no_length = status == 204 || status == 304;
    head_.end(no_length ? -1 : static_cast<int64_t>(body.size()), false, keep_alive_ && !closing_);
    bytes_out_ = request_->head() ? 0 : body.size();
    if (request_->head()) body.clear();
    body_ = std::move(body);
    status_ = status;
    writing_ = true;
    set_deadline(Phase::kWriting, s.write_timeout);
    std::array<net::const_buffer, 2> pieces{net::buffer(head_.text()), net::buffer(body_)};
    net::async_write(stream_, pieces, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->clear_deadline(Phase::kOther);
      self->writing_ = false;
      self->response_done_ = true;
      if (ec) return self->connection_failed();
      self->maybe_finish();
    });
  }

  // The handler's headers (minus those the server owns) and the server's own.
  void write_fields(const Fields& headers) {
    for (const auto& [name, value] : headers) {
      if (!server_owned(name)) head_.field(name, value);
    }
    const Request& r = *request_;
    if (!r.request_id.empty() && header_value(headers, "x-request-id").empty()) {
      head_.field("x-request-id", r.request_id);
    }
    std::string_view origin = header_value(r.headers, "origin");
    if (!origin.empty() && header_value(headers, "access-control-allow-origin").empty()) {
      Fields cors;
      add_cors_headers(settings_->cors, origin, cors);
      for (const auto& [name, value] : cors) head_.field(name, value);
    }
  }

  void start_stream(int status, Fields headers) {
    answered_ = true;
    streaming_ = true;
    // HTTP/1.0 has no chunked encoding: the body runs until the connection closes.
    unframed_stream_ = version_ == 10 && !request_->head();
    if (unframed_stream_) closing_ = true;
    head_.begin(version_, status);
    write_fields(headers);
    head_.end(-1, !request_->head() && !unframed_stream_, keep_alive_ && !closing_);
    status_ = status;
    writing_ = true;
    set_deadline(Phase::kWriting, settings_->write_timeout);
    net::async_write(stream_, net::buffer(head_.text()),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->clear_deadline(Phase::kOther);
                       self->writing_ = false;
                       self->head_written_ = true;
                       if (ec) return self->connection_failed();
                       if (self->request_->head()) {
                         self->response_done_ = true;  // no body for HEAD: the stream's pieces are dropped
                         self->chunks_.clear();
                       }
                       self->pump();
                       self->maybe_finish();
                     });
  }

  // Writes what a stream has queued; the last chunk once the handler ended it.
  void pump() {
    if (writing_ || !streaming_ || !head_written_ || response_done_ || dead_) return;
    out_buffer_.clear();
    for (const auto& c : chunks_) {
      if (unframed_stream_) {
        out_buffer_.append(c);
      } else {
        char size[20];
        int n = std::snprintf(size, sizeof size, "%zx\r\n", c.size());
        out_buffer_.append(size, static_cast<size_t>(n)).append(c).append("\r\n");
      }
      bytes_out_ += c.size();
    }
    chunks_.clear();
    bool last = handler_ended_;
    if (last && !unframed_stream_) out_buffer_.append("0\r\n\r\n");
    if (last && unframed_stream_ && out_buffer_.empty()) {
      response_done_ = true;  // the body ends where the connection does
      return;
    }
    if (out_buffer_.empty()) return;
    writing_ = true;
    set_deadline(Phase::kWriting, settings_->write_timeout);
    net::async_write(stream_, net::buffer(out_buffer_),
                     [self = this->shared_from_this(), last](beast::error_code ec, size_t) {
                       self->clear_deadline(Phase::kOther);
                       self->writing_ = false;
                       if (ec) return self->connection_failed();
                       if (last) self->response_done_ = true;
                       self->pump();
                       self->maybe_finish();
                     });
  }

  // The client is gone (or we are closing hard): nothing more is written.
  void connection_failed() {
    dead_ = true;
    response_done_ = true;
    if (exchange_ && !handler_ended_) {
      if (!answered_) status_ = 499;
      answered_ = true;
      exchange_->abandon();
      exchange_->cancel();
    }
    close();
    maybe_finish();
  }

  // OpenTelemetry's semantic conventions for an HTTP server span.
  void end_span(const RequestRecord& rec) {
    hyperion::trace::Span& span = request_->span;
    if (!span.recording()) return;
    const std::string_view target = request_->target;
    span.set("http.request.method", request_->method)
        .set("url.path", target.substr(0, target.find('?')))
        .set("http.route", route_)
        .set("http.response.status_code", static_cast<int64_t>(rec.status));
    if (!request_->peer.empty()) span.set("client.address", request_->peer);
    if (rec.status >= 500)
      span.error(rec.error.empty() ? "HTTP " + std::to_string(rec.status) : std::string(rec.error));
    span.end();
  }

  void record() {
    if (recorded_ || !request_) return;
    recorded_ = true;
    RequestRecord rec;
    rec.method = request_->method;
    rec.target = request_->target;
    rec.route = route_;
    rec.status = status_;
    rec.bytes_out = bytes_out_;
    rec.duration = std::chrono::steady_clock::now() - started_;
    rec.peer = peer_;
    rec.request_id = request_->request_id;
    rec.request = request_.get();
    std::string note = exchange_ ? exchange_->error_note() : std::string();
    rec.error = note.empty() ? std::string_view(server_error_) : std::string_view(note);
    end_span(rec);
    engine_.observer().request_finished(rec);
  }

  // After an answer: end the exchange once both sides are done, then go on.
  void maybe_finish() {
    if (writing_ || !response_done_) return;
    record();
    if (exchange_) {
      if (!handler_ended_) return;  // the handler still owes respond/end_stream
      std::shared_ptr<Exchange> ex = std::move(exchange_);
      ex->detach();
      ex->run_on_done();
    }
    // Ready for the next request.
    response_done_ = false;
    streaming_ = false;
    unframed_stream_ = false;
    head_written_ = false;
    answered_ = false;
    request_.reset();
    parser_.reset();
    if (dead_ || closing_ || !keep_alive_) return close();
    wait_request();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    idle_.store(false, std::memory_order_release);
    mark_header_pending(false);
    clear_deadline(Phase::kOther);
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  Engine& engine_;
  std::shared_ptr<net::ssl::context> tls_;
  Stream stream_;
  Phase phase_ = Phase::kOther;
  std::chrono::steady_clock::time_point phase_deadline_ = std::chrono::steady_clock::time_point::max();
  Engine::Handle handle_{};
  std::shared_ptr<const Settings> settings_;
  uint64_t settings_version_ = 0;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool timed_out_ = false;

  // The request being served.
  std::chrono::steady_clock::time_point started_{};
  std::shared_ptr<Request> request_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string route_;
  std::shared_ptr<Exchange> exchange_;
  bool handler_ended_ = false;
  bool answered_ = false;
  int status_ = 0;
  uint64_t bytes_out_ = 0;
  bool recorded_ = false;
  std::string server_error_;  // why the server answered 5xx itself

  // Writing its answer.
  bool writing_ = false;
  bool response_done_ = false;
  ResponseHead head_;  // reused: no allocation per answer once grown
  std::string body_;
  std::string continue_line_;
  bool streaming_ = false;
  bool unframed_stream_ = false;  // HTTP/1.0: the stream's end is the connection's
  bool head_written_ = false;
  std::vector<std::string> chunks_;
  std::string out_buffer_;

  bool closing_ = false;  // no request after the current one
  bool dead_ = false;     // the connection failed: nothing more is written
  bool closed_ = false;
};

}  // namespace

void start_session(Engine& engine, tcp::socket socket, const std::shared_ptr<net::ssl::context>& tls) {
  if (tls) {
    std::make_shared<Session<TlsStream>>(engine, std::move(socket), tls)->run();
  } else {
    std::make_shared<Session<PlainStream>>(engine, std::move(socket), nullptr)->run();
  }
}

}  // namespace hyperion::http_engine
