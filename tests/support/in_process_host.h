// A real host in the test's own process, started from a manifest's plugin
// entries, and its instances' services as a plugin would acquire them. For
// the suites that call a service plugin through its ABI.
#pragma once

#include <hyperion/plugin.hpp>

#include <memory>
#include <string>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::testing {

class InProcessHost {
 public:
  // `plugins_yaml`: the entries under "plugins:" ("  - name: ...\n    library: ...\n").
  // Throws std::runtime_error with the host's error when it does not start.
  explicit InProcessHost(const std::string& plugins_yaml, const std::string& app = "test");
  ~InProcessHost();
  InProcessHost(const InProcessHost&) = delete;
  InProcessHost& operator=(const InProcessHost&) = delete;

  app::Host& host() { return *host_; }
  [[nodiscard]] const TempDir& dir() const { return dir_; }
  // A handle on `instance`'s `api`, released into the registry when dropped
  // (it has no owning instance). Drop it before this host.
  ServiceHandle acquire(const std::string& instance, const char* api, uint32_t major);
  // Applies new plugin entries; the reload summary.
  std::string reload(const std::string& plugins_yaml);
  std::string health(const std::string& instance);
  // Stops the host (once; the destructor does it otherwise).
  void stop();

 private:
  [[nodiscard]] std::string manifest(const std::string& plugins_yaml) const;
  TempDir dir_;
  std::string app_;
  std::unique_ptr<app::Host> host_;
  hyperion_host_api_t api_{};
  bool stopped_ = false;
};

}  // namespace hyperion::testing
