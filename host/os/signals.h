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

// A peer that closes a connection while the host writes to it makes that
// write fail (EPIPE), instead of ending the process with SIGPIPE. Asio and
// gRPC send with MSG_NOSIGNAL, but a TLS client writing through OpenSSL's
// socket BIO (cpp-httplib's, in the stores of consul-config and discovery)
// uses plain write(): an etcd or Consul closing a kept-alive TLS connection
// killed whatever process held the plugin. Process-wide, so called first in main.
void ignore_broken_pipes();

}  // namespace hyperion::os
