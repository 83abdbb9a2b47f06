#include "greeter.h"

#include "greeter_descriptors.h"
#include "hello/greeter.pb.h"

namespace greeter {
namespace {

namespace hg = hyperion::grpc;

hello::HelloRequest parse_request(std::string_view bytes) {
  hello::HelloRequest request;
  if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw hg::Failure(HYPERION_GRPC_INVALID_ARGUMENT, "not a hello.HelloRequest");
  }
  return request;
}

std::string reply(const std::string& message) {
  hello::HelloReply r;
  r.set_message(message);
  return r.SerializeAsString();
}

}  // namespace

Greeter::Greeter(hyperion::Context& ctx, const Settings& config)
    : ctx_(ctx), settings_(std::make_shared<const Settings>(config)) {}

std::shared_ptr<const Settings> Greeter::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

// The second build (greeter-v2.so, built from these sources with GREETER_V2)
// answers the same way and says so: the hot-swap demo and tests tell the two
// builds apart by it (docs/hot-swap.md).
#ifdef GREETER_V2
constexpr const char* kSignature = " (greeter v2)";
#else
constexpr const char* kSignature = "";
#endif

std::string Greeter::greet(const std::string& name) const {
  return settings()->greeting + ", " + (name.empty() ? std::string("stranger") : name) + "!" + kSignature;
}

void Greeter::start(hyperion::Deadline) {
  server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
  registrations_.push_back(server_->descriptors(
      std::string_view(reinterpret_cast<const char*>(greeter_descriptors), greeter_descriptors_size)));

  registrations_.push_back(server_->unary(
      "/hello.Greeter/SayHello", [this](hg::Call&, std::string_view request, std::string& response) {
        response = reply(greet(parse_request(request).name()));
        return hg::Status::ok();
      }));

  registrations_.push_back(server_->server_stream(
      "/hello.Greeter/SayHelloStream", [this](hg::Call& call, std::string_view request) {
        hello::HelloRequest r = parse_request(request);
        int count = r.count() == 0 ? 1 : r.count();
        if (count < 0 || count > settings()->max_stream_count) {
          return hg::Status{HYPERION_GRPC_OUT_OF_RANGE,
                            "count must be 1.." + std::to_string(settings()->max_stream_count)};
        }
        for (int i = 1; i <= count; ++i) {
          if (!call.send(reply(greet(r.name()) + " (" + std::to_string(i) + "/" + std::to_string(count) + ")"))) {
            return hg::Status{HYPERION_GRPC_CANCELLED, "the client went away"};
          }
        }
        return hg::Status::ok();
      }));

  // Client stream: greet every name at once when the client is done.
  class Collector : public hg::StreamHandler {
   public:
    explicit Collector(const Greeter& owner) : owner_(owner) {}
    void on_message(hg::Call&, std::string_view message) override { names_.push_back(parse_request(message).name()); }
    void on_half_close(hg::Call& call) override {
      std::string all;
      for (size_t i = 0; i < names_.size(); ++i) {
        all += (i == 0 ? "" : (i + 1 == names_.size() ? " and " : ", ")) + names_[i];
      }
      call.send(reply(owner_.greet(all)));
      call.finish(hg::Status::ok());
    }

   private:
    const Greeter& owner_;
    std::vector<std::string> names_;
  };
  registrations_.push_back(server_->client_stream(
      "/hello.Greeter/CollectHellos", [this](hg::Call&) { return std::make_unique<Collector>(*this); }));

  // Bidi: answer each name as it arrives.
  class Chat : public hg::StreamHandler {
   public:
    explicit Chat(const Greeter& owner) : owner_(owner) {}
    void on_message(hg::Call& call, std::string_view message) override {
      call.send(reply(owner_.greet(parse_request(message).name())));
    }
    void on_half_close(hg::Call& call) override { call.finish(hg::Status::ok()); }

   private:
    const Greeter& owner_;
  };
  registrations_.push_back(
      server_->bidi("/hello.Greeter/Chat", [this](hg::Call&) { return std::make_unique<Chat>(*this); }));
}

void Greeter::stop(hyperion::Deadline deadline) {
  // Newest first: the handlers, then the descriptors.
  hyperion::release_all(registrations_, deadline);
  server_.reset();
}

hyperion::HealthReport Greeter::health() {
  hyperion::HealthReport r;
  r.message = "greeting with \"" + settings()->greeting + "\"";
  r.details["methods"] = registrations_.empty() ? 0 : registrations_.size() - 1;
  return r;
}

void Greeter::reload_prepare(const Settings& next, const boost::json::array&) {
  prepared_ = std::make_shared<const Settings>(next);
}

void Greeter::reload_commit() {
  std::lock_guard lock(mu_);
  if (prepared_) settings_ = std::exchange(prepared_, nullptr);
}

void Greeter::reload_abort() { prepared_.reset(); }

}  // namespace greeter
