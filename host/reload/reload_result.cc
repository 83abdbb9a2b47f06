#include "reload/reload_result.h"

namespace hyperion::reload {

const char* outcome_name(ReloadOutcome outcome) {
  switch (outcome) {
    case ReloadOutcome::kApplied: return "applied";
    case ReloadOutcome::kUnchanged: return "unchanged";
    case ReloadOutcome::kRefused: return "refused";
    case ReloadOutcome::kRolledBack: return "rolled_back";
  }
  return "?";
}

const char* reload_error_name(ReloadError error) {
  switch (error) {
    case ReloadError::kNone: return "none";
    case ReloadError::kInvalidConfiguration: return "invalid_configuration";
    case ReloadError::kManifestUnreadable: return "manifest_unreadable";
    case ReloadError::kRefusedByPlugin: return "refused_by_plugin";
    case ReloadError::kStaticChangeRefused: return "static_change_refused";
    case ReloadError::kCommitFailed: return "commit_failed";
    case ReloadError::kBreakerOpen: return "breaker_open";
    case ReloadError::kHostStopping: return "host_stopping";
    case ReloadError::kProposerStopping: return "proposer_stopping";
    case ReloadError::kUnknownRevision: return "unknown_revision";
    case ReloadError::kSecretsNotRestorable: return "secrets_not_restorable";
    case ReloadError::kSwapFailed: return "swap_failed";
    case ReloadError::kRevisionMoved: return "revision_moved";
  }
  return "?";
}

bool is_transient(ReloadError error) {
  return error == ReloadError::kBreakerOpen || error == ReloadError::kHostStopping ||
         error == ReloadError::kProposerStopping;
}

boost::json::object ReloadResult::to_json() const {
  boost::json::object o;
  o["outcome"] = outcome_name(outcome);
  o["revision"] = revision;
  if (!ok()) {
    o["error"] = boost::json::object{
        {"code", reload_error_name(error)}, {"plugin", instance}, {"field", field}, {"reason", reason}};
  }
  o["diff"] = diff;
  if (!warnings.empty()) {
    boost::json::array w;
    for (const std::string& s : warnings) w.emplace_back(s);
    o["warnings"] = std::move(w);
  }
  return o;
}

std::string ReloadResult::summary() const {
  std::string out = outcome_name(outcome);
  if (revision != 0) out += " (revision " + std::to_string(revision) + ")";
  if (!ok()) {
    out += ": ";
    if (!instance.empty()) out += "instance \"" + instance + "\" ";
    if (!field.empty()) out += "field " + field + " ";
    out += reason;
  }
  return out;
}

}  // namespace hyperion::reload
