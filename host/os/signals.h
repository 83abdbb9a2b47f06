// The host's signals: SIGTERM and SIGINT (stop) and SIGHUP (reload). They are
// blocked in every thread (call before starting any) and taken synchronously by
// one thread — no async-signal-unsafe work in a handler, no thread interrupted
// in plugin code.
#pragma once

namespace hyperion::os {

// Blocks the host's signals for this thread and every thread it creates later.
void block_host_signals();
// Waits until SIGTERM, SIGINT or SIGHUP arrives; returns its number.
int wait_for_host_signal();

}  // namespace hyperion::os
