#include "loader/plugin_metadata.h"

#include <hyperion/plugin.h>

#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "os/elf_file.h"

namespace hyperion::loader {
namespace {

namespace json = boost::json;

// Reads a run of decimal digits at `pos` into *out; false if there is none or it
// does not fit.
bool read_number(std::string_view text, size_t& pos, uint32_t* out) {
  size_t start = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  if (pos == start) return false;
  auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + pos, *out);
  return ec == std::errc() && ptr == text.data() + pos;
}

// "1", "1.2" -> (major, minor)
bool parse_api_version(std::string_view text, uint32_t* major, uint32_t* minor) {
  size_t pos = 0;
  *minor = 0;
  if (!read_number(text, pos, major)) return false;
  if (pos == text.size()) return true;
  if (text[pos] != '.') return false;
  ++pos;
  return read_number(text, pos, minor) && pos == text.size();
}

// Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH, no leading zeros, optional
// -prerelease and +build of [0-9A-Za-z.-].
bool valid_semver(std::string_view v) {
  size_t pos = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (pos >= v.size() || v[pos] != '.') return false;
      ++pos;
    }
    size_t start = pos;
    uint32_t ignored;
    if (!read_number(v, pos, &ignored)) return false;
    if (v[start] == '0' && pos - start > 1) return false;
  }
  auto tail_ok = [&](char lead) {
    if (pos >= v.size() || v[pos] != lead) return true;
    size_t start = ++pos;
    while (pos < v.size() && (std::isalnum(static_cast<unsigned char>(v[pos])) || v[pos] == '.' || v[pos] == '-')) ++pos;
    return pos > start;
  };
  return tail_ok('-') && tail_ok('+') && pos == v.size();
}

// [a-z0-9][a-z0-9_.-]*
bool valid_plugin_name(std::string_view n) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (n.empty() || !lower_alnum(n[0])) return false;
  for (char c : n) {
    if (!lower_alnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

Status parse_api(const json::value& v, const std::string& where, ApiVersion* out, bool* optional) {
  if (!v.is_object()) return invalid_argument(where + ": expected an object {\"api\", \"version\"}");
  const json::object& o = v.as_object();
  for (const auto& kv : o) {
    if (kv.key() != "api" && kv.key() != "version" && !(optional != nullptr && kv.key() == "optional")) {
      return invalid_argument(where + ": unknown key \"" + std::string(kv.key()) + "\"");
    }
  }
  const json::value* api = o.if_contains("api");
  if (api == nullptr || !api->is_string() || api->as_string().empty()) {
    return invalid_argument(where + ".api: expected a non-empty string");
  }
  out->api = std::string(api->as_string());
  const json::value* version = o.if_contains("version");
  if (version == nullptr || !version->is_string() ||
      !parse_api_version(version->as_string(), &out->major, &out->minor)) {
    return invalid_argument(where + ".version: expected \"MAJOR.MINOR\"");
  }
  if (optional != nullptr) {
    const json::value* opt = o.if_contains("optional");
    if (opt != nullptr && !opt->is_bool()) return invalid_argument(where + ".optional: expected a boolean");
    *optional = opt != nullptr && opt->as_bool();
  }
  return ok_status();
}

}  // namespace

bool satisfies(const ApiVersion& provided, const ApiVersion& required) {
  return provided.api == required.api && provided.major == required.major && provided.minor >= required.minor;
}

StatusOr<PluginMetadata> parse_plugin_metadata(std::string_view text, const std::string& origin) {
  const std::string where = origin + ": plugin metadata";
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return invalid_argument(where + " is not valid JSON: " + ec.message());
  if (!doc.is_object()) return invalid_argument(where + " must be a JSON object");
  const json::object& o = doc.as_object();
  static const std::set<std::string> kKeys = {"name",     "version",  "description",  "status",
                                              "provides", "requires", "capabilities", "config_schema"};
  for (const auto& kv : o) {
    if (kKeys.count(std::string(kv.key())) == 0) {
      return invalid_argument(where + ": unknown key \"" + std::string(kv.key()) + "\"");
    }
  }
  PluginMetadata md;
  md.json = std::string(text);
  const json::value* name = o.if_contains("name");
  if (name == nullptr || !name->is_string() || !valid_plugin_name(name->as_string())) {
    return invalid_argument(where + ": \"name\" must be a string matching [a-z0-9][a-z0-9_.-]*");
  }
  md.name = std::string(name->as_string());
  const json::value* version = o.if_contains("version");
  if (version == nullptr || !version->is_string() ||
      !valid_semver(version->as_string())) {
    return invalid_argument(where + ": \"version\" must be a semantic version such as \"1.2.3\"");
  }
  md.version = std::string(version->as_string());
  if (const json::value* d = o.if_contains("description"); d != nullptr && d->is_string()) {
    md.description = std::string(d->as_string());
  }
  if (const json::value* st = o.if_contains("status")) {
    if (!st->is_string() || (st->as_string() != "stable" && st->as_string() != "beta" && st->as_string() != "alpha")) {
      return invalid_argument(where + ": \"status\" must be \"stable\", \"beta\" or \"alpha\"");
    }
    md.status = std::string(st->as_string());
  }
  auto list = [&](const char* key) -> StatusOr<const json::array*> {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return static_cast<const json::array*>(nullptr);
    if (!v->is_array()) return invalid_argument(where + ": \"" + key + "\" must be a list");
    return &v->as_array();
  };
  auto provides = list("provides");
  if (!provides.ok()) return provides.status();
  if (*provides != nullptr) {
    for (size_t i = 0; i < (*provides)->size(); ++i) {
      ApiVersion api;
      HYPERION_RETURN_IF_ERROR(parse_api((**provides)[i], where + ": provides[" + std::to_string(i) + "]", &api, nullptr));
      md.provides.push_back(api);
    }
  }
  auto requires_list = list("requires");
  if (!requires_list.ok()) return requires_list.status();
  if (*requires_list != nullptr) {
    for (size_t i = 0; i < (*requires_list)->size(); ++i) {
      Requirement r;
      HYPERION_RETURN_IF_ERROR(parse_api((**requires_list)[i], where + ": requires[" + std::to_string(i) + "]", &r.api, &r.optional));
      md.requires_.push_back(r);
    }
  }
  auto caps = list("capabilities");
  if (!caps.ok()) return caps.status();
  if (*caps != nullptr) {
    // "swap" (added in 1.1) has no vtable slot: it is a promise (hyperion/plugin.h).
    static const std::set<std::string> kCaps = {"health", "reload", "state", "swap"};
    for (const json::value& c : **caps) {
      if (!c.is_string() || kCaps.count(std::string(c.as_string())) == 0) {
        return invalid_argument(where + ": \"capabilities\" may hold only \"health\", \"reload\", \"state\"");
      }
      md.capabilities.insert(std::string(c.as_string()));
    }
  }
  if (const json::value* schema = o.if_contains("config_schema")) {
    if (!schema->is_object()) return invalid_argument(where + ": \"config_schema\" must be a JSON Schema object");
    md.config_schema = schema->as_object();
  }
  return md;
}

StatusOr<PluginMetadata> read_plugin_metadata(const std::string& path) {
  auto elf = os::ElfFile::open(path);
  if (!elf.ok()) return elf.status().with_prefix("loader");
  return read_plugin_metadata(*elf, path);
}

StatusOr<PluginMetadata> read_plugin_metadata(const os::ElfFile& elf, const std::string& origin) {
  auto section = elf.section(HYPERION_METADATA_SECTION);
  if (!section) {
    return invalid_argument("loader: " + origin + " has no " HYPERION_METADATA_SECTION
                            " section (is it a Hyperion plugin? the SDK's hyperion_add_plugin(... METADATA) or "
                            "HYPERION_METADATA() puts it there)");
  }
  std::string_view text = *section;
  if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
  return parse_plugin_metadata(text, origin);
}

}  // namespace hyperion::loader
