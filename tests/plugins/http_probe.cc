// http-probe: a handler plugin for testing the http-server plugin end to end,
// through the C++ helpers (hyperion/services/http_server.hpp). Routes, under
// the configured prefix (default /probe):
//   GET  /echo/{name}      JSON: tag, name, method, query a, header x-echo, request id, traceparent
//   POST /echo             the body back with its content type; /json parses it as JSON first
//   GET  /users/me         "me"   (literal beats parameter)
//   GET  /users/{id}       "user <id>"
//   GET  /files/{rest...}  "rest=<rest>"
//   *    /any              the method
//   GET  /throw            throws std::runtime_error; /problem throws Problem(409)
//   GET  /slow             answered from another thread after slow_ms ("slow started")
//   GET  /hang             never answered until cancelled ("hang started", "hang cancelled")
//   GET  /big              64 KiB of text (for gzip)
//   GET  /sse              three events, then the end; /sse/forever: an event every 10 ms until cancelled
// Every answer carries x-tag: <tag>, so a test can tell two registrations apart.
#include <fcntl.h>
#include <unistd.h>

#include <hyperion/plugin.hpp>
#include <hyperion/services/http_server.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace probe {

namespace hh = hyperion::http;

class HttpProbe {
 public:
  HttpProbe(hyperion::Context& ctx, const boost::json::object& config)
      : ctx_(ctx),
        prefix_(config.at("prefix").as_string()),
        tag_(config.at("tag").as_string()),
        journal_(config.at("journal").as_string()),
        slow_ms_(config.at("slow_ms").to_number<int64_t>()) {}

  ~HttpProbe() { join_workers(); }

  void start(hyperion::Deadline) {
    server_.emplace(ctx_.acquire(HYPERION_HTTP_SERVER_API, HYPERION_HTTP_SERVER_MAJOR));
    const std::string p = prefix_;
    add("GET", p + "/echo/{name}", [this](const hh::Request& r, hh::Response& w) {
      boost::json::object o;
      o["tag"] = tag_;
      o["name"] = r.param("name");
      o["method"] = r.method();
      o["route"] = r.route();
      o["a"] = r.query("a").value_or("");
      o["x_echo"] = r.header("X-Echo").value_or("");
      o["request_id"] = r.request_id();
      o["traceparent"] = r.traceparent();
      o["peer"] = r.peer();
      w.json(o);
    });
    add("POST", p + "/echo", [](const hh::Request& r, hh::Response& w) {
      w.status(201).body(std::string(r.body()), r.header("content-type").value_or("application/octet-stream"));
    });
    add("POST", p + "/json", [](const hh::Request& r, hh::Response& w) {
      boost::json::value v = r.json();
      if (!v.is_object() || !v.as_object().contains("name")) {
        throw hh::Problem(422, "name is required",
                          {{"errors", boost::json::array{{{"field", "name"}, {"message", "required"}}}}});
      }
      w.json(v, 201);
    });
    add("GET", p + "/users/me", [](const hh::Request&, hh::Response& w) { w.body("me"); });
    add("GET", p + "/users/{id}",
        [](const hh::Request& r, hh::Response& w) { w.body("user " + std::string(r.param("id"))); });
    add("GET", p + "/files/{rest...}",
        [](const hh::Request& r, hh::Response& w) { w.body("rest=" + std::string(r.param("rest"))); });
    add("*", p + "/any", [](const hh::Request& r, hh::Response& w) { w.body(std::string(r.method())); });
    add("GET", p + "/throw", [](const hh::Request&, hh::Response&) { throw std::runtime_error("boom"); });
    add("GET", p + "/problem", [](const hh::Request&, hh::Response&) { throw hh::Problem(409, "already there"); });
    add("GET", p + "/slow", [this](const hh::Request&, hh::Response& w) {
      journal("slow started");
      w.header("x-early", "before defer");  // must survive until the deferred answer
      spawn([this, later = w.defer()]() mutable {
        sleep_unless_stopping(std::chrono::milliseconds(slow_ms_));
        later.header("x-tag", tag_).send(200, "slow " + tag_);
      });
    });
    add("GET", p + "/hang", [this](const hh::Request&, hh::Response& w) {
      journal("hang started");
      auto later = std::make_shared<hh::Deferred>(w.defer());
      later->on_cancel([this, later] {
        journal("hang cancelled");
        later->send(503, "cancelled");
      });
    });
    add("GET", p + "/big", [](const hh::Request&, hh::Response& w) {
      std::string text;
      while (text.size() < 65536) text += "all work and no play makes a dull plugin\n";
      w.body(text);
    });
    add("GET", p + "/sse", [](const hh::Request&, hh::Response& w) {
      hh::Stream s = w.sse();
      s.event("one");
      s.event("two\nlines", "multi", "2");
      s.event("three");
    });
    add("GET", p + "/sse/forever", [this](const hh::Request&, hh::Response& w) {
      journal("forever started");
      spawn([this, s = w.sse()]() mutable {
        for (int i = 0; i < 100000 && !stopping_.load(); ++i) {
          if (!s.event("tick " + std::to_string(i))) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        journal("forever ended");
      });
    });
  }

  void stop(hyperion::Deadline deadline) {
    for (auto& r : routes_) r.release(deadline);
    routes_.clear();
    stopping_ = true;
    wake_.notify_all();
    join_workers();
    server_.reset();
  }

  hyperion::HealthReport health() { return {}; }

 private:
  void add(const char* method, const std::string& path, hh::Handler fn) {
    routes_.push_back(server_->route(method, path, [this, fn = std::move(fn)](const hh::Request& r, hh::Response& w) {
      w.header("x-tag", tag_);
      fn(r, w);
    }));
  }
  void spawn(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    workers_.emplace_back(std::move(fn));
  }
  void join_workers() {
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mu_);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
  }
  void sleep_unless_stopping(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, d, [this] { return stopping_.load(); });
  }
  void journal(const std::string& line) {
    if (journal_.empty()) return;
    std::lock_guard lock(journal_mu_);
    int fd = ::open(journal_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return;
    std::string l = tag_ + ": " + line + "\n";
    (void)!::write(fd, l.data(), l.size());
    ::close(fd);
  }

  hyperion::Context& ctx_;
  const std::string prefix_;
  const std::string tag_;
  const std::string journal_;
  const int64_t slow_ms_;
  std::optional<hh::Server> server_;
  std::vector<hh::Registration> routes_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
  std::mutex journal_mu_;
};

}  // namespace probe

HYPERION_PLUGIN(probe::HttpProbe)
