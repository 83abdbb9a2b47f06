// hyperion/services/trace.hpp — C++ helpers for plugins that record spans
// through the "trace" service (hyperion/services/trace.h has the rules).
//
//   hyperion::trace::Tracer tracer = hyperion::trace::Tracer::optional(ctx);  // no tracing instance: no-op
//   hyperion::trace::Span span = tracer.start("/hello.Greeter/SayHello", HYPERION_SPAN_SERVER, incoming_traceparent);
//   span.set("rpc.system", "grpc");
//   span.set("rpc.grpc.status_code", int64_t{0});
//   outgoing_headers["traceparent"] = span.traceparent();   // children continue this trace
//   span.error("deadline exceeded");                         // or span.ok()
//   // ends when it goes out of scope (or span.end())
//
// A Span always has ids, with or without a tracing instance and whether or
// not the trace is sampled: traceparent() is what to send downstream. Only a
// sampled span with a tracing instance records anything.
#ifndef HYPERION_SERVICES_TRACE_HPP_
#define HYPERION_SERVICES_TRACE_HPP_

#include <hyperion/services/trace.h>
#include <hyperion/plugin.hpp>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace hyperion::trace {

namespace detail {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

inline bool parse_hex(std::string_view text, uint8_t* out, size_t bytes) {
  if (text.size() != bytes * 2) return false;
  bool any = false;
  for (size_t i = 0; i < bytes; ++i) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
    any = any || out[i] != 0;
  }
  return any;  // all zero is invalid for trace and span ids
}

inline void to_hex(const uint8_t* in, size_t bytes, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes; ++i) {
    out[2 * i] = kDigits[in[i] >> 4];
    out[2 * i + 1] = kDigits[in[i] & 0xf];
  }
}

inline void random_bytes(uint8_t* out, size_t bytes) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  for (;;) {
    for (size_t i = 0; i < bytes; i += 8) {
      uint64_t v = engine();
      std::memcpy(out + i, &v, bytes - i < 8 ? bytes - i : 8);
    }
    for (size_t i = 0; i < bytes; ++i) {
      if (out[i] != 0) return;  // never all zero
    }
  }
}

}  // namespace detail

// The W3C context of a traceparent header; nullopt when it is not a valid one
// (version 00, lower-case hex, ids not all zero).
struct SpanContext {
  uint8_t trace_id[16]{};
  uint8_t span_id[8]{};
  uint8_t flags = 0;
  [[nodiscard]] bool sampled() const { return (flags & 1) != 0; }

  static std::optional<SpanContext> parse(std::string_view tp) {
    // "00-" 32 "-" 16 "-" 2 = 55 characters
    if (tp.size() != 55 || tp.substr(0, 3) != "00-" || tp[35] != '-' || tp[52] != '-') return std::nullopt;
    SpanContext c;
    if (!detail::parse_hex(tp.substr(3, 32), c.trace_id, 16) || !detail::parse_hex(tp.substr(36, 16), c.span_id, 8)) {
      return std::nullopt;
    }
    int hi = detail::hex_value(tp[53]), lo = detail::hex_value(tp[54]);
    if (hi < 0 || lo < 0) return std::nullopt;
    c.flags = static_cast<uint8_t>(hi << 4 | lo);
    return c;
  }
};

// "00-<trace id>-<span id>-<flags>" of a span.
inline std::string traceparent_of(const hyperion_trace_span_t& s) {
  std::string out(55, '-');
  out[0] = out[1] = '0';
  detail::to_hex(s.trace_id, 16, &out[3]);
  detail::to_hex(s.span_id, 8, &out[36]);
  detail::to_hex(&s.flags, 1, &out[53]);
  return out;
}

// The 32 hex digits of a span's trace id (for log lines).
inline std::string trace_id_of(const hyperion_trace_span_t& s) {
  std::string out(32, '0');
  detail::to_hex(s.trace_id, 16, out.data());
  return out;
}

class Tracer;

// An attribute for Span::set_all (the key and a string value are borrowed:
// keep them alive until set_all returns).
inline hyperion_trace_attribute_t attribute(std::string_view key, std::string_view value) {
  hyperion_trace_attribute_t a{};
  a.key = to_str(key);
  a.type = HYPERION_ATTR_STRING;
  a.string_value = to_str(value);
  return a;
}
inline hyperion_trace_attribute_t attribute(std::string_view key, int64_t value) {
  hyperion_trace_attribute_t a{};
  a.key = to_str(key);
  a.type = HYPERION_ATTR_INT;
  a.int_value = value;
  return a;
}

// One span; ends when it goes out of scope unless end() was called. Move-only;
// it must not outlive the Tracer that started it.
class Span {
 public:
  Span() = default;
  Span(Span&& o) noexcept : tracer_(std::exchange(o.tracer_, nullptr)), raw_(o.raw_) { o.raw_.recording = nullptr; }
  Span& operator=(Span&& o) noexcept {
    if (this != &o) {
      end();
      tracer_ = std::exchange(o.tracer_, nullptr);
      raw_ = o.raw_;
      o.raw_.recording = nullptr;
    }
    return *this;
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() { end(); }

  // Whether this span is sampled and recorded (attributes cost nothing otherwise).
  [[nodiscard]] bool recording() const { return raw_.recording != nullptr; }
  // This span's context, to send downstream.
  [[nodiscard]] std::string traceparent() const { return traceparent_of(raw_); }
  [[nodiscard]] std::string trace_id() const { return trace_id_of(raw_); }
  // The 16 hex digits of this span's id.
  [[nodiscard]] std::string span_id() const {
    std::string out(16, '0');
    detail::to_hex(raw_.span_id, 8, out.data());
    return out;
  }
  // Whether a tracer started this span and sampled it (its trace is exported),
  // also after end(): what a metric exemplar may point at.
  [[nodiscard]] bool sampled() const { return tracer_ != nullptr && (raw_.flags & 1) != 0; }
  [[nodiscard]] const hyperion_trace_span_t& raw() const { return raw_; }

  Span& set(std::string_view key, std::string_view value) {
    hyperion_trace_attribute_t a{};
    a.key = to_str(key);
    a.type = HYPERION_ATTR_STRING;
    a.string_value = to_str(value);
    return set_raw(a);
  }
  Span& set(std::string_view key, const char* value) { return set(key, std::string_view(value)); }
  Span& set(std::string_view key, int64_t value) {
    hyperion_trace_attribute_t a{};
    a.key = to_str(key);
    a.type = HYPERION_ATTR_INT;
    a.int_value = value;
    return set_raw(a);
  }
  Span& set(std::string_view key, double value) {
    hyperion_trace_attribute_t a{};
    a.key = to_str(key);
    a.type = HYPERION_ATTR_DOUBLE;
    a.double_value = value;
    return set_raw(a);
  }
  Span& set(std::string_view key, bool value) {
    hyperion_trace_attribute_t a{};
    a.key = to_str(key);
    a.type = HYPERION_ATTR_BOOL;
    a.int_value = value ? 1 : 0;
    return set_raw(a);
  }
  // Several attributes in one call across the ABI (cheaper than one set() each).
  inline Span& set_all(std::initializer_list<hyperion_trace_attribute_t> attributes);
  inline Span& event(std::string_view name);
  inline Span& error(std::string_view message);
  inline Span& ok();
  inline void end();

 private:
  friend class Tracer;
  inline Span& set_raw(const hyperion_trace_attribute_t& a);
  const Tracer* tracer_ = nullptr;
  hyperion_trace_span_t raw_{};
};

class Tracer {
 public:
  // No tracing instance: spans have ids and propagate, and record nothing.
  Tracer() = default;
  explicit Tracer(ServiceHandle handle) : handle_(std::move(handle)) {}
  // The tracer of `ctx`'s optional "trace" requirement, or a no-op one when
  // the manifest runs no tracing instance.
  static Tracer optional(hyperion::Context& ctx) {
    try {
      return Tracer(ctx.acquire(HYPERION_TRACE_API, HYPERION_TRACE_MAJOR));
    } catch (const Error&) {
      return Tracer();
    }
  }
  [[nodiscard]] bool active() const { return handle_.has_value(); }

  // A span, child of `parent` (a traceparent; empty or invalid: a new trace).
  // `start_unix_ns`: when it started, if before now (0: now).
  Span start(std::string_view name, hyperion_span_kind_t kind, std::string_view parent = {},
             std::string_view tracestate = {}, uint64_t start_unix_ns = 0) const {
    Span span;
    span.tracer_ = this;
    if (handle_) {
      hyperion_trace_span_start_t s{};
      s.struct_size = sizeof s;
      s.name = to_str(name);
      s.kind = kind;
      s.traceparent = to_str(parent);
      s.tracestate = to_str(tracestate);
      s.start_time_unix_ns = start_unix_ns;
      hyperion_error_t err{};
      err.struct_size = sizeof err;
      try {
        auto use = handle_->enter<hyperion_trace_v1_t>();
        if (use.vtable()->start_span(use.ctx(), &s, &span.raw_, &err) == HYPERION_OK) return span;
      } catch (const Error&) {
        // The provider went away: fall through to local ids.
      }
    }
    // Local ids: continue the parent's trace (and its sampled flag), or start one.
    if (auto p = SpanContext::parse(parent)) {
      std::memcpy(span.raw_.trace_id, p->trace_id, 16);
      span.raw_.flags = p->flags & 1;
    } else {
      detail::random_bytes(span.raw_.trace_id, 16);
      span.raw_.flags = 0;
    }
    detail::random_bytes(span.raw_.span_id, 8);
    span.raw_.recording = nullptr;
    return span;
  }

 private:
  friend class Span;
  template <class Fn>
  void call(Fn&& fn) const {
    if (!handle_) return;
    try {
      auto use = handle_->enter<hyperion_trace_v1_t>();
      fn(use.vtable(), use.ctx());
    } catch (const Error&) {
      // The provider went away: nothing left to record into.
    }
  }
  std::optional<ServiceHandle> handle_;
};

inline Span& Span::set_raw(const hyperion_trace_attribute_t& a) {
  if (recording()) tracer_->call([&](const hyperion_trace_v1_t* v, void* c) { v->set_attributes(c, &raw_, &a, 1); });
  return *this;
}
inline Span& Span::set_all(std::initializer_list<hyperion_trace_attribute_t> attributes) {
  if (recording()) {
    tracer_->call([&](const hyperion_trace_v1_t* v, void* c) {
      v->set_attributes(c, &raw_, attributes.begin(), attributes.size());
    });
  }
  return *this;
}
inline Span& Span::event(std::string_view name) {
  if (recording()) {
    tracer_->call([&](const hyperion_trace_v1_t* v, void* c) { v->add_event(c, &raw_, to_str(name), 0, nullptr, 0); });
  }
  return *this;
}
inline Span& Span::error(std::string_view message) {
  if (recording()) {
    tracer_->call([&](const hyperion_trace_v1_t* v, void* c) {
      v->set_status(c, &raw_, HYPERION_SPAN_STATUS_ERROR, to_str(message));
    });
  }
  return *this;
}
inline Span& Span::ok() {
  if (recording()) {
    tracer_->call([&](const hyperion_trace_v1_t* v, void* c) { v->set_status(c, &raw_, HYPERION_SPAN_STATUS_OK, {}); });
  }
  return *this;
}
inline void Span::end() {
  if (recording()) tracer_->call([&](const hyperion_trace_v1_t* v, void* c) { v->end_span(c, &raw_, 0); });
  raw_.recording = nullptr;
}

// Observes `value` into the histogram `name`; when `span` was sampled, its ids
// become the bucket's exemplar (shown in the OpenMetrics exposition), so a slow
// bucket links to a trace that is really exported. `span` may be null.
inline void observe_histogram(const hyperion::Context& ctx, std::string_view name, double value,
                              std::string_view labels_json, const Span* span) {
  if (span != nullptr && span->sampled()) {
    // The ids as hex on the stack: a sampled observation allocates nothing here.
    char trace_id[32], span_id[16];
    detail::to_hex(span->raw().trace_id, 16, trace_id);
    detail::to_hex(span->raw().span_id, 8, span_id);
    ctx.histogram_observe(name, value, labels_json, std::string_view(trace_id, 32), std::string_view(span_id, 16));
  } else {
    ctx.histogram_observe(name, value, labels_json);
  }
}

}  // namespace hyperion::trace

#endif  // HYPERION_SERVICES_TRACE_HPP_
