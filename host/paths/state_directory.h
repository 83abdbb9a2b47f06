// Where the host keeps its state (the library cache now; the SQLite database
// and admin token later) when the manifest sets no host.state_dir:
//   $HYPERION_STATE_DIR, else $XDG_STATE_HOME/hyperion/<app>, else
//   $HOME/.local/state/hyperion/<app>, else /tmp/hyperion-<uid>/<app>.
// See docs/decisions/0002-state-dir.md.
#pragma once

#include <string>

namespace hyperion::paths {

std::string default_state_dir(const std::string& app);

}  // namespace hyperion::paths
