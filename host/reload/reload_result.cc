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

boost::json::object ReloadResult::to_json() const {
  boost::json::object o;
  o["outcome"] = outcome_name(outcome);
  o["revision"] = revision;
  if (!ok()) o["error"] = boost::json::object{{"plugin", instance}, {"field", field}, {"reason", reason}};
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
