// ReloadResult: what a reload did, as every trigger learns it — applied as
// revision N, nothing to do, refused before anything changed, or rolled back
// after a commit failed — with the instance, field and reason when it failed,
// and the diff (secrets redacted).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hyperion::loader {
struct LoadedPlugin;
}

namespace hyperion::reload {

// One instance a reload swapped (make-before-break): the library it left, so
// the reloader can check, once nothing holds it, that it left the process.
struct SwapRecord {
  std::string instance;
  std::weak_ptr<loader::LoadedPlugin> old_plugin;
  std::string old_cached_path;  // the mapped copy (loader/library_cache.h)
  std::string old_sha256;
};

enum class ReloadOutcome {
  kApplied,     // every change is running
  kUnchanged,   // the new configuration equals the running one
  kRefused,     // rejected before anything changed (invalid, a prepare failed, breaker open, static change refused)
  kRolledBack,  // a commit failed; everything already committed was rolled back
};

const char* outcome_name(ReloadOutcome outcome);

// Why a reload was refused or rolled back. Callers decide on this, never on the
// reason text: the admin API's status code, config_propose's status, the CLI's
// message.
enum class ReloadError {
  kNone,                  // applied or unchanged
  kInvalidConfiguration,  // the new manifest or proposal is invalid (or changes a host setting that cannot change)
  kManifestUnreadable,    // the manifest file could not be read
  kRefusedByPlugin,       // a plugin's reload_prepare or create failed: nothing changed
  kStaticChangeRefused,   // a restart would be needed and host.reload.refuse_static_changes is set
  kCommitFailed,          // a commit failed and everything was rolled back (outcome kRolledBack)
  kBreakerOpen,           // too many failures in a row: refused until the backoff ends
  kHostStopping,          // the host is stopping: no more reloads
  kProposerStopping,      // the proposing instance is being stopped: its proposal gave up
  kUnknownRevision,       // a rollback to a revision that does not exist
  kSecretsNotRestorable,  // a rollback to a revision whose proposed secrets were never stored
  kSwapFailed,            // a swap's successor failed (create, state, start): the old instance serves on
  kRevisionMoved,         // the request expected another running revision (If-Match): nothing was tried
};

// "invalid_configuration", "breaker_open", ...: the code in JSON answers.
const char* reload_error_name(ReloadError error);
// Whether the same request may succeed later without being changed (breaker
// open, host stopping): config sources and clients retry these.
bool is_transient(ReloadError error);

struct ReloadResult {
  ReloadOutcome outcome = ReloadOutcome::kUnchanged;
  uint64_t revision = 0;  // the revision this attempt was recorded as (0 = not recorded)
  std::string instance;   // which instance failed, if one did
  std::string field;      // which field (JSON Pointer) if known
  std::string reason;     // why, for every outcome but kApplied/kUnchanged
  boost::json::object diff;  // instance -> {"action", "changes": [...]}, secrets redacted
  std::vector<std::string> warnings;  // e.g. a removed instance whose stop failed
  ReloadError error = ReloadError::kNone;  // why, as a code, for every outcome but kApplied/kUnchanged
  std::vector<SwapRecord> swaps;           // applied swaps (their diff entries say "swap")
  bool swap_requested = false;             // the request was a swap (hyperion swap)

  // A refusal before anything was attempted, with its code and reason.
  static ReloadResult refused(ReloadError error, std::string reason) {
    ReloadResult r;
    r.outcome = ReloadOutcome::kRefused;
    r.error = error;
    r.reason = std::move(reason);
    return r;
  }

  [[nodiscard]] bool ok() const { return outcome == ReloadOutcome::kApplied || outcome == ReloadOutcome::kUnchanged; }
  [[nodiscard]] boost::json::object to_json() const;
  // "applied revision 7", "refused: instance \"db\" field /port: ..."
  [[nodiscard]] std::string summary() const;
};

}  // namespace hyperion::reload
