#include "logging/log_setup.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <mutex>

#include "base/rfc3339.h"

namespace hyperion::logging {
namespace {

// The level names the manifest, the CLI and the docs use: "warn", where
// spdlog says "warning" (one word per level, everywhere).
std::string_view level_name(spdlog::level::level_enum level) {
  static constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  auto i = static_cast<size_t>(level);
  return i < std::size(kNames) ? kNames[i] : std::string_view("?");
}

// %* in the text pattern: the level name, padded to 5 columns.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view name = level_name(msg.level);
    dest.append(name.data(), name.data() + name.size());
    for (size_t i = name.size(); i < 5; ++i) dest.push_back(' ');
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

std::unique_ptr<spdlog::formatter> text_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%*%$ [%n] %v");
  return formatter;
}

// The value of a logfmt field `key=` in `text` when it is `digits` lower-case
// hex digits (the access lines' trace_id and span_id), else empty.
std::string_view hex_field(std::string_view text, std::string_view key, size_t digits) {
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (at != 0 && text[at - 1] != ' ') continue;  // a whole field, not the end of another name
    std::string_view value = text.substr(at + key.size(), digits);
    if (value.size() != digits) continue;  // the line ends first
    const size_t end = at + key.size() + digits;
    const bool whole = end == text.size() || text[end] == ' ';
    if (whole && value.find_first_not_of("0123456789abcdef") == std::string_view::npos) return value;
  }
  return {};
}

// {"time":"...","level":"info","logger":"hello","msg":"...","trace_id":"...","span_id":"..."}
// — one JSON object a line, with the field names log shippers (Vector, Fluent
// Bit, Loki, Elastic) map without configuration; trace_id and span_id are
// lifted from the line's logfmt fields when it has them (the access lines).
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    boost::json::object o;
    o["time"] = format_rfc3339_utc(msg.time);
    o["level"] = level_name(msg.level);
    o["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    o["msg"] = payload;
    if (auto trace_id = hex_field(payload, "trace_id=", 32); !trace_id.empty()) {
      o["trace_id"] = trace_id;
      if (auto span_id = hex_field(payload, "span_id=", 16); !span_id.empty()) o["span_id"] = span_id;
    }
    std::string line = boost::json::serialize(o);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

std::mutex g_mu;
spdlog::sink_ptr g_sink;
std::string g_format = "text";
spdlog::level::level_enum g_level = spdlog::level::info;

spdlog::sink_ptr sink() {
  if (!g_sink) {
    g_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    g_sink->set_formatter(text_formatter());
  }
  return g_sink;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
  auto logger = std::make_shared<spdlog::logger>(name, sink());
  logger->set_level(g_level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

std::shared_ptr<spdlog::logger> get_or_make(const std::string& name) {
  std::lock_guard lock(g_mu);
  if (auto existing = spdlog::get(name)) return existing;
  return make_logger(name);
}

}  // namespace

Status configure(const std::string& level, const std::string& format) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return invalid_argument("log level \"" + level + "\" is not trace|debug|info|warn|error|off");
  if (format != "text" && format != "json") return invalid_argument("log format \"" + format + "\" is not text|json");
  std::lock_guard lock(g_mu);
  g_level = parsed;
  g_format = format;
  if (format == "json") sink()->set_formatter(std::make_unique<JsonFormatter>());
  else
    sink()->set_formatter(text_formatter());
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return ok_status();
}

std::shared_ptr<spdlog::logger> host_logger() { return get_or_make("hyperion"); }

std::shared_ptr<spdlog::logger> instance_logger(const std::string& instance) { return get_or_make(instance); }

}  // namespace hyperion::logging
