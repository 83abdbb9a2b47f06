// #25, one host per state folder: a second host on the same folder is refused
// naming the first (it would overwrite admin.url and share one history), the
// lock goes with the host, and a folder the host creates is private (0700).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::security_test {
namespace {

std::string manifest(const std::string& state_dir) {
  return "app: locked\nhost:\n  state_dir: " + state_dir +
         "\n  log_level: error\n  admin: {enabled: false}\nplugins: []\n";
}

TEST(StateFolder, ASecondHostOnTheSameFolderIsRefusedNamingTheFirst) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  const std::string path = dir.write("app.yaml", manifest(state));
  auto first = app::Host::prepare(path, {});
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  auto second = app::Host::prepare(path, {});
  ASSERT_FALSE(second.ok());
  const std::string message = second.status().to_string();
  EXPECT_NE(message.find("state folder " + state + " is in use by another hyperion (pid " + std::to_string(::getpid())),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("give each host its own host.state_dir"), std::string::npos) << message;
  first->reset();
  auto third = app::Host::prepare(path, {});
  EXPECT_TRUE(third.ok()) << "the lock went with the first host: " << third.status().to_string();
}

TEST(StateFolder, AFolderTheHostCreatesIsPrivate) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/deep/state";
  auto host = app::Host::prepare(dir.write("app.yaml", manifest(state)), {});
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(StateFolder, TheBinaryRefusesASecondRunOnTheSameFolder) {
  testing::TempDir dir;
  const std::string path = dir.write("app.yaml", manifest(dir.path() + "/state"));
  testing::ChildProcess first({testing::hyperion_binary(), "run", path, "--log-level", "info"});
  ASSERT_TRUE(first.wait_for_stderr("all 0 instances started", std::chrono::seconds(10)));
  auto second = testing::run_process({testing::hyperion_binary(), "run", path}, std::chrono::seconds(10));
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("is in use by another hyperion (pid"), std::string::npos) << second.err;
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(std::chrono::seconds(10)).exit_code, 0);
}

}  // namespace
}  // namespace hyperion::security_test
