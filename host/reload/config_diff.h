// ConfigDiff: what changed between two configs of one instance, field by field
// (JSON Pointers), each change classified from the plugin's schema as dynamic
// (`"x-dynamic": true` on the field or an enclosing object; applied by a live
// reload) or static (needs a restart), and as secret (`"x-secret": true`, or a
// value that came from ${file:...}; secrets/secret_fields.h). Changes hold their
// values only redacted, so no rendering of a diff can leak a secret.
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace hyperion::reload {

struct FieldChange {
  enum class Op { kAdd, kRemove, kReplace };
  std::string path;  // JSON Pointer inside the config ("/db/port")
  Op op = Op::kReplace;
  bool dynamic = false;
  bool secret = false;
  boost::json::value old_value;  // redacted; null for kAdd
  boost::json::value new_value;  // redacted; null for kRemove
};

const char* op_name(FieldChange::Op op);

// Compares two configs. Objects are compared key by key, everything else
// (including arrays) as a whole. `secret_fields` are pointers whose values came
// from ${file:...} (in either config).
std::vector<FieldChange> diff_config(const boost::json::object& old_config, const boost::json::object& new_config,
                                     const boost::json::object& schema, const std::set<std::string>& secret_fields);

// [{"path", "op", "dynamic", "secret", "old", "new"}], secrets redacted.
boost::json::array changes_to_json(const std::vector<FieldChange>& changes);
// [{"path", "op"}]: the diff handed to a plugin's reload_prepare (no values).
std::string changes_to_abi_json(const std::vector<FieldChange>& changes);

}  // namespace hyperion::reload
