#include "os/signals.h"

#include <pthread.h>
#include <signal.h>

namespace hyperion::os {
namespace {

sigset_t host_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void block_host_signals() {
  sigset_t set = host_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_host_signal() {
  sigset_t set = host_set();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void ignore_broken_pipes() { ::signal(SIGPIPE, SIG_IGN); }

}  // namespace hyperion::os
