// Shutdown signals: block SIGTERM and SIGINT in every thread (call before
// starting any), then wait for one synchronously — no async-signal-unsafe work in
// a handler, no thread interrupted in plugin code.
#pragma once

namespace hyperion::os {

// Blocks the shutdown signals for this thread and every thread it creates later.
void block_shutdown_signals();
// Waits until SIGTERM or SIGINT arrives; returns its number.
int wait_for_shutdown_signal();

}  // namespace hyperion::os
