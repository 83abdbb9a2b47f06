// The difference between any two stored revisions (GET /v1/revisions/{a}/diff/{b}):
// their manifests as written (${...} references unresolved) compared field by
// field — the app's name and host settings, and per instance its manifest
// entry (library, pin, order, timeouts, config), the configs proposed on top of
// the manifest (`overrides`, from config sources) and a library swapped in
// (`swapped`). Changes are classified and redacted by the schema of the
// running plugin of the same instance; an instance that does not run now has
// no schema to say which fields are secret, so its config values are all
// redacted ("schema_known": false).
// Thread-safety: a pure function over values.
#pragma once

#include <boost/json.hpp>

#include "app/operator_access.h"
#include "base/status.h"
#include "state/state_store.h"

namespace hyperion::admin {

// {"from", "to", "app": [changes], "host": [changes], "instances": {name: {"action":
// "add"|"remove"|"change", "schema_known", "changes": [{path, op, dynamic, secret, old, new}]}}}
// (unchanged instances are left out). kInvalidArgument when a manifest cannot be read.
StatusOr<boost::json::object> diff_revisions(const state::Revision& from, const state::Revision& to,
                                             const app::AppSnapshot& now);

}  // namespace hyperion::admin
