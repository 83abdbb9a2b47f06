// Gateway::aggregate: one request fanned out to several upstreams and composed
// into one JSON object. Parts that need no other part's result start at once,
// in parallel; a part that uses "${other.x}" starts when `other` has answered.
// A failing part fails the request (on_error: fail, the default; the answer
// is the part's status as a problem naming it), is left out (omit) or is null
// (null); a part whose needed result is missing fails the same way.
// The answer is sent only once no part is in flight (a failure cancels the
// gRPC parts still running and starts no more): the exchange stays open while
// any upstream call of it runs, so the gateway's stop — which waits for its
// exchanges — never leaves a call behind that would land in a stopped plugin.
#include <memory>
#include <mutex>
#include <optional>

#include "api_gateway.h"
#include "forward.h"
#include "grpc_code_names.h"
#include "grpc_to_http.h"

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;
using Part = RouteSpec::Part;

struct PartError {
  int status = 502;
  std::string detail;
  std::string grpc_code;  // empty for HTTP parts
};

class Aggregation : public std::enable_shared_from_this<Aggregation> {
 public:
  Aggregation(std::shared_ptr<const RouteTable> table, const RouteSpec& route, PathParams params,
              std::string traceparent, std::vector<std::pair<std::string, std::string>> identity,
              hyperion::grpc::Client* grpc, hyperion::http::Client* http, hyperion::http::Deferred answer,
              const GatewayMetrics& metrics, GatewayMetrics::Clock::time_point started)
      : table_(std::move(table)),
        route_(route),
        params_(std::move(params)),
        traceparent_(std::move(traceparent)),
        identity_(std::move(identity)),
        grpc_(grpc),
        http_(http),
        answer_(std::move(answer)),
        metrics_(metrics),
        started_at_(started),
        part_started_(route.parts.size()),
        started_(route.parts.size(), false) {}

  void start() {
    std::vector<size_t> ready;
    {
      std::lock_guard lock(mu_);
      ready = take_ready_locked();
    }
    for (size_t i : ready) launch(i);
  }

 private:
  // Parts not started whose needs have all answered (marked started and in
  // flight); none once a part has failed the request.
  std::vector<size_t> take_ready_locked() {
    std::vector<size_t> ready;
    if (failure_) return ready;
    for (size_t i = 0; i < route_.parts.size(); ++i) {
      if (started_[i]) continue;
      const auto& needs = route_.parts[i].needs;
      if (std::all_of(needs.begin(), needs.end(), [&](const std::string& n) { return answered_.contains(n); })) {
        started_[i] = true;
        part_started_[i] = GatewayMetrics::Clock::now();
        ++in_flight_;
        ready.push_back(i);
      }
    }
    return ready;
  }

  void launch(size_t i) {
    const Part& part = route_.parts[i];
    auto self = shared_from_this();
    try {
      PartResults results;
      {
        std::lock_guard lock(mu_);
        results = results_;
      }
      if (part.grpc) {
        const json::object empty;
        const std::string body =
            json::serialize(fill_template(part.grpc->body ? *part.grpc->body : empty, params_, &results));
        std::vector<FieldValue> fields;
        if (!part.grpc->body) {
          for (const auto& [name, value] : params_) fields.push_back({name, value, "path parameter " + name});
        }
        const std::string message = table_->config().catalog->request_bytes(part.grpc->method, body, fields);
        hyperion::grpc::CallOptions options;
        options.with_timeout(route_.timeout).with_traceparent(traceparent_);
        for (const auto& [k, v] : identity_) options.with_metadata(k, v);
        const uint64_t id =
            grpc_->unary_async(part.grpc->target, part.grpc->method.path, message, options,
                               [self, i](hyperion::grpc::Reply reply) { self->grpc_done(i, std::move(reply)); });
        std::lock_guard lock(mu_);
        if (!answered_.contains(part.name)) calls_[i] = id;
      } else {
        hyperion::http::client::Request request;
        request.url = fill_url(part.http_url, params_, &results);
        request.timeout = route_.timeout;
        request.traceparent = traceparent_;
        request.headers = identity_;
        request.headers.emplace_back("accept", "application/json");
        http_->request_async(request,
                             [self, i](hyperion::http::client::Result r) { self->http_done(i, std::move(r)); });
      }
    } catch (const MissingResult& e) {
      finish(i, std::nullopt, PartError{502, e.what(), ""});
    } catch (const std::invalid_argument& e) {
      finish(i, std::nullopt, PartError{400, e.what(), ""});
    } catch (const std::exception& e) {
      finish(i, std::nullopt, PartError{502, e.what(), ""});
    }
  }

  void grpc_done(size_t i, hyperion::grpc::Reply reply) {
    metrics_.upstream(route_.label, route_.parts[i].upstream, code_name(reply.code), part_started_[i], traceparent_);
    if (!reply.ok()) {
      const char* code = code_name(reply.code);
      finish(i, std::nullopt,
             PartError{http_status_of(reply.code), reply.message.empty() ? code : reply.message, code});
      return;
    }
    try {
      const Part& part = route_.parts[i];
      finish(
          i,
          json::parse(table_->config().catalog->reply_json(part.grpc->method, reply.response, table_->config().json)),
          {});
    } catch (const std::exception& e) {
      finish(i, std::nullopt, PartError{502, e.what(), ""});
    }
  }

  void http_done(size_t i, hyperion::http::client::Result r) {
    metrics_.upstream(route_.label, route_.parts[i].upstream,
                      r.status == HYPERION_OK ? std::to_string(r.response.status) : "error", part_started_[i],
                      traceparent_);
    if (r.status != HYPERION_OK) {
      finish(i, std::nullopt, PartError{r.status == HYPERION_ERR_DEADLINE_EXCEEDED ? 504 : 502, r.error, ""});
      return;
    }
    if (r.response.status >= 400) {
      finish(i, std::nullopt,
             PartError{r.response.status, "the upstream answered HTTP " + std::to_string(r.response.status), ""});
      return;
    }
    boost::system::error_code ec;
    json::value v = json::parse(r.response.body, ec);
    finish(i, ec ? json::value(r.response.body) : std::move(v), {});  // not JSON: the text
  }

  void finish(size_t i, std::optional<json::value> result, const PartError& error) {
    const Part& part = route_.parts[i];
    std::vector<size_t> ready;
    std::vector<uint64_t> cancel;
    {
      std::lock_guard lock(mu_);
      --in_flight_;
      calls_.erase(i);
      answered_.insert(part.name);
      if (failure_) {
        // The request has failed already: this part only had to end.
      } else if (result) {
        results_[part.name] = std::move(*result);
      } else if (part.on_error == Part::OnError::kNull) {
        results_[part.name] = nullptr;
      } else if (part.on_error == Part::OnError::kFail) {
        json::object extra{{"part", part.name}};
        if (!error.grpc_code.empty()) extra["grpc_code"] = error.grpc_code;
        failure_ = hyperion::http::Problem(error.status, "part " + part.name + ": " + error.detail, extra);
        for (const auto& [index, id] : calls_) cancel.push_back(id);
      }
      ready = take_ready_locked();
      if (in_flight_ == 0 && !done_) {
        done_ = true;
        // Metrics before the answer: once it is sent, the gateway may stop.
        metrics_.request(route_.label, failure_ ? failure_->status() : 200, started_at_);
        if (failure_) {
          answer_.problem(*failure_);
        } else {
          json::object composed;
          for (auto& [name, value] : results_) composed[name] = std::move(value);
          answer_.json(composed);
        }
      }
    }
    for (uint64_t id : cancel) grpc_->cancel(id);
    for (size_t r : ready) launch(r);
  }

  const std::shared_ptr<const RouteTable> table_;
  const RouteSpec& route_;  // lives as long as table_
  const PathParams params_;
  const std::string traceparent_;
  const std::vector<std::pair<std::string, std::string>> identity_;
  hyperion::grpc::Client* const grpc_;
  hyperion::http::Client* const http_;
  hyperion::http::Deferred answer_;
  const GatewayMetrics& metrics_;
  const GatewayMetrics::Clock::time_point started_at_;
  std::vector<GatewayMetrics::Clock::time_point> part_started_;
  std::mutex mu_;
  std::vector<bool> started_;
  std::set<std::string> answered_;
  PartResults results_;
  size_t in_flight_ = 0;
  std::map<size_t, uint64_t> calls_;  // gRPC parts in flight: their call ids, to cancel
  std::optional<hyperion::http::Problem> failure_;
  bool done_ = false;
};

}  // namespace

void Gateway::aggregate(const std::shared_ptr<const RouteTable>& table, const RouteSpec& route, const Claims& claims,
                        Started started, const hyperion::http::Request& request, hyperion::http::Response& response) {
  auto aggregation = std::make_shared<Aggregation>(
      table, route, path_params(route, request), std::string(request.traceparent()),
      forwarded_claims(table->config(), claims), grpc_.get(), http_.get(), response.defer(), metrics_, started);
  aggregation->start();
}

}  // namespace hyperion::plugins::api_gateway
