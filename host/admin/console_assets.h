// The admin console's files (host/admin/console/), compiled into the host by
// cmake/EmbedFiles.cmake, and the headers they are served with: a strict
// Content-Security-Policy (scripts and styles only from these files, no inline
// code, no other origin), no framing, no sniffing, no referrer.
// Thread-safety: immutable data.
#pragma once

#include <span>
#include <string_view>
#include <utility>

namespace hyperion::admin {

struct ConsoleAsset {
  std::string_view name;  // "index.html", "console.js", "console.css"
  std::string_view content_type;
  std::string_view body;
};

std::span<const ConsoleAsset> console_assets();

// The asset served at /ui/<name> ("" is index.html), or nullptr.
inline const ConsoleAsset* find_console_asset(std::string_view name) {
  if (name.empty()) name = "index.html";
  for (const ConsoleAsset& a : console_assets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

inline constexpr std::pair<std::string_view, std::string_view> kConsoleHeaders[] = {
    {"content-security-policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
     "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"},
    {"x-frame-options", "DENY"},
    {"x-content-type-options", "nosniff"},
    {"referrer-policy", "no-referrer"},
    {"cache-control", "no-cache"},
};

}  // namespace hyperion::admin
