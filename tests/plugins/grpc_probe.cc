// grpc-probe: a handler plugin for testing the grpc-server plugin end to end.
// Messages are raw bytes (no protobuf), methods under /hyperion.test.Probe/:
//   Echo      unary: prefix + request; echoes "x-echo" metadata into initial and
//             trailing metadata, "x-blob-bin" into trailing; trailing
//             "x-traceparent" is the traceparent the handler saw
//   Throw     unary: throws through the SDK
//   RawThrow  unary, registered through the C vtable: the callback itself throws
//   Hang      server stream that never answers; journals "hang started" and
//             "hang cancelled"
//   Slow      unary answered from another thread after slow_ms ("slow started")
//   Count     server stream: request "N" -> N messages "1".."N"
//   Concat    client stream: every message concatenated, with the prefix
//   Echoes    bidi: prefix + each message
// health() follows the dynamic "healthy" switch.
#include <fcntl.h>
#include <unistd.h>

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace probe {

namespace hg = hyperion::grpc;

class Probe {
 public:
  Probe(hyperion::Context& ctx, const boost::json::object& config)
      : ctx_(ctx),
        prefix_(config.at("prefix").as_string()),
        journal_(config.at("journal").as_string()),
        slow_ms_(config.at("slow_ms").to_number<int64_t>()),
        healthy_(config.at("healthy").as_bool()) {}

  void start(hyperion::Deadline) {
    server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
    const std::string m = "/hyperion.test.Probe/";
    regs_.push_back(server_->unary(m + "Echo", [this](hg::Call& call, std::string_view req, std::string& resp) {
      if (auto v = call.metadata("x-echo")) {
        call.add_initial_metadata("x-echo-initial", *v);
        call.add_trailing_metadata("x-echo-trailing", *v);
      }
      if (auto v = call.metadata("x-blob-bin")) call.add_trailing_metadata("x-blob-bin", *v);
      call.add_trailing_metadata("x-traceparent", call.traceparent());
      call.add_trailing_metadata("x-deadline-set", call.deadline_ns() == UINT64_MAX ? "no" : "yes");
      resp = prefix_ + std::string(req);
      return hg::Status::ok();
    }));
    regs_.push_back(server_->unary(m + "Throw", [](hg::Call&, std::string_view, std::string&) -> hg::Status {
      throw std::runtime_error("boom");
    }));
    regs_.push_back(server_->server_stream_handler(m + "Hang", [this](hg::Call&) {
      class Hang : public hg::StreamHandler {
       public:
        explicit Hang(Probe& p) : p_(p) {}
        void on_message(hg::Call&, std::string_view) override {}
        void on_half_close(hg::Call&) override { p_.journal("hang started"); }
        void on_cancel(hg::Call& call) override {
          p_.journal("hang cancelled");
          call.finish({HYPERION_GRPC_CANCELLED, "cancelled"});
        }

       private:
        Probe& p_;
      };
      return std::make_unique<Hang>(*this);
    }));
    regs_.push_back(server_->client_stream(m + "Slow", [this](hg::Call&) {
      // A unary method served asynchronously: answered from a worker thread.
      class Slow : public hg::StreamHandler {
       public:
        explicit Slow(Probe& p) : p_(p) {}
        void on_message(hg::Call&, std::string_view message) override { request_ = message; }
        void on_half_close(hg::Call& call) override {
          p_.journal("slow started");
          std::lock_guard lock(p_.mu_);
          p_.workers_.emplace_back([&call, request = request_, this] {
            std::this_thread::sleep_for(std::chrono::milliseconds(p_.slow_ms_));
            call.send(p_.prefix_ + request);
            call.finish(hg::Status::ok());
          });
        }

       private:
        Probe& p_;
        std::string request_;
      };
      return std::make_unique<Slow>(*this);
    }));
    regs_.push_back(server_->server_stream(m + "Count", [](hg::Call& call, std::string_view req) {
      int n = std::stoi(std::string(req));
      for (int i = 1; i <= n; ++i) call.send(std::to_string(i));
      return hg::Status::ok();
    }));
    regs_.push_back(server_->client_stream(m + "Concat", [this](hg::Call&) {
      class Concat : public hg::StreamHandler {
       public:
        explicit Concat(std::string prefix) : all_(std::move(prefix)) {}
        void on_message(hg::Call&, std::string_view message) override { all_ += message; }
        void on_half_close(hg::Call& call) override {
          call.send(all_);
          call.finish(hg::Status::ok());
        }

       private:
        std::string all_;
      };
      return std::make_unique<Concat>(prefix_);
    }));
    regs_.push_back(server_->bidi(m + "Echoes", [this](hg::Call&) {
      class Echoes : public hg::StreamHandler {
       public:
        explicit Echoes(std::string prefix) : prefix_(std::move(prefix)) {}
        void on_message(hg::Call& call, std::string_view message) override { call.send(prefix_ + std::string(message)); }
        void on_half_close(hg::Call& call) override { call.finish(hg::Status::ok()); }

       private:
        std::string prefix_;
      };
      return std::make_unique<Echoes>(prefix_);
    }));
    register_raw_throw(m + "RawThrow");
  }

  void stop(hyperion::Deadline deadline) {
    if (raw_id_) {
      auto use = server_->handle().enter<hyperion_grpc_server_v1_t>();
      hyperion_error_t err{};
      err.struct_size = sizeof err;
      use.vtable()->unregister_handler(use.ctx(), *raw_id_, deadline.ns(), &err);
    }
    for (auto& r : regs_) r.release(deadline);
    regs_.clear();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mu_);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
    server_.reset();
  }

  hyperion::HealthReport health() {
    hyperion::HealthReport r;
    if (!healthy_.load()) {
      r.status = hyperion::HealthStatus::kUnhealthy;
      r.message = "told to be unhealthy";
    }
    return r;
  }
  void reload_prepare(const boost::json::object& config, const boost::json::array&) {
    prepared_ = config.at("healthy").as_bool();
  }
  void reload_commit() {
    if (prepared_) healthy_ = *std::exchange(prepared_, std::nullopt);
  }
  void reload_abort() { prepared_.reset(); }

 private:
  void journal(const std::string& line) {
    if (journal_.empty()) return;
    int fd = ::open(journal_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;
    std::string text = line + "\n";
    (void)!::write(fd, text.data(), text.size());
    ::close(fd);
  }

  // A handler whose C callback throws: the server must catch it.
  void register_raw_throw(const std::string& method) {
    hyperion_grpc_handler_t h{};
    h.struct_size = sizeof h;
    h.kind = HYPERION_GRPC_UNARY;
    h.on_start = [](void*, hyperion_grpc_call_t*) -> void* { return nullptr; };
    h.on_message = [](void*, hyperion_grpc_call_t*, hyperion_bytes_t) {};
    h.on_half_close = [](void*, hyperion_grpc_call_t*) { throw std::logic_error("raw boom"); };
    h.on_done = [](void*, hyperion_grpc_call_t*) {};
    auto use = server_->handle().enter<hyperion_grpc_server_v1_t>();
    uint64_t id = 0;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    if (use.vtable()->register_handler(use.ctx(), hyperion::to_str(method), &h, &id, &err) != HYPERION_OK) {
      throw hyperion::Error(HYPERION_ERR_INTERNAL, err.message);
    }
    raw_id_ = id;
  }

  hyperion::Context& ctx_;
  const std::string prefix_;
  const std::string journal_;
  const int64_t slow_ms_;
  std::atomic<bool> healthy_;
  std::optional<bool> prepared_;
  std::optional<hg::Server> server_;
  std::vector<hg::Registration> regs_;
  std::optional<uint64_t> raw_id_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace probe

HYPERION_PLUGIN(probe::Probe)
