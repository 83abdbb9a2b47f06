// Where a host keeps its state when the manifest does not say
// (docs/manifest.md, "State directory"): the documented order of variables.
#include "paths/state_directory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace hyperion::paths {
namespace {

// Sets (or unsets) variables for one test and puts the old values back.
class Environment {
 public:
  void set(const char* name, std::optional<std::string> value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    value ? ::setenv(name, value->c_str(), 1) : ::unsetenv(name);
  }
  ~Environment() {
    for (const auto& [name, value] : saved_)
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST(StateDirectory, FollowsTheDocumentedOrderOfVariables) {
  Environment env;
  env.set("HYPERION_STATE_DIR", "/srv/shop-state");
  env.set("STATE_DIRECTORY", "/var/lib/hyperion:/var/lib/other");
  env.set("XDG_STATE_HOME", "/home/ada/.state");
  env.set("HOME", "/home/ada");
  EXPECT_EQ(default_state_dir("shop"), "/srv/shop-state");
  env.set("HYPERION_STATE_DIR", std::nullopt);
  EXPECT_EQ(default_state_dir("shop"), "/var/lib/hyperion/shop");  // systemd's StateDirectory=, the first
  env.set("STATE_DIRECTORY", "");
  EXPECT_EQ(default_state_dir("shop"), "/home/ada/.state/hyperion/shop");
  env.set("XDG_STATE_HOME", std::nullopt);
  EXPECT_EQ(default_state_dir("shop"), "/home/ada/.local/state/hyperion/shop");
  env.set("HOME", std::nullopt);
  EXPECT_EQ(default_state_dir("shop"), "/tmp/hyperion-" + std::to_string(::getuid()) + "/shop");
}

}  // namespace
}  // namespace hyperion::paths
