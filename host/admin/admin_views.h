// The admin API's JSON views of an AppSnapshot (app/operator_access.h) and of
// stored revisions. Only rendering: what to show is decided by the rooms that
// made the snapshot (secrets are already redacted there).
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json.hpp>

#include "app/operator_access.h"
#include "state/state_store.h"

namespace hyperion::admin {

// GET /v1/status: {"app", "phase", "revision", "instances": [{name, state, plugin, version, sha256, library}],
// "edges": [{provider, dependent, reason, optional}] (the start order's graph), "breaker"}
boost::json::object status_view(const app::AppSnapshot& snap);
// GET /v1/plugins: [{name, state, plugin, version, status, abi_minor, sha256, library, provides, requires,
// capabilities}]
boost::json::array plugins_view(const app::AppSnapshot& snap);
// GET /v1/config: {"manifest", "revision", "instances": {name: effective config},
//   "sources": {name: {JSON Pointer: source}} (fields set by config sources; the rest is
//   the manifest's or a default), "layers": [config sources' layers]}
boost::json::object config_view(const app::AppSnapshot& snap);
// One revision; `full` adds its manifest and diff.
boost::json::object revision_view(const state::Revision& revision, bool full);

}  // namespace hyperion::admin
