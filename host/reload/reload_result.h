// ReloadResult: what a reload did, as every trigger learns it — applied as
// revision N, nothing to do, refused before anything changed, or rolled back
// after a commit failed — with the instance, field and reason when it failed,
// and the diff (secrets redacted).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace hyperion::reload {

enum class ReloadOutcome {
  kApplied,     // every change is running
  kUnchanged,   // the new configuration equals the running one
  kRefused,     // rejected before anything changed (invalid, a prepare failed, breaker open, static change refused)
  kRolledBack,  // a commit failed; everything already committed was rolled back
};

const char* outcome_name(ReloadOutcome outcome);

struct ReloadResult {
  ReloadOutcome outcome = ReloadOutcome::kUnchanged;
  uint64_t revision = 0;  // the revision this attempt was recorded as (0 = not recorded)
  std::string instance;   // which instance failed, if one did
  std::string field;      // which field (JSON Pointer) if known
  std::string reason;     // why, for every outcome but kApplied/kUnchanged
  boost::json::object diff;  // instance -> {"action", "changes": [...]}, secrets redacted
  std::vector<std::string> warnings;  // e.g. a removed instance whose stop failed
  bool invalid = false;  // refused because the new configuration itself is invalid

  // A refusal before anything was attempted, with its reason.
  static ReloadResult refused(std::string reason) {
    ReloadResult r;
    r.outcome = ReloadOutcome::kRefused;
    r.reason = std::move(reason);
    return r;
  }

  [[nodiscard]] bool ok() const { return outcome == ReloadOutcome::kApplied || outcome == ReloadOutcome::kUnchanged; }
  [[nodiscard]] boost::json::object to_json() const;
  // "applied revision 7", "refused: instance \"db\" field /port: ..."
  [[nodiscard]] std::string summary() const;
};

}  // namespace hyperion::reload
