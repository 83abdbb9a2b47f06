#include "exporter.h"

#include <httplib.h>

#include <hyperion/plugin.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "retry_after.h"

namespace hyperion::plugins::tracing {
namespace {

class OtlpHttpExporter final : public Exporter {
 public:
  OtlpHttpExporter(const OtlpHttpSettings& s, std::string base, std::string path)
      : settings_(s), base_(std::move(base)), path_(std::move(path)), client_(base_) {
    const auto seconds = s.timeout.count() / 1000;
    const auto micros = (s.timeout.count() % 1000) * 1000;
    client_.set_connection_timeout(seconds, micros);
    client_.set_read_timeout(seconds, micros);
    client_.set_write_timeout(seconds, micros);
    client_.set_keep_alive(true);
    for (const auto& [k, v] : s.headers) headers_.emplace(k, v);
  }

  SendOutcome send(const std::string& body) override {
    SendOutcome out;
    auto res = client_.Post(path_, headers_, body, "application/json");
    if (!res) {
      out.retryable = true;
      out.error = "no answer from " + settings_.endpoint + ": " + httplib::to_string(res.error());
      return out;
    }
    if (res->status >= 200 && res->status < 300) {
      out.ok = true;
      return out;
    }
    out.retryable = res->status == 429 || res->status == 502 || res->status == 503 || res->status == 504;
    if (res->has_header("Retry-After")) {
      out.retry_after = parse_retry_after(res->get_header_value("Retry-After"), std::chrono::system_clock::now());
    }
    out.error = settings_.endpoint + " answered HTTP " + std::to_string(res->status) +
                (res->body.empty() ? "" : ": " + res->body.substr(0, 200));
    return out;
  }

  [[nodiscard]] std::string describe() const override { return "otlp_http " + settings_.endpoint; }

 private:
  OtlpHttpSettings settings_;
  std::string base_;
  std::string path_;
  httplib::Client client_;
  httplib::Headers headers_;
};

class FileExporter final : public Exporter {
 public:
  explicit FileExporter(std::string path) : path_(std::move(path)) {}
  SendOutcome send(const std::string& body) override {
    SendOutcome out;
    if (path_ == "-") {
      std::fwrite(body.data(), 1, body.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
      out.ok = true;
      return out;
    }
    std::ofstream file(path_, std::ios::app);
    file << body << '\n';
    file.flush();
    out.ok = static_cast<bool>(file);
    if (!out.ok) out.error = "cannot append to " + path_;
    return out;
  }
  [[nodiscard]] std::string describe() const override { return "file " + path_; }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<Exporter> make_otlp_http_exporter(const OtlpHttpSettings& s) {
  // scheme://host[:port]/path
  const std::string& url = s.endpoint;
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    throw Error(
        HYPERION_ERR_INVALID_ARGUMENT,
        "exporter.endpoint: \"" + url + "\" is not an http:// or https:// URL (http://127.0.0.1:4318/v1/traces)");
  }
  size_t path_begin = url.find('/', scheme_end + 3);
  std::string base = url.substr(0, path_begin);
  std::string path = path_begin == std::string::npos ? "/v1/traces" : url.substr(path_begin);
  if (base.size() <= scheme.size() + 3)
    throw Error(HYPERION_ERR_INVALID_ARGUMENT, "exporter.endpoint: no host in \"" + url + "\"");
  return std::make_unique<OtlpHttpExporter>(s, base, path);
}

std::unique_ptr<Exporter> make_file_exporter(const std::string& path) { return std::make_unique<FileExporter>(path); }

}  // namespace hyperion::plugins::tracing
