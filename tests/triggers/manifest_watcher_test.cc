#include "triggers/manifest_watcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "support/test_support.h"

namespace hyperion::triggers {
namespace {

using namespace std::chrono_literals;

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(ManifestWatcher, ABurstOfWritesIsOneCallback) {
  testing::TempDir dir;
  std::string path = dir.write("app.yaml", "v: 0\n");
  std::atomic<int> calls{0};
  auto w = ManifestWatcher::start(path, 300ms, [&] { ++calls; });
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  for (int i = 1; i <= 5; ++i) dir.write("app.yaml", "v: " + std::to_string(i) + "\n");
  ASSERT_TRUE(eventually([&] { return calls.load() >= 1; }));
  // The burst was well inside one debounce window: exactly one callback.
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(calls.load(), 1);
}

TEST(ManifestWatcher, SeesARenameOverTheFileAndIgnoresOtherFiles) {
  testing::TempDir dir;
  std::string path = dir.write("app.yaml", "v: 0\n");
  std::atomic<int> calls{0};
  auto w = ManifestWatcher::start(path, 20ms, [&] { ++calls; });
  ASSERT_TRUE(w.ok());
  dir.write("other.yaml", "x\n");
  std::string tmp = dir.write(".app.yaml.swp", "v: 1\n");
  std::filesystem::rename(tmp, path);  // the way many editors save
  ASSERT_TRUE(eventually([&] { return calls.load() >= 1; }));
}

TEST(ManifestWatcher, SeesAKubernetesConfigMapUpdate) {
  // A ConfigMap volume: app.yaml -> ..data/app.yaml, ..data -> ..<version>/.
  // An update writes a new version folder and renames a new ..data symlink
  // over the old one; app.yaml itself is never touched.
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const fs::path root(dir.path());
  fs::create_directory(root / "..v1");
  dir.write("..v1/app.yaml", "v: 0\n");
  fs::create_directory_symlink("..v1", root / "..data");
  fs::create_symlink("..data/app.yaml", root / "app.yaml");
  std::atomic<int> calls{0};
  auto w = ManifestWatcher::start((root / "app.yaml").string(), 20ms, [&] { ++calls; });
  ASSERT_TRUE(w.ok());
  fs::create_directory(root / "..v2");
  dir.write("..v2/app.yaml", "v: 1\n");
  fs::create_directory_symlink("..v2", root / "..data_tmp");
  fs::rename(root / "..data_tmp", root / "..data");
  ASSERT_TRUE(eventually([&] { return calls.load() >= 1; }));
  EXPECT_EQ(testing::read_file((root / "app.yaml").string()), "v: 1\n");
}

TEST(ManifestWatcher, ABusyFileBesideTheManifestDoesNotHoldItsChangesBack) {
  // #24: the quiet period restarted on any event in the folder, so a log
  // written beside the manifest delayed every reload until it stopped.
  testing::TempDir dir;
  std::string path = dir.write("app.yaml", "v: 0\n");
  std::atomic<int> calls{0};
  auto w = ManifestWatcher::start(path, 200ms, [&] { ++calls; });
  ASSERT_TRUE(w.ok());
  std::atomic<bool> busy{true};
  std::thread log([&] {
    for (int i = 0; i < 500 && busy; ++i) {  // a write every 10 ms, for up to 5 s
      dir.write("access.log", std::to_string(i) + "\n");
      std::this_thread::sleep_for(10ms);
    }
  });
  dir.write("app.yaml", "v: 1\n");
  const bool seen = eventually([&] { return calls.load() >= 1; }, 2s);
  busy = false;
  log.join();
  EXPECT_TRUE(seen) << "the change was held back while access.log was busy";
}

TEST(ManifestWatcher, MissingFolderIsAnError) {
  auto w = ManifestWatcher::start("/nonexistent-folder/app.yaml", 20ms, [] {});
  EXPECT_FALSE(w.ok());
}

}  // namespace
}  // namespace hyperion::triggers
