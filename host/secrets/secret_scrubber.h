// SecretScrubber: the secret values the host has handed to plugins (fields
// marked "x-secret" in a plugin's schema, and values read with ${file:...}),
// and the one place that removes them from text plugins give back to the host.
// Configs are redacted where the host renders them (secrets/secret_fields.h); this
// covers what a plugin writes itself: its log lines, error messages, health
// reports, events and metric labels. A plugin that prints to stdout or sends a
// secret over its own sockets is out of the host's reach (docs/security.md).
//
// Secrets are kept for the life of the process, old ones included: a plugin may
// still hold (and log) a secret a reload replaced. Values shorter than
// kMinLength are not scrubbed (they would mangle ordinary text and are not
// secrets worth the name).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "secrets/redaction.h"

namespace hyperion::secrets {

class SecretScrubber {
 public:
  static constexpr size_t kMinLength = 4;

  // Adds values (duplicates and short ones are ignored). Each is also kept in
  // its JSON-escaped form, so a secret inside JSON text is found as well.
  void add(const std::vector<std::string>& values);

  // `text` with every known secret replaced by kRedactedMarker.
  [[nodiscard]] std::string scrub(std::string_view text) const;
  // Scrubs `text` in place; false when there was nothing to replace.
  bool scrub_in_place(std::string& text) const;
  // Scrubs a health report as JSON values, not as text: the message, and in
  // the details every key, string and number equal to a numeric secret. The
  // report's own structure ("status") is never touched, so a secret that is a
  // word reports use ("healthy") cannot make every report invalid (#25 point
  // 10). A report that is not JSON is scrubbed as text (it is refused anyway).
  bool scrub_health_report(std::string& report) const;

  // Whether any secret is known (no lock).
  [[nodiscard]] bool active() const { return any_.load(std::memory_order_acquire); }

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::string> secrets_;  // longest first, so a secret inside another is not left half-replaced
  std::vector<double> numbers_;       // secrets that are numbers: matched by value in JSON (1234 = 1.234E3)
  std::atomic<bool> any_{false};      // the common case (no secrets) takes no lock
};

}  // namespace hyperion::secrets
