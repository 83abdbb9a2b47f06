// Hot swap through Host (docs/hot-swap.md): make-before-break under a consumer
// that calls in a loop, state handover, every way a swap can fail, library
// choices that stay in force, and 200 swaps that leave nothing behind.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/host.h"
#include "os/file_digest.h"
#include "os/shared_library.h"
#include "support/test_support.h"

namespace hyperion::app {
namespace {

namespace json = boost::json;
using reload::ReloadError;
using reload::ReloadOutcome;

class HostSwapTest : public ::testing::Test {
 protected:
  std::string manifest(const std::string& counter_library, const std::string& counter_extra = "",
                       bool with_consumer = true, const std::string& host_extra = "") {
    std::string m = "app: swap\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: warn\n" + host_extra +
                    "  admin: {enabled: false}\nplugins:\n  - name: counter\n    library: " + counter_library + "\n" +
                    counter_extra;
    if (with_consumer) m += "  - name: consumer\n    library: swappable_consumer\n";
    return m;
  }
  void start(const std::string& text) {
    path_ = dir_.write("app.yaml", text);
    HostOptions options;
    options.plugin_path = {plugin_dir()};
    auto host = Host::prepare(path_, options);
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    ASSERT_TRUE(host_->start().ok());
  }
  static std::string plugin_dir() {
    return std::filesystem::path(testing::test_plugin("swappable_v1")).parent_path().string();
  }
  reload::ReloadResult swap(const std::string& variant) {
    return host_->reloads().swap("counter", {testing::test_plugin(variant), std::nullopt}, "test", "tester");
  }
  json::object details(const std::string& instance) {
    auto report = host_->instance_health(instance);
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    if (!report.ok()) return {};
    return json::parse(*report).at("details").as_object();
  }
  int64_t consumer_calls() { return details("consumer").at("calls").as_int64(); }
  // Waits until the consumer made `more` calls beyond now.
  void let_consumer_call(int64_t more = 50) {
    int64_t target = consumer_calls() + more;
    ASSERT_TRUE(testing::eventually([&] { return consumer_calls() >= target; }));
  }
  std::string counter_build() { return std::string(details("counter").at("build").as_string()); }
  // Mapped copies of swappable builds (the cache names them by content).
  static int mapped_swappables() {
    std::ifstream maps("/proc/self/maps");
    std::set<std::string> paths;
    for (std::string line; std::getline(maps, line);) {
      if (line.find("/swappable_") != std::string::npos) paths.insert(line.substr(line.find('/')));
    }
    return static_cast<int>(paths.size());
  }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Host> host_;
};

TEST_F(HostSwapTest, SwapUnderACallingConsumerLosesNoCallKeepsTheCountAndUnloadsTheOldLibrary) {
  start(manifest("swappable_v1"));
  let_consumer_call();
  const int64_t started_at = details("consumer").at("started_at_ns").as_int64();
  for (const char* variant : {"swappable_v2", "swappable_v1", "swappable_v2"}) {
    int64_t count_before = details("counter").at("count").as_int64();
    auto r = swap(variant);
    ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
    const json::object& entry = r.diff.at("counter").as_object();
    EXPECT_EQ(entry.at("action"), "swap");
    EXPECT_GT(entry.at("state_bytes").as_uint64(), 9u);  // "counter/1 <n>"
    const json::object& old_library = entry.at("old_library").as_object();
    EXPECT_TRUE(old_library.at("unloaded").as_bool()) << json::serialize(old_library);
    EXPECT_FALSE(os::SharedLibrary::is_loaded(std::string(old_library.at("path").as_string())));
    EXPECT_EQ(counter_build(), std::string(variant).substr(std::string("swappable_").size()));
    EXPECT_GE(details("counter").at("count").as_int64(), count_before);  // handed over, not reset
    EXPECT_EQ(r.diff.count("consumer"), 0u);                             // not touched
    let_consumer_call();
  }
  EXPECT_EQ(details("consumer").at("failures").as_int64(), 0);
  EXPECT_EQ(details("consumer").at("started_at_ns").as_int64(), started_at);  // never restarted
  EXPECT_EQ(mapped_swappables(), 2);  // the consumer and the counter's current build
  // The status names the library in force and its hash.
  AppSnapshot snap = host_->snapshot();
  bool found = false;
  for (const auto& i : snap.instances) {
    if (i.name != "counter") continue;
    found = true;
    EXPECT_NE(i.library.find("swappable_v2"), std::string::npos) << i.library;
  }
  EXPECT_TRUE(found);
}

TEST_F(HostSwapTest, EveryFailedSwapLeavesTheOldInstanceServingWithItsCount) {
  // A failed swap counts in the reload breaker like any failed reload; this
  // test wants every case to get as far as the plugin.
  start(manifest("swappable_v1", "    start_timeout_ms: 300\n", true, "  reload: {breaker: {failures: 100}}\n"));
  let_consumer_call();
  struct Case {
    const char* variant;
    ReloadOutcome outcome;
    ReloadError error;
    const char* says;
  };
  const Case cases[] = {
      {"swappable_fail_create", ReloadOutcome::kRefused, ReloadError::kSwapFailed, "refuses to be created"},
      {"swappable_fail_start", ReloadOutcome::kRolledBack, ReloadError::kSwapFailed, "refuses to start"},
      {"swappable_hang_start", ReloadOutcome::kRolledBack, ReloadError::kSwapFailed, "did not return"},
      {"swappable_refuse_state", ReloadOutcome::kRolledBack, ReloadError::kSwapFailed, "refused the old one's state"},
      {"abi_bad_major", ReloadOutcome::kRefused, ReloadError::kInvalidConfiguration, "major"},
      {"swappable_other_api", ReloadOutcome::kRefused, ReloadError::kInvalidConfiguration, "test.counter"},
  };
  uint64_t revision = host_->reloads().current_revision();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.variant);
    int64_t count_before = details("counter").at("count").as_int64();
    auto r = swap(c.variant);
    EXPECT_EQ(r.outcome, c.outcome) << r.summary();
    EXPECT_EQ(r.error, c.error) << r.summary();
    EXPECT_EQ(r.instance, "counter");
    EXPECT_NE(r.summary().find(c.says), std::string::npos) << r.summary();
    EXPECT_EQ(counter_build(), "v1");
    EXPECT_GE(details("counter").at("count").as_int64(), count_before);
    let_consumer_call();
    if (c.error == ReloadError::kSwapFailed) {
      EXPECT_GT(r.revision, revision);  // recorded
      auto stored = host_->store().revision(r.revision);
      ASSERT_TRUE(stored.ok());
      EXPECT_NE(stored->error.find("swap_failed"), std::string::npos) << stored->error;
      revision = r.revision;
    }
  }
  EXPECT_EQ(details("consumer").at("failures").as_int64(), 0);
  EXPECT_EQ(host_->reloads().current_revision(), 1u);  // nothing was applied
}

TEST_F(HostSwapTest, ASwappedLibraryStaysUntilTheManifestChangesItAndRollbackRestoresIt) {
  start(manifest("swappable_v1", "", false));
  ASSERT_EQ(swap("swappable_v2").outcome, ReloadOutcome::kApplied);
  const uint64_t swapped = host_->reloads().current_revision();
  // An unrelated edit of the file keeps v2 (the label is static: the plugin swaps for it).
  dir_.write("app.yaml", manifest("swappable_v1", "    config: {label: x}\n", false));
  auto r = host_->reloads().reload_from_file("test");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.diff.at("counter").at("action"), "swap");  // "swap" capability: make-before-break
  EXPECT_EQ(counter_build(), "v2");
  // The manifest naming another library is the newer intent: it wins.
  dir_.write("app.yaml", manifest(testing::test_plugin("swappable_v1") +
                                      "\n    sha256: " + *os::sha256_file(testing::test_plugin("swappable_v1")),
                                  "    config: {label: x}\n", false));
  r = host_->reloads().reload_from_file("test");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(counter_build(), "v1");
  // Rolling back to the swap's revision brings v2 back.
  r = host_->reloads().rollback(swapped, "tester");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(counter_build(), "v2");
}

TEST_F(HostSwapTest, AnUnknownInstanceOrAWrongPinIsRefused) {
  start(manifest("swappable_v1", "", false));
  auto r = host_->reloads().swap("nope", {testing::test_plugin("swappable_v2"), std::nullopt}, "test", "tester");
  EXPECT_EQ(r.error, ReloadError::kInvalidConfiguration);
  EXPECT_NE(r.reason.find("no instance \"nope\""), std::string::npos) << r.reason;
  r = host_->reloads().swap("counter", {testing::test_plugin("swappable_v2"), std::string(64, '0')}, "test", "tester");
  EXPECT_EQ(r.error, ReloadError::kInvalidConfiguration);
  EXPECT_NE(r.reason.find("sha256 mismatch"), std::string::npos) << r.reason;
  EXPECT_EQ(counter_build(), "v1");
}

TEST_F(HostSwapTest, AProviderWithoutSwapUnderItsConsumersIsNotSwappedButSaysWhy) {
  // behave-provider does not declare "swap": what its consumer set up inside it
  // would be lost, so hyperion swap refuses, and a manifest edit restarts both.
  start("app: swap\nhost:\n  state_dir: " + dir_.path() +
        "/state\n  log_level: warn\n  admin: {enabled: false}\nplugins:\n"
        "  - name: p\n    library: behave_provider\n"
        "  - name: c\n    library: behave_consumer\n");
  const std::string rebuilt =
      testing::rebuilt_copy(testing::test_plugin("behave_provider"), dir_.path() + "/behave-provider-rebuilt.so");
  auto r = host_->reloads().swap("p", {rebuilt, std::nullopt}, "test", "tester");
  EXPECT_EQ(r.error, ReloadError::kSwapFailed) << r.summary();
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_NE(r.reason.find("provides test.api to \"c\""), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("change its library: in the manifest"), std::string::npos) << r.reason;
  host_->facilities().events.flush();  // the bus delivers to the store on its own thread
  host_->store().flush();
  auto events = host_->store().events_after(0, 10000);
  ASSERT_TRUE(events.ok());
  bool announced = false;
  for (const auto& e : *events) {
    announced = announced || (e.type == "dev.hyperion.plugin.swap_failed" && e.json.find("\"p\"") != std::string::npos);
  }
  EXPECT_TRUE(announced) << "a refused swap is announced like a failed one";
  // The manifest edit is a restart, consumer included.
  std::string text = testing::read_file(path_);
  text.replace(text.find("library: behave_provider"), 24, "library: " + rebuilt);
  r = host_->reloads().reload({"test", "tester", text, std::nullopt});
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.diff.at("p").at("action"), "restart");
  EXPECT_EQ(r.diff.at("c").at("action"), "restart");
}

TEST_F(HostSwapTest, ALibraryThatStaysMappedIsReportedPinnedWithTheReason) {
  start(manifest("swappable_v1", "", false));
  ASSERT_EQ(swap("swappable_pinned").outcome, ReloadOutcome::kApplied);
  auto r = swap("swappable_v2");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  const json::object& old_library = r.diff.at("counter").at("old_library").as_object();
  EXPECT_FALSE(old_library.at("unloaded").as_bool());
  EXPECT_NE(json::serialize(old_library).find("UNIQUE"), std::string::npos) << json::serialize(old_library);
  EXPECT_EQ(counter_build(), "v2");
}

TEST_F(HostSwapTest, FailedSwapsOpenTheReloadBreaker) {
  start(manifest("swappable_v1", "", false));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(swap("swappable_fail_start").error, ReloadError::kSwapFailed);
  auto r = swap("swappable_v2");
  EXPECT_EQ(r.error, ReloadError::kBreakerOpen) << r.summary();
  EXPECT_EQ(counter_build(), "v1");
}

// Open descriptors, threads and mapped libraries of this process.
struct Footprint {
  int fds = 0;
  int threads = 0;
  long rss_kib = 0;
  static int count_entries(const char* dir) {
    int n = 0;
    if (DIR* d = ::opendir(dir)) {
      while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
      ::closedir(d);
    }
    return n;
  }
  static Footprint now() {
    Footprint f;
    f.fds = count_entries("/proc/self/fd");
    f.threads = count_entries("/proc/self/task");
    long pages = 0, resident = 0;
    if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
      std::fclose(statm);
    }
    f.rss_kib = resident * (::sysconf(_SC_PAGESIZE) / 1024);
    return f;
  }
};

TEST_F(HostSwapTest, TwoHundredSwapsLeaveNothingBehind) {
  start(manifest("swappable_v1"));
  let_consumer_call();
  // Warm up: the first swaps start the call runner's workers and the logger.
  ASSERT_EQ(swap("swappable_v2").outcome, ReloadOutcome::kApplied);
  ASSERT_EQ(swap("swappable_v1").outcome, ReloadOutcome::kApplied);
  const Footprint before = Footprint::now();
  const int mapped_before = mapped_swappables();
  for (int i = 0; i < 200; ++i) {
    auto r = swap(i % 2 == 0 ? "swappable_v2" : "swappable_v1");
    ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << i << ": " << r.summary();
    ASSERT_TRUE(r.diff.at("counter").at("old_library").at("unloaded").as_bool()) << i;
  }
  const Footprint after = Footprint::now();
  std::printf("200 swaps: fds %d -> %d, threads %d -> %d, rss %ld -> %ld KiB, mapped swappable libraries %d -> %d\n",
              before.fds, after.fds, before.threads, after.threads, before.rss_kib, after.rss_kib, mapped_before,
              mapped_swappables());
  EXPECT_LE(after.fds, before.fds);
  EXPECT_LE(after.threads, before.threads + 2);  // idle call-runner workers may differ by one or two
  EXPECT_EQ(mapped_swappables(), mapped_before);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // (Under the sanitizers freed memory sits in quarantine and shadow: RSS grows
  // by design there, so only the plain build judges it.)
  EXPECT_LT(after.rss_kib - before.rss_kib, 16 * 1024);
#endif
  EXPECT_EQ(details("consumer").at("failures").as_int64(), 0);
  // The cache keeps what is mapped: the consumer's and the counter's current build.
  EXPECT_EQ(Footprint::count_entries((dir_.path() + "/state/cache").c_str()), 2);
}

}  // namespace
}  // namespace hyperion::app
