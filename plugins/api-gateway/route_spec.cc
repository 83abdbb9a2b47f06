#include "route_spec.h"

#include <hyperion/plugin.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fstream>
#include <sstream>

#include "ascii.h"
#include "duration.h"
#include "templates.h"

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;

hyperion::Error invalid(const std::string& where, const std::string& why) {
  return hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, where + ": " + why);
}

// What a template may refer to: the route's path parameters ("{id}") and, in
// an aggregate's parts, the other parts' results ("${order.user_id}"), whose
// names are collected in `needs`.
struct TemplateScope {
  const std::set<std::string>& params;
  const std::set<std::string>* parts = nullptr;  // null: not an aggregate part
  std::set<std::string>* needs = nullptr;
};

void check_template(const json::value& v, const TemplateScope& scope, const std::string& where) {
  if (v.is_object()) {
    for (const auto& kv : v.as_object()) check_template(kv.value(), scope, where + "." + std::string(kv.key()));
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.as_array().size(); ++i) {
      check_template(v.as_array()[i], scope, where + "[" + std::to_string(i) + "]");
    }
  } else if (v.is_string()) {
    for_each_placeholder(v.as_string(), [&](const Placeholder& p) {
      const std::string name(p.name);
      if (p.result) {
        const std::string part = name.substr(0, name.find('.'));
        if (scope.parts == nullptr) throw invalid(where, "${" + name + "}: only an aggregate's parts refer to others");
        if (!scope.parts->contains(part)) throw invalid(where, "${" + name + "}: there is no part " + part);
        scope.needs->insert(part);
      } else if (!scope.params.contains(name)) {
        throw invalid(where, "{" + name + "} is not a parameter of the route's path");
      }
    });
  }
}

RouteSpec::Grpc parse_grpc(const json::object& g, const std::string& where, const GatewayConfig& config,
                           const std::vector<std::string>& path_params, const TemplateScope& scope,
                           std::map<std::string, std::string> param_fields = {}) {
  RouteSpec::Grpc out;
  out.param_fields = std::move(param_fields);
  out.target = std::string(g.at("target").as_string());
  try {
    out.method = config.catalog->method(g.at("method").as_string());
  } catch (const std::invalid_argument& e) {
    throw invalid(where + ".method",
                  std::string(e.what()) + (config.catalog->file_count() == 0 ? " (no descriptors are configured: list "
                                                                               "FileDescriptorSets in \"descriptors\")"
                                                                             : ""));
  }
  if (const auto* body = g.if_contains("body")) {
    check_template(*body, scope, where + ".body");
    out.body = body->as_object();
  } else {
    // Path parameters become fields of the request message: each must exist.
    const auto* input = out.method.descriptor->input_type();
    for (const std::string& param : path_params) {
      auto mapped = out.param_fields.find(param);
      const std::string& p = mapped == out.param_fields.end() ? param : mapped->second;
      if (!has_field_path(input, p)) {
        throw invalid(where, "the path parameter {" + p + "} names no field of " + input->full_name() +
                                 " (give a body template)");
      }
    }
  }
  return out;
}

std::string parse_http_target(const json::object& h, const std::string& where, const TemplateScope& scope) {
  std::string url(h.at("target").as_string());
  if (!url.starts_with("http://") && !url.starts_with("https://") && !url.starts_with("discovery://")) {
    throw invalid(where + ".target", "\"" + url + "\" is not an http://, https:// or discovery:// URL");
  }
  check_template(json::value(url), scope, where + ".target");
  return url;
}

// The parts of an aggregate route, checked: references resolve and form no cycle.
std::vector<RouteSpec::Part> parse_parts(const json::object& aggregate, const std::string& where,
                                         const GatewayConfig& config, const std::vector<std::string>& path_params,
                                         const std::set<std::string>& params) {
  std::set<std::string> names;
  for (const auto& kv : aggregate) names.emplace(kv.key());
  std::vector<RouteSpec::Part> parts;
  for (const auto& [key, value] : aggregate) {
    const json::object& p = value.as_object();
    RouteSpec::Part part;
    part.name = std::string(key);
    const std::string at = where + ".aggregate." + part.name;
    TemplateScope scope{params, &names, &part.needs};
    if (const auto* grpc = p.if_contains("grpc")) {
      part.grpc = parse_grpc(grpc->as_object(), at + ".grpc", config, path_params, scope);
    } else {
      part.http_url = parse_http_target(p.at("http").as_object(), at + ".http", scope);
    }
    part.upstream = upstream_label(part.grpc, part.http_url);
    const std::string policy = p.contains("on_error") ? std::string(p.at("on_error").as_string()) : "fail";
    part.on_error = policy == "omit"   ? RouteSpec::Part::OnError::kOmit
                    : policy == "null" ? RouteSpec::Part::OnError::kNull
                                       : RouteSpec::Part::OnError::kFail;
    if (part.needs.contains(part.name)) throw invalid(at, "a part cannot use its own result");
    parts.push_back(std::move(part));
  }
  // Kahn's algorithm: every part must become ready once the ones it needs are done.
  std::set<std::string> done;
  for (size_t round = 0; round < parts.size(); ++round) {
    for (const auto& part : parts) {
      if (!done.contains(part.name) &&
          std::all_of(part.needs.begin(), part.needs.end(), [&](const std::string& n) { return done.contains(n); })) {
        done.insert(part.name);
      }
    }
  }
  if (done.size() != parts.size()) throw invalid(where + ".aggregate", "the parts' references form a cycle");
  return parts;
}

RouteSpec parse_route(const json::object& r, size_t index, const GatewayConfig& config,
                      std::chrono::milliseconds default_timeout, const std::string& default_auth,
                      const char* list = "routes", std::map<std::string, std::string> param_fields = {}) {
  RouteSpec spec;
  spec.where = std::string(list) + "[" + std::to_string(index) + "]";
  if (const auto* name = r.if_contains("name")) spec.where += " (" + std::string(name->as_string()) + ")";
  spec.method = std::string(r.at("method").as_string());
  spec.path = std::string(r.at("path").as_string());
  spec.label = r.contains("name") ? std::string(r.at("name").as_string()) : spec.method + " " + spec.path;
  if (const auto* host = r.if_contains("host")) spec.host = lower_ascii(std::string(host->as_string()));
  if (const auto* headers = r.if_contains("headers")) {
    for (const auto& [k, v] : headers->as_object())
      spec.headers[lower_ascii(std::string(k))] = std::string(v.as_string());
  }
  spec.priority = r.contains("priority") ? r.at("priority").as_int64() : 0;  // defaults are not filled inside arrays
  spec.timeout = r.contains("timeout") ? duration_field(r, "timeout", spec.where + ".") : default_timeout;
  spec.path_params = template_params(spec.path);
  const std::set<std::string> params(spec.path_params.begin(), spec.path_params.end());
  const std::string auth = r.contains("auth") ? std::string(r.at("auth").as_string()) : default_auth;
  spec.auth = auth == "required" ? AuthMode::kRequired : auth == "optional" ? AuthMode::kOptional : AuthMode::kNone;
  for (const char* list : {"scopes", "roles"}) {
    if (const auto* items = r.if_contains(list)) {
      for (const auto& item : items->as_array()) {
        (std::string_view(list) == "scopes" ? spec.scopes : spec.roles).emplace(item.as_string());
      }
    }
  }
  if ((!spec.scopes.empty() || !spec.roles.empty()) && spec.auth == AuthMode::kNone) {
    throw invalid(spec.where + ".auth", "scopes or roles need auth: required (or optional)");
  }
  if (const auto* limit = r.if_contains("rate_limit")) {
    spec.rate_limit = limit->as_string() == "none" ? "" : std::string(limit->as_string());
    if (!spec.rate_limit.empty() && !config.rate_limits.contains(spec.rate_limit)) {
      throw invalid(spec.where + ".rate_limit", "no rate_limits entry is named " + spec.rate_limit);
    }
  } else if (config.rate_limits.contains("default")) {
    spec.rate_limit = "default";
  }
  if (spec.auth != AuthMode::kNone && !config.jwt) {
    throw invalid(spec.where + ".auth", "\"" + auth + "\" needs auth.jwt in the gateway's config");
  }

  const TemplateScope scope{params};
  if (const auto* grpc = r.if_contains("grpc")) {
    spec.grpc =
        parse_grpc(grpc->as_object(), spec.where + ".grpc", config, spec.path_params, scope, std::move(param_fields));
  } else if (const auto* http = r.if_contains("http")) {
    spec.http_url = parse_http_target(http->as_object(), spec.where + ".http", scope);
  }
  if (spec.grpc || !spec.http_url.empty()) {
    spec.upstream = upstream_label(spec.grpc, spec.http_url);
  } else {
    spec.parts = parse_parts(r.at("aggregate").as_object(), spec.where, config, spec.path_params, params);
  }
  return spec;
}

}  // namespace

std::string upstream_label(const std::optional<RouteSpec::Grpc>& grpc, const std::string& http_url) {
  if (grpc) return grpc->target + " " + grpc->method.path;
  const size_t scheme = http_url.find("://");
  const size_t path = http_url.find('/', scheme + 3);
  return http_url.substr(0, path);
}

std::shared_ptr<const JwtKeys> load_jwks(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw invalid("auth.jwt.jwks_file", "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return JwtKeys::parse(text.str());
  } catch (const std::invalid_argument& e) {
    throw invalid("auth.jwt.jwks_file", path + ": " + e.what());
  }
}

std::vector<std::string> template_params(const std::string& path) {
  std::vector<std::string> names;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    const size_t close = path.find('}', open);
    if (close == std::string::npos) break;
    std::string name = path.substr(open + 1, close - open - 1);
    if (name.ends_with("...")) name.resize(name.size() - 3);
    names.push_back(std::move(name));
  }
  return names;
}

// A google.api.http path template as an http-server template: "{field}" and
// "{field=*}" are one segment, "{field=**}" (last) the rest; a dotted field
// becomes the parameter "a__b" (the server's names have no dots), recorded in
// `fields`. Anything else (a pattern with literals, a variable with a ":verb")
// cannot be routed by the server: nullopt, with the reason.
std::optional<std::string> server_template(const std::string& google, std::map<std::string, std::string>& fields,
                                           std::string& why) {
  if (!google.starts_with('/')) {
    why = "the path does not start with /";
    return std::nullopt;
  }
  std::string out;
  size_t at = 0;
  while (at < google.size()) {  // at: a '/'
    const size_t start = at + 1;
    if (google.compare(start, 1, "{") != 0) {
      const size_t end = google.find('/', start);
      const std::string segment = google.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (segment.find('{') != std::string::npos) {
        why = "the segment " + segment + " mixes a variable with text";
        return std::nullopt;
      }
      out += "/" + segment;
      at = end == std::string::npos ? google.size() : end;
      continue;
    }
    const size_t close = google.find('}', start);
    if (close == std::string::npos) {
      why = "a { is not closed";
      return std::nullopt;
    }
    const bool last = close + 1 == google.size();
    if (!last && google[close + 1] != '/') {
      why = "the variable " + google.substr(start, close - start + 1) + " is followed by text (a \":verb\")";
      return std::nullopt;
    }
    const std::string inner = google.substr(start + 1, close - start - 1);
    const size_t eq = inner.find('=');
    const std::string field = inner.substr(0, eq);
    const std::string pattern = eq == std::string::npos ? "*" : inner.substr(eq + 1);
    std::string param = field;
    for (size_t dot = param.find('.'); dot != std::string::npos; dot = param.find('.', dot))
      param.replace(dot, 1, "__");
    if (param != field) fields[param] = field;
    if (pattern == "*") {
      out += "/{" + param + "}";
    } else if (pattern == "**" && last) {
      out += "/{" + param + "...}";
    } else {
      why = "the variable pattern " + pattern + " is not routable (only * and a final **)";
      return std::nullopt;
    }
    at = close + 1;
  }
  return out;
}

// Routes for every google.api.http binding of a service's methods
// (config "annotated": [{target, service, auth?, scopes?, roles?, rate_limit?, timeout?}]).
void add_annotated(const json::array& entries, const GatewayConfig& config, std::chrono::milliseconds default_timeout,
                   const std::string& default_auth, std::vector<RouteSpec>& routes) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const json::object& entry = entries[i].as_object();
    const std::string where = "annotated[" + std::to_string(i) + "]";
    std::vector<RpcMethod> methods;
    try {
      methods = config.catalog->methods_of(entry.at("service").as_string());
    } catch (const std::invalid_argument& e) {
      throw invalid(where + ".service", e.what());
    }
    size_t bound = 0;
    for (const RpcMethod& m : methods) {
      for (const HttpBinding& b : ProtoCatalog::http_bindings(m)) {
        std::map<std::string, std::string> fields;
        std::string why;
        auto path = server_template(b.path, fields, why);
        if (!path) throw invalid(where, m.path.substr(1) + " binds " + b.path + ": " + why);
        json::object r;
        for (const char* key : {"auth", "scopes", "roles", "rate_limit", "timeout"}) {
          if (const auto* v = entry.if_contains(key)) r[key] = *v;
        }
        r["name"] = m.path.substr(1);
        r["method"] = b.verb;
        r["path"] = *path;
        r["grpc"] = json::object{{"target", entry.at("target")}, {"method", m.path}};
        RouteSpec spec = parse_route(r, i, config, default_timeout, default_auth, "annotated", std::move(fields));
        spec.grpc->body_field = b.body == "*" ? "" : b.body;
        spec.grpc->response_field = b.response_body;
        routes.push_back(std::move(spec));
        ++bound;
      }
    }
    if (bound == 0)
      throw invalid(
          where, "no method of " + std::string(entry.at("service").as_string()) + " has a google.api.http annotation");
  }
}

GatewayConfig parse_config(const json::object& config) {
  GatewayConfig out;
  std::vector<std::string> files;
  for (const auto& f : config.at("descriptors").as_array()) files.emplace_back(f.as_string());
  try {
    out.catalog = ProtoCatalog::load(files);
  } catch (const std::invalid_argument& e) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, e.what());
  }
  const json::object& style = config.at("json").as_object();
  out.json.proto_field_names = style.at("proto_field_names").as_bool();
  out.json.emit_defaults = style.at("emit_defaults").as_bool();
  const auto default_timeout = duration_field(config, "default_timeout", "");
  static const json::object kNoAuth;
  const json::object& auth = config.contains("auth") ? config.at("auth").as_object() : kNoAuth;
  const std::string default_auth = auth.contains("default") ? std::string(auth.at("default").as_string()) : "none";
  if (const auto* jwt = auth.if_contains("jwt")) {
    const json::object& j = jwt->as_object();
    JwtSettings settings;
    if (const auto* iss = j.if_contains("issuer")) settings.issuer = iss->as_string();
    if (const auto* aud = j.if_contains("audiences")) {
      for (const auto& a : aud->as_array()) settings.audiences.emplace_back(a.as_string());
    }
    if (const auto* algs = j.if_contains("algorithms")) {
      for (const auto& a : algs->as_array()) settings.algorithms.emplace(a.as_string());
    } else {
      settings.algorithms = {"RS256", "ES256"};
    }
    settings.leeway = std::chrono::duration_cast<std::chrono::seconds>(
        j.contains("leeway") ? duration_field(j, "leeway", "auth.jwt.") : std::chrono::milliseconds(60000));
    settings.jwks_file = std::string(j.at("jwks_file").as_string());
    if (const auto* fwd = j.if_contains("forward")) {
      for (const auto& [claim, header] : fwd->as_object()) settings.forward[std::string(claim)] = header.as_string();
    }
    if (j.contains("jwks_check_interval")) {
      out.jwks_check_interval = duration_field(j, "jwks_check_interval", "auth.jwt.");
    }
    out.jwks = load_jwks(settings.jwks_file);
    out.jwt = std::make_shared<const JwtVerifier>(std::move(settings));
  }
  if (const auto* limits = config.if_contains("rate_limits")) {
    for (const auto& [name, value] : limits->as_object()) {
      const json::object& l = value.as_object();
      LimitSpec spec;
      spec.limit.rps = l.at("rps").to_number<double>();
      spec.limit.burst = l.contains("burst") ? l.at("burst").to_number<double>() : std::max(1.0, spec.limit.rps);
      if (l.contains("max_keys")) spec.limit.max_keys = static_cast<size_t>(l.at("max_keys").to_number<int64_t>());
      const std::string key = l.contains("key") ? std::string(l.at("key").as_string()) : "client_ip";
      if (key == "subject") spec.key = LimitSpec::Key::kSubject;
      if (key.starts_with("header:")) {
        spec.key = LimitSpec::Key::kHeader;
        spec.header = lower_ascii(key.substr(7));
      }
      out.rate_limits[std::string(name)] = spec;
    }
  }
  std::vector<RouteSpec> annotated;
  if (const auto* entries = config.if_contains("annotated")) {
    add_annotated(entries->as_array(), out, default_timeout, default_auth, annotated);
  }
  const json::array& routes = config.at("routes").as_array();
  // A route that shares method, path, host, headers and priority with an
  // earlier one could never be chosen: say so instead of hiding it.
  std::set<std::tuple<std::string, std::string, std::string, std::map<std::string, std::string>, int64_t>> seen;
  for (size_t i = 0; i < routes.size(); ++i) {
    RouteSpec spec = parse_route(routes[i].as_object(), i, out, default_timeout, default_auth);
    if (!seen.emplace(spec.method, spec.path, spec.host, spec.headers, spec.priority).second) {
      throw invalid(spec.where, "repeats the method, path, host, headers and priority of an earlier route");
    }
    out.routes.push_back(std::move(spec));
  }
  // Annotated routes after the written ones: a route in "routes" with the same
  // method, path and priority is chosen first (config order breaks the tie).
  for (RouteSpec& spec : annotated) {
    seen.emplace(spec.method, spec.path, spec.host, spec.headers, spec.priority);
    out.routes.push_back(std::move(spec));
  }
  return out;
}

}  // namespace hyperion::plugins::api_gateway
