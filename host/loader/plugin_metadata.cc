#include "loader/plugin_metadata.h"

#include <hyperion/plugin.h>

#include <boost/json.hpp>
#include <charconv>
#include <regex>

#include "os/elf_file.h"

namespace hyperion::loader {
namespace {

namespace json = boost::json;

// "1", "1.2" -> (major, minor)
bool parse_api_version(std::string_view text, uint32_t* major, uint32_t* minor) {
  static const std::regex kVersion("([0-9]+)(\\.([0-9]+))?");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, kVersion)) return false;
  *major = static_cast<uint32_t>(std::stoul(m[1].str()));
  *minor = m[3].matched ? static_cast<uint32_t>(std::stoul(m[3].str())) : 0;
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
  static const std::set<std::string> kKeys = {"name", "version", "description", "provides",
                                              "requires", "capabilities", "config_schema"};
  for (const auto& kv : o) {
    if (kKeys.count(std::string(kv.key())) == 0) {
      return invalid_argument(where + ": unknown key \"" + std::string(kv.key()) + "\"");
    }
  }
  PluginMetadata md;
  md.json = std::string(text);
  static const std::regex kName("[a-z0-9][a-z0-9_.-]*");
  const json::value* name = o.if_contains("name");
  if (name == nullptr || !name->is_string() || !std::regex_match(std::string(name->as_string()), kName)) {
    return invalid_argument(where + ": \"name\" must be a string matching [a-z0-9][a-z0-9_.-]*");
  }
  md.name = std::string(name->as_string());
  static const std::regex kSemver(
      "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
  const json::value* version = o.if_contains("version");
  if (version == nullptr || !version->is_string() ||
      !std::regex_match(std::string(version->as_string()), kSemver)) {
    return invalid_argument(where + ": \"version\" must be a semantic version such as \"1.2.3\"");
  }
  md.version = std::string(version->as_string());
  if (const json::value* d = o.if_contains("description"); d != nullptr && d->is_string()) {
    md.description = std::string(d->as_string());
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
    static const std::set<std::string> kCaps = {"health", "reload", "state"};
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
  auto section = elf->section(HYPERION_METADATA_SECTION);
  if (!section) {
    return invalid_argument("loader: " + path + " has no " HYPERION_METADATA_SECTION
                            " section (is it a Hyperion plugin? the SDK's hyperion_add_plugin(... METADATA) or "
                            "HYPERION_METADATA() puts it there)");
  }
  std::string_view text = *section;
  if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
  return parse_plugin_metadata(text, path);
}

}  // namespace hyperion::loader
