#include "manifest/interpolation.h"

#include <cstdlib>
#include <filesystem>

#include "os/read_file.h"

namespace hyperion::manifest {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

StatusOr<std::string> read_secret_file(const std::string& path, const InterpolationEnv& env) {
  if (path.empty()) return invalid_argument("${file:} needs a path");
  std::filesystem::path p(path);
  if (p.is_relative() && !env.base_dir.empty()) p = std::filesystem::path(env.base_dir) / p;
  // Only a regular file of bounded size: a manifest (or a reload through the
  // admin API) naming /dev/zero, a FIFO or a huge file must get an error, not
  // hang the host or fill its memory.
  auto text = os::read_file(p.string(), os::kMaxSmallFileBytes);
  if (!text.ok()) return invalid_argument("${file:" + path + "}: " + text.status().message());
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  return std::move(*text);
}

}  // namespace

InterpolationEnv process_env(std::string base_dir) {
  return {[](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            if (v == nullptr) return std::nullopt;
            return std::string(v);
          },
          std::move(base_dir)};
}

namespace {
// NAME.segment[.segment...]: letters, digits and underscores around dots.
bool dotted_path(std::string_view body) {
  if (body.find('.') == std::string_view::npos || body.front() == '.' || body.back() == '.') return false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const bool ok = c == '.' ? body[i - 1] != '.' : is_name_char(c);
    if (!ok) return false;
  }
  return true;
}
}  // namespace

StatusOr<Interpolated> interpolate(std::string_view raw, const InterpolationEnv& env) {
  Interpolated out;
  size_t i = 0;
  while (i < raw.size()) {
    if (raw.compare(i, 3, "$${") == 0) {
      out.value += "${";
      out.changed = true;
      i += 3;
      continue;
    }
    if (raw.compare(i, 2, "${") != 0) {
      out.value += raw[i++];
      continue;
    }
    size_t close = raw.find('}', i + 2);
    if (close == std::string_view::npos) {
      return invalid_argument("unterminated \"${\" in \"" + std::string(raw) + "\"");
    }
    std::string_view body = raw.substr(i + 2, close - i - 2);
    out.changed = true;
    if (body.starts_with("file:")) {
      auto text = read_secret_file(std::string(body.substr(5)), env);
      if (!text.ok()) return text.status();
      out.value += *text;
      out.secret = true;
    } else {
      size_t n = 0;
      if (body.empty() || !is_name_start(body[0])) {
        return invalid_argument("bad variable reference \"${" + std::string(body) + "}\"");
      }
      while (n < body.size() && is_name_char(body[n])) ++n;
      std::string name(body.substr(0, n));
      std::string_view rest = body.substr(n);
      std::optional<std::string> value = env.getenv(name);
      if (rest.empty()) {
        if (!value) return invalid_argument("environment variable " + name + " is not set (use ${" + name + ":-default} for a default)");
        out.value += *value;
      } else if (rest.starts_with(":-")) {
        out.value += (value && !value->empty()) ? *value : std::string(rest.substr(2));
      } else if (dotted_path(body)) {
        // ${part.field}: a plugin's own reference (the api-gateway's aggregate
        // parts); no environment variable has a dot in its name.
        out.value += "${" + std::string(body) + "}";
      } else {
        return invalid_argument("bad variable reference \"${" + std::string(body) + "}\" (expected ${NAME} or ${NAME:-default})");
      }
    }
    i = close + 1;
  }
  return out;
}

}  // namespace hyperion::manifest
