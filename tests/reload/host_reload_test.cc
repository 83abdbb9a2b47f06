// Atomic reload through Host: all of a new configuration or none of it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "app/host.h"
#include "support/fnv1a.h"
#include "support/test_support.h"

namespace hyperion::app {
namespace {

using reload::ReloadError;
using reload::ReloadOutcome;
using Lines = std::vector<std::string>;

class HostReloadTest : public ::testing::Test {
 protected:
  // `instances`: name -> config lines (indented 6 spaces), all behave_plain unless named "p*".
  std::string manifest(const std::vector<std::pair<std::string, std::string>>& instances,
                       const std::string& host_extra = "") {
    std::string m = "app: reload\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: warn\n" + host_extra +
                    "plugins:\n";
    for (const auto& [name, config] : instances) {
      m += "  - name: " + name + "\n    library: behave_plain\n    config:\n      journal: " + journal_ + "\n" + config;
    }
    return m;
  }
  void start(const std::string& text) {
    std::string path = dir_.write("app.yaml", text);
    HostOptions options;
    options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()};
    auto host = Host::prepare(path, options);
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    ASSERT_TRUE(host_->start().ok());
  }
  reload::ReloadResult reload(const std::string& text) {
    return host_->reloads().reload({"test", "tester", text, std::nullopt});
  }
  boost::json::object effective(const std::string& name) {
    auto report = host_->instance_health(name);
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    if (!report.ok()) return {};
    return boost::json::parse(*report).at("details").at("config").as_object();
  }
  // The host scrubs secrets out of health reports: behave reports its
  // password's FNV-1a hash so tests can tell which one runs.
  std::string running_password_fnv1a(const std::string& name) {
    auto report = host_->instance_health(name);
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    if (!report.ok()) return {};
    return std::string(boost::json::parse(*report).at("details").at("password_fnv1a").as_string());
  }
  Lines journal() {
    Lines lines;
    std::istringstream in(testing::read_file(journal_));
    for (std::string line; std::getline(in, line);) {
      if (!line.starts_with("health ")) lines.push_back(line);  // effective() reads health
    }
    std::filesystem::remove(journal_);
    return lines;
  }

  testing::TempDir dir_;
  std::string journal_ = dir_.path() + "/journal";
  std::unique_ptr<Host> host_;
};

TEST_F(HostReloadTest, DynamicChangeIsReloadedInPlace) {
  start(manifest({{"a", "      value: 1\n"}, {"b", ""}}));
  journal();
  auto r = reload(manifest({{"a", "      value: 2\n"}, {"b", ""}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.revision, 2u);  // 1 is what started
  EXPECT_EQ(effective("a").at("value").as_int64(), 2);
  EXPECT_EQ(journal(), (Lines{"reload_prepare a", "reload_commit a"}));
  EXPECT_EQ(boost::json::serialize(r.diff.at("a").at("changes")),
            R"([{"path":"/value","op":"replace","dynamic":true,"secret":false,"old":1,"new":2}])");
}

TEST_F(HostReloadTest, SameConfigIsUnchanged) {
  start(manifest({{"a", "      value: 1\n"}}));
  auto r = reload(manifest({{"a", "      value: 1\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kUnchanged);
  EXPECT_EQ(r.revision, 0u);
}

TEST_F(HostReloadTest, StaticChangeRestartsTheInstance) {
  start(manifest({{"a", "      static_value: 1\n"}}));
  journal();
  auto r = reload(manifest({{"a", "      static_value: 2\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.diff.at("a").at("action").as_string(), "restart");
  EXPECT_EQ(journal(), (Lines{"create a", "stop a", "destroy a", "start a"}));
  EXPECT_EQ(effective("a").at("static_value").as_int64(), 2);
}

TEST_F(HostReloadTest, StaticChangeCanBeRefused) {
  const std::string policy = "  reload:\n    static_changes: refuse\n";
  start(manifest({{"a", "      static_value: 1\n"}}, policy));
  journal();
  auto r = reload(manifest({{"a", "      static_value: 2\n      value: 5\n"}}, policy));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(r.error, ReloadError::kStaticChangeRefused);
  EXPECT_EQ(r.instance, "a");
  EXPECT_EQ(r.field, "/static_value");
  EXPECT_NE(r.reason.find("refuse reloads that need a restart"), std::string::npos) << r.reason;
  EXPECT_TRUE(journal().empty());
  EXPECT_EQ(effective("a").at("value").as_int64(), 0);
}

TEST_F(HostReloadTest, PrepareFailureChangesNothing) {
  start(manifest({{"a", ""}, {"b", ""}, {"c", ""}}));
  journal();
  auto r = reload(manifest({{"a", "      value: 1\n"}, {"b", "      value: 1\n      fail_prepare: true\n"},
                            {"c", "      value: 1\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused) << r.summary();
  EXPECT_EQ(r.error, ReloadError::kRefusedByPlugin);
  EXPECT_EQ(r.instance, "b");
  EXPECT_NE(r.reason.find("fail_prepare is set"), std::string::npos) << r.reason;
  EXPECT_EQ(journal(), (Lines{"reload_prepare a", "reload_prepare b", "reload_abort a"}));
  for (const char* n : {"a", "b", "c"}) EXPECT_EQ(effective(n).at("value").as_int64(), 0) << n;
}

TEST_F(HostReloadTest, CommitFailureRollsTheCommittedBack) {
  start(manifest({{"a", ""}, {"b", ""}, {"c", ""}}));
  journal();
  auto r = reload(manifest({{"a", "      value: 1\n"}, {"b", "      value: 1\n      fail_commit: true\n"},
                            {"c", "      value: 1\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRolledBack) << r.summary();
  EXPECT_EQ(r.error, ReloadError::kCommitFailed);
  EXPECT_EQ(r.instance, "b");
  EXPECT_NE(r.reason.find("commit failed"), std::string::npos) << r.reason;
  EXPECT_EQ(journal(), (Lines{"reload_prepare a", "reload_prepare b", "reload_prepare c", "reload_commit a",
                              "reload_commit b", "reload_prepare a", "reload_commit a", "reload_abort c"}));
  for (const char* n : {"a", "b", "c"}) EXPECT_EQ(effective(n).at("value").as_int64(), 0) << n;
  // The host still works: the next good reload applies.
  auto ok = reload(manifest({{"a", "      value: 3\n"}, {"b", ""}, {"c", ""}}));
  EXPECT_EQ(ok.outcome, ReloadOutcome::kApplied) << ok.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 3);
}

TEST_F(HostReloadTest, InstancesAreAddedAndRemovedInTheSameTransaction) {
  start(manifest({{"a", ""}, {"b", ""}}));
  journal();
  auto r = reload(manifest({{"a", ""}, {"c", ""}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(journal(), (Lines{"create c", "start c", "stop b", "destroy b"}));
  EXPECT_TRUE(host_->instance_health("c").ok());
  EXPECT_FALSE(host_->instance_health("b").ok());
}

TEST_F(HostReloadTest, FailedAdditionIsRolledBackWithTheRest) {
  start(manifest({{"a", ""}}));
  journal();
  auto r = reload(manifest({{"a", "      value: 7\n"}, {"new", "      fail_in: start\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRolledBack) << r.summary();
  EXPECT_EQ(r.instance, "new");
  EXPECT_EQ(effective("a").at("value").as_int64(), 0);
  EXPECT_FALSE(host_->instance_health("new").ok());
}

TEST_F(HostReloadTest, FailedRestartBringsTheOldConfigBack) {
  start(manifest({{"a", "      static_value: 1\n"}}));
  journal();
  auto r = reload(manifest({{"a", "      static_value: 2\n      fail_in: start\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRolledBack) << r.summary();
  EXPECT_EQ(journal(), (Lines{"create a", "stop a", "destroy a", "start a", "destroy a", "create a", "start a"}));
  EXPECT_EQ(effective("a").at("static_value").as_int64(), 1);
}

TEST_F(HostReloadTest, InvalidManifestIsRefusedWithItsLine) {
  start(manifest({{"a", ""}}));
  auto r = reload(manifest({{"a", "      value: not-a-number\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(r.error, ReloadError::kInvalidConfiguration);
  EXPECT_NE(r.reason.find("app.yaml:10:7: plugins[0].config.value"), std::string::npos) << r.reason;
  auto syntax = reload("app: [broken\n");
  EXPECT_EQ(syntax.outcome, ReloadOutcome::kRefused);
  EXPECT_NE(syntax.reason.find("YAML syntax error"), std::string::npos);
}

TEST_F(HostReloadTest, HostSettingsThatNeedARestartAreRefused) {
  start(manifest({{"a", ""}}));
  std::string moved = manifest({{"a", ""}});
  moved.replace(moved.find("/state"), 6, "/elsewhere");
  auto r = reload(moved);
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(r.error, ReloadError::kInvalidConfiguration);
  EXPECT_NE(r.reason.find("host.state_dir cannot change"), std::string::npos) << r.reason;
}

// #25 point 8: the history is bounded by host.revisions, applied live, and the
// revision in force stays whatever the newer ones were.
TEST_F(HostReloadTest, HistoryKeepsTheNewestRevisionsAsConfigured) {
  const std::string keep = "  revisions: {keep: 4}\n  reload: {breaker: {failures: 100}}\n";
  start(manifest({{"a", "      value: 0\n"}}, keep));
  for (int i = 1; i <= 10; ++i) {
    auto r = reload(manifest({{"a", "      value: " + std::to_string(i) + "\n"}}, keep));
    ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  }
  auto history = host_->store().revisions(100);
  ASSERT_TRUE(history.ok());
  std::vector<uint64_t> numbers;
  for (const auto& rev : *history) numbers.push_back(rev.number);
  EXPECT_EQ(numbers, (std::vector<uint64_t>{11, 10, 9, 8}));
  // Refused reloads are revisions too; the one in force (11) is kept however
  // many come after it: the newest 4 and it.
  for (int i = 0; i < 6; ++i) {
    auto r = reload(manifest({{"a", "      value: not-a-number\n"}}, keep));
    ASSERT_EQ(r.outcome, ReloadOutcome::kRefused);
    ASSERT_EQ(r.revision, 12u + static_cast<uint64_t>(i));
  }
  history = host_->store().revisions(100);
  ASSERT_TRUE(history.ok());
  numbers.clear();
  for (const auto& rev : *history) numbers.push_back(rev.number);
  EXPECT_EQ(numbers, (std::vector<uint64_t>{17, 16, 15, 14, 11}));
  EXPECT_EQ(history->back().outcome, "applied");
  // A new limit is a change of its own, applied and recorded.
  auto r =
      reload(manifest({{"a", "      value: 10\n"}}, "  revisions: {keep: 2}\n  reload: {breaker: {failures: 100}}\n"));
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(host_->store().revisions(100)->size(), 2u);
}

// #25 point 9: renaming the app used to answer "unchanged" (revision 0) while
// the name in use changed; it is refused, and the name stays.
TEST_F(HostReloadTest, RenamingTheAppIsRefusedNotSilentlyApplied) {
  start(manifest({{"a", ""}}));
  std::string renamed = manifest({{"a", ""}});
  renamed.replace(0, std::string("app: reload").size(), "app: other");
  auto r = reload(renamed);
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(r.error, ReloadError::kInvalidConfiguration);
  EXPECT_NE(r.reason.find("app cannot change while the host runs (restart it): \"reload\" -> \"other\""),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(host_->plan().manifest.app, "reload");
}

TEST_F(HostReloadTest, SecretsNeverAppearInTheResult) {
  start(manifest({{"a", "      password: first-s3cret\n"}}));
  auto r = reload(manifest({{"a", "      password: second-s3cret\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied);
  std::string text = boost::json::serialize(r.to_json());
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(effective("a").at("password").as_string(), "<redacted>");  // scrubbed from the plugin's health report
  EXPECT_EQ(running_password_fnv1a("a"), testing::fnv1a_hex("second-s3cret"));
}

// The chaos test: thousands of random reloads over five instances with random
// prepare and commit failures and restarts. After every reload each instance runs
// exactly the config of the newest applied revision. Nothing partial, ever.
TEST_F(HostReloadTest, ChaosThousandsOfRandomReloadsNeverLeaveAPartialState) {
  const int reloads = [] {
    const char* env = std::getenv("HYPERION_CHAOS_RELOADS");
    return env != nullptr ? std::atoi(env) : 10000;
  }();
  constexpr int kInstances = 5;
  struct Config {
    int value = 0;
    int static_value = 0;
    bool fail_prepare = false;
    bool fail_commit = false;
  };
  auto render = [&](const std::vector<Config>& configs) {
    std::vector<std::pair<std::string, std::string>> instances;
    for (int i = 0; i < kInstances; ++i) {
      const Config& c = configs[i];
      instances.emplace_back("i" + std::to_string(i),
                             "      value: " + std::to_string(c.value) + "\n      static_value: " +
                                 std::to_string(c.static_value) + "\n      fail_prepare: " +
                                 (c.fail_prepare ? "true" : "false") + "\n      fail_commit: " +
                                 (c.fail_commit ? "true" : "false") + "\n");
    }
    // The breaker is tested on its own; here every failure must reach the transaction.
    return manifest(instances, "  reload:\n    breaker: {failures: 1000000000}\n");
  };
  std::vector<Config> applied(kInstances);
  start(render(applied));
  std::mt19937 rng(20261122);
  std::map<ReloadOutcome, int> outcomes;
  for (int n = 0; n < reloads; ++n) {
    std::vector<Config> next = applied;
    for (Config& c : next) {
      c.fail_prepare = c.fail_commit = false;
      if (rng() % 2) c.value = static_cast<int>(rng() % 1000);
      if (rng() % 50 == 0) c.static_value = static_cast<int>(rng() % 1000);  // a restart now and then
    }
    switch (rng() % 4) {
      case 0: next[rng() % kInstances].fail_prepare = true; break;
      case 1: next[rng() % kInstances].fail_commit = true; break;
      default: break;
    }
    const std::string text = render(next);
    auto r = reload(text);
    ++outcomes[r.outcome];
    // The revisions table agrees with what happened.
    if (r.outcome != ReloadOutcome::kUnchanged) {
      auto stored = host_->store().revision(r.revision);
      ASSERT_TRUE(stored.ok()) << "reload " << n << ": " << stored.status().to_string();
      ASSERT_EQ(stored->outcome, reload::outcome_name(r.outcome));
      ASSERT_EQ(stored->manifest, text);
    }
    bool fails = false;
    for (const Config& c : next) fails = fails || c.fail_prepare || c.fail_commit;
    if (r.ok()) {
      ASSERT_FALSE(fails) << "reload " << n << " applied a config that should fail: " << r.summary();
      applied = next;
    } else {
      ASSERT_TRUE(fails) << "reload " << n << " failed without an injected failure: " << r.summary();
      ASSERT_TRUE(r.outcome == ReloadOutcome::kRefused || r.outcome == ReloadOutcome::kRolledBack);
    }
    for (int i = 0; i < kInstances; ++i) {
      std::string name = "i" + std::to_string(i);
      auto eff = effective(name);
      ASSERT_EQ(eff.at("value").as_int64(), applied[i].value) << "reload " << n << ", " << name << ": " << r.summary();
      ASSERT_EQ(eff.at("static_value").as_int64(), applied[i].static_value) << "reload " << n << ", " << name;
      ASSERT_EQ(eff.at("fail_prepare").as_bool(), false);
      ASSERT_EQ(eff.at("fail_commit").as_bool(), false);
      ASSERT_EQ(boost::json::value(eff), boost::json::value(host_->plan().find(name)->config)) << name;
    }
    auto latest = host_->store().latest_applied();
    ASSERT_TRUE(latest.ok() && latest->has_value());
    ASSERT_EQ((*latest)->manifest, render(applied)) << "reload " << n;
  }
  std::printf("chaos: %d reloads: %d applied, %d unchanged, %d refused, %d rolled back\n", reloads,
              outcomes[ReloadOutcome::kApplied], outcomes[ReloadOutcome::kUnchanged], outcomes[ReloadOutcome::kRefused],
              outcomes[ReloadOutcome::kRolledBack]);
  EXPECT_GT(outcomes[ReloadOutcome::kRolledBack], 0);
  EXPECT_GT(outcomes[ReloadOutcome::kRefused], 0);
  EXPECT_GT(outcomes[ReloadOutcome::kApplied], 0);
}

}  // namespace
}  // namespace hyperion::app

namespace hyperion::app {
namespace {

TEST_F(HostReloadTest, BreakerOpensAfterConsecutiveFailuresAndClosesOnSuccess) {
  const std::string policy = "  reload:\n    breaker: {failures: 2, backoff_ms: 60000}\n";
  start(manifest({{"a", ""}}, policy));
  const std::string bad = manifest({{"a", "      fail_prepare: true\n"}}, policy);
  EXPECT_EQ(reload(bad).outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(host_->reloads().breaker().to_json().at("state").as_string(), "closed");
  EXPECT_EQ(reload(bad).outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(host_->reloads().breaker().to_json().at("state").as_string(), "open");
  // While open, even a good reload is refused, and nothing runs it.
  auto r = reload(manifest({{"a", "      value: 1\n"}}, policy));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(r.error, ReloadError::kBreakerOpen);
  EXPECT_NE(r.reason.find("circuit breaker is open after 2 consecutive failed reloads"), std::string::npos) << r.reason;
  EXPECT_EQ(r.revision, 0u);
  EXPECT_EQ(effective("a").at("value").as_int64(), 0);
  EXPECT_EQ(host_->snapshot().breaker.at("state").as_string(), "open");
  // Refusals by the breaker count like any other refusal.
  EXPECT_NE(host_->metrics_text().find("hyperion_reloads_total{plugin_instance=\"hyperion\",outcome=\"refused\"} 3"),
            std::string::npos)
      << host_->metrics_text();
}

TEST(ReloadBreaker, HalfOpenTrialAndDoublingBackoff) {
  using namespace std::chrono_literals;
  reload::ReloadBreaker b(2, 100ms, 250ms);
  auto t = reload::ReloadBreaker::Clock::now();
  EXPECT_FALSE(b.admit(t));
  b.record(false, t);
  EXPECT_EQ(b.record(false, t), reload::ReloadBreaker::Transition::kOpened);
  EXPECT_TRUE(b.admit(t + 50ms).has_value());
  EXPECT_FALSE(b.admit(t + 100ms).has_value());  // half-open: one trial
  EXPECT_EQ(b.state(t + 100ms), reload::ReloadBreaker::State::kHalfOpen);
  EXPECT_EQ(b.record(false, t + 100ms), reload::ReloadBreaker::Transition::kOpened);
  EXPECT_TRUE(b.admit(t + 299ms).has_value());  // 200 ms now
  EXPECT_FALSE(b.admit(t + 300ms).has_value());
  b.record(false, t + 300ms);                    // capped at 250 ms
  EXPECT_TRUE(b.admit(t + 549ms).has_value());
  EXPECT_FALSE(b.admit(t + 550ms).has_value());
  EXPECT_EQ(b.record(true, t + 550ms), reload::ReloadBreaker::Transition::kClosed);
  EXPECT_EQ(b.state(t + 550ms), reload::ReloadBreaker::State::kClosed);
  EXPECT_EQ(b.to_json(t + 550ms).at("backoff_ms").as_int64(), 100);
}

TEST_F(HostReloadTest, HistorySurvivesARestartAndRollbackAppliesAnOldRevision) {
  start(manifest({{"a", "      value: 1\n"}}));
  auto second = reload(manifest({{"a", "      value: 2\n"}}));
  ASSERT_EQ(second.outcome, ReloadOutcome::kApplied);
  auto third = reload(manifest({{"a", "      value: 3\n"}}));
  ASSERT_EQ(third.outcome, ReloadOutcome::kApplied);
  ASSERT_TRUE(host_->stop().ok());
  host_.reset();

  // A new host on the same state folder sees the history.
  start(manifest({{"a", "      value: 3\n"}}));
  auto history = host_->store().revisions(10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[0].source, "startup");
  EXPECT_EQ((*history)[1].number, third.revision);
  EXPECT_EQ((*history)[3].source, "startup");

  auto back = host_->reloads().rollback(second.revision, "tester");
  EXPECT_EQ(back.outcome, ReloadOutcome::kApplied) << back.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 2);
  auto stored = host_->store().revision(back.revision);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->source, "rollback:" + std::to_string(second.revision));
  EXPECT_EQ(stored->author, "tester");
  EXPECT_EQ(host_->reloads().rollback(9999, "tester").outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(host_->reloads().rollback(9999, "tester").error, ReloadError::kUnknownRevision);
}

TEST_F(HostReloadTest, EventsAndPluginHistoryArePersisted) {
  start(manifest({{"a", ""}}));
  (void)reload(manifest({{"a", "      value: 1\n"}}));
  (void)reload(manifest({{"a", "      fail_prepare: true\n"}}));
  (void)reload(manifest({{"a", "      static_value: 9\n"}}));
  host_->facilities().events.flush();
  host_->store().flush();
  auto events = host_->store().events_after(0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> types;
  for (const auto& e : *events) types.push_back(e.type);
  auto has = [&](const std::string& t) { return std::find(types.begin(), types.end(), t) != types.end(); };
  EXPECT_TRUE(has("dev.hyperion.plugin.started"));
  EXPECT_TRUE(has("dev.hyperion.reload.started"));
  EXPECT_TRUE(has("dev.hyperion.reload.applied"));
  EXPECT_TRUE(has("dev.hyperion.reload.refused"));
  EXPECT_TRUE(has("dev.hyperion.plugin.stopped"));
  auto history = host_->store().plugin_history("a");
  ASSERT_TRUE(history.ok());
  ASSERT_GE(history->size(), 3u);
  EXPECT_EQ((*history)[0].action, "started");
  EXPECT_EQ((*history)[0].plugin, "behave-plain");
  EXPECT_EQ((*history)[1].action, "stopped");  // the restart for static_value
  EXPECT_EQ((*history)[2].action, "started");
}

TEST_F(HostReloadTest, SecretsFromFilesNeverReachTheDatabase) {
  dir_.write("pw", "planted-secret-4711\n");
  dir_.write("pw2", "other-planted-secret-4711\n");
  start(manifest({{"a", "      password: ${file:pw}\n"}}));
  (void)reload(manifest({{"a", "      password: ${file:pw}\n      value: 1\n"}}));
  auto r = reload(manifest({{"a", "      password: ${file:pw2}\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(running_password_fnv1a("a"), testing::fnv1a_hex("other-planted-secret-4711"));
  ASSERT_TRUE(host_->stop().ok());
  std::string db = host_->store().path();
  host_.reset();
  std::string bytes = testing::read_file(db) + testing::read_file(db + "-wal");
  EXPECT_EQ(bytes.find("planted-secret-4711"), std::string::npos);
  EXPECT_NE(bytes.find("${file:pw}"), std::string::npos);  // the reference is kept
}

}  // namespace
}  // namespace hyperion::app

namespace hyperion::app {
namespace {

TEST_F(HostReloadTest, ProposalsApplyAtomicallyAndStayOnTopOfTheManifest) {
  start(manifest({{"a", "      value: 1\n"}, {"b", "      value: 1\n"}}));
  auto r = host_->reloads().propose("src", "kv/app", R"({"b": {"value": 42}})");
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(effective("b").at("value").as_int64(), 42);
  auto stored = host_->store().revision(r.revision);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->source, "plugin:src (kv/app)");
  EXPECT_EQ(stored->overrides, R"({"b":{"value":42}})");
  // A later file change to another instance keeps the proposal in force.
  auto file = reload(manifest({{"a", "      value: 2\n"}, {"b", "      value: 1\n"}}));
  EXPECT_EQ(file.outcome, ReloadOutcome::kApplied) << file.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 2);
  EXPECT_EQ(effective("b").at("value").as_int64(), 42);
}

TEST_F(HostReloadTest, BadProposalsAreRefusedWithTheReason) {
  start(manifest({{"a", ""}}));
  auto not_json = host_->reloads().propose("src", "", "[1, 2]");
  EXPECT_EQ(not_json.outcome, ReloadOutcome::kRefused);
  EXPECT_TRUE(not_json.error == reload::ReloadError::kInvalidConfiguration);
  auto unknown = host_->reloads().propose("src", "", R"({"ghost": {}})");
  EXPECT_EQ(unknown.outcome, ReloadOutcome::kRefused);
  EXPECT_NE(unknown.reason.find("instance \"ghost\", which is not in the manifest"), std::string::npos) << unknown.reason;
  auto invalid = host_->reloads().propose("src", "", R"({"a": {"value": "high"}})");
  EXPECT_EQ(invalid.outcome, ReloadOutcome::kRefused);
  EXPECT_NE(invalid.reason.find("config.value"), std::string::npos) << invalid.reason;
  auto failing = host_->reloads().propose("src", "", R"({"a": {"fail_commit": true}})");
  EXPECT_EQ(failing.outcome, ReloadOutcome::kRolledBack);
  EXPECT_EQ(effective("a").at("fail_commit").as_bool(), false);
}

TEST_F(HostReloadTest, ProposedSecretsAreNotStoredAndCannotBeRolledBackTo) {
  start(manifest({{"a", ""}}));
  auto r = host_->reloads().propose("src", "", R"({"a": {"password": "proposed-secret-99"}})");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  auto stored = host_->store().revision(r.revision);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->overrides.find("proposed-secret-99"), std::string::npos) << stored->overrides;
  EXPECT_TRUE(stored->secrets_withheld) << "decided by a flag, not by the stored text";
  auto back = host_->reloads().rollback(r.revision, "tester");
  EXPECT_EQ(back.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(back.error, ReloadError::kSecretsNotRestorable);
  EXPECT_NE(back.reason.find("carries secrets proposed by a config source"), std::string::npos) << back.reason;
}

TEST_F(HostReloadTest, OnceStoppingEveryReloadIsRefusedAsTransient) {
  start(manifest({{"a", ""}}));
  ASSERT_TRUE(host_->stop().ok());
  auto r = reload(manifest({{"a", "      value: 1\n"}}));
  EXPECT_EQ(r.outcome, ReloadOutcome::kRefused);
  EXPECT_EQ(r.error, ReloadError::kHostStopping);
  EXPECT_TRUE(reload::is_transient(r.error));
  // A config source learns "try again later", not "your proposal is wrong".
  const std::atomic<bool> not_stopping{false};
  auto proposed = host_->facilities().propose_config("a", "kv", R"({"a": {"value": 2}})", not_stopping);
  EXPECT_EQ(proposed.status().code(), StatusCode::kUnavailable) << proposed.status().to_string();
  EXPECT_EQ(reload::ReloadResult::refused(ReloadError::kBreakerOpen, "x").to_json().at("error").at("code"),
            "breaker_open");
}

TEST_F(HostReloadTest, PluginsReceiveReloadEventsThroughTheHostApi) {
  start(manifest({{"listener", "      subscribe: dev.hyperion.reload.\n"}, {"other", ""}}));
  auto r = reload(manifest({{"listener", "      subscribe: dev.hyperion.reload.\n"}, {"other", "      value: 3\n"}}));
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied);
  host_->facilities().events.flush();
  std::string log = testing::read_file(journal_);
  EXPECT_NE(log.find("event dev.hyperion.reload.started listener"), std::string::npos) << log;
  EXPECT_NE(log.find("event dev.hyperion.reload.applied listener"), std::string::npos) << log;
  EXPECT_EQ(log.find("event dev.hyperion.plugin."), std::string::npos) << log;  // filtered by prefix
  // In order: started before applied.
  EXPECT_LT(log.find("reload.started"), log.find("reload.applied"));
}

TEST_F(HostReloadTest, APluginProposesThroughTheHostApiAndLearnsTheRevision) {
  start(manifest({{"source", "      propose: '{\"target\": {\"value\": 77}}'\n"}, {"target", ""}}));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string log;
  while (log.find("proposed ") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    log = testing::read_file(journal_);
  }
  EXPECT_NE(log.find("proposed 2 source"), std::string::npos) << log;
  EXPECT_EQ(effective("target").at("value").as_int64(), 77);
}

}  // namespace
}  // namespace hyperion::app

namespace hyperion::app {
namespace {

// A provider that restarts takes its consumers with it: they stop before it
// (releasing what they hold in it) and start after it.
// Layers (config_propose_layer, ABI 1.1): merge patches per source over the manifest.
TEST_F(HostReloadTest, ALayerPatchesTheManifestAndFallsBackWhenItStopsSayingSo) {
  start(manifest({{"a", "      value: 1\n"}, {"b", ""}}));
  auto& reloads = host_->reloads();
  auto r = reloads.propose_layer("remote", "kv:shop", R"({"instances": {"a": {"value": 5}}})");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 5);
  auto stored = host_->store().revision(r.revision);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->source, "plugin:remote (kv:shop)");
  EXPECT_NE(stored->layers.find("\"kv:shop\""), std::string::npos) << stored->layers;
  EXPECT_EQ(host_->snapshot().sources.at("a").at("/value").as_string(), "kv:shop");

  // A manifest edit applies underneath the layer: b changes, a keeps the layer's value.
  auto edit = reload(manifest({{"a", "      value: 2\n"}, {"b", "      value: 7\n"}}));
  ASSERT_EQ(edit.outcome, ReloadOutcome::kApplied) << edit.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 5);
  EXPECT_EQ(effective("b").at("value").as_int64(), 7);

  // The source stops mentioning the field (a key deleted in the store): the
  // manifest's value is back.
  auto withdrawn = reloads.propose_layer("remote", "kv:shop", R"({"instances": {"a": {}}})");
  ASSERT_EQ(withdrawn.outcome, ReloadOutcome::kApplied) << withdrawn.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 2);
  EXPECT_FALSE(host_->snapshot().sources.contains("a"));
}

TEST_F(HostReloadTest, LayersOfSeveralSourcesStackInTheOrderFirstProposed) {
  start(manifest({{"a", ""}}));
  auto& reloads = host_->reloads();
  ASSERT_TRUE(reloads.propose_layer("remote", "first", R"({"instances": {"a": {"value": 1}}})").ok());
  ASSERT_TRUE(reloads.propose_layer("remote", "second", R"({"instances": {"a": {"value": 2}}})").ok());
  EXPECT_EQ(effective("a").at("value").as_int64(), 2);
  // Proposing again keeps the first source's place: the second still wins.
  ASSERT_TRUE(reloads.propose_layer("remote", "first", R"({"instances": {"a": {"value": 3}}})").ok());
  EXPECT_EQ(effective("a").at("value").as_int64(), 2);
  EXPECT_EQ(host_->snapshot().sources.at("a").at("/value").as_string(), "second");
  // `{}` withdraws a layer.
  ASSERT_TRUE(reloads.propose_layer("remote", "second", "{}").ok());
  EXPECT_EQ(effective("a").at("value").as_int64(), 3);
  EXPECT_EQ(host_->snapshot().layers.size(), 1u);
}

TEST_F(HostReloadTest, BadLayersAreRefusedAndNotKept) {
  start(manifest({{"a", ""}}));
  auto& reloads = host_->reloads();
  ASSERT_TRUE(reloads.propose_layer("remote", "kv", R"({"instances": {"a": {"value": 4}}})").ok());
  for (const char* bad : {"[1]", R"({"instances": {"a": 3}})", R"({"host": {"state_dir": "/x"}})",
                          R"({"host": {"log_level": "loud"}})", R"({"colour": 1})", "not json"}) {
    auto r = reloads.propose_layer("remote", "kv", bad);
    EXPECT_EQ(r.error, ReloadError::kInvalidConfiguration) << bad << ": " << r.summary();
  }
  // A value the plugin's schema refuses: refused, the last good layer keeps running.
  auto invalid = reloads.propose_layer("remote", "kv", R"({"instances": {"a": {"value": "high"}}})");
  EXPECT_EQ(invalid.error, ReloadError::kInvalidConfiguration) << invalid.summary();
  EXPECT_NE(invalid.reason.find("config.value"), std::string::npos) << invalid.reason;
  auto failing = reloads.propose_layer("remote", "kv", R"({"instances": {"a": {"value": 9, "fail_prepare": true}}})");
  EXPECT_EQ(failing.error, ReloadError::kRefusedByPlugin) << failing.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 4);
  // A later manifest reload still carries the last good layer, not a refused one.
  ASSERT_TRUE(reload(manifest({{"a", "      static_value: 0\n"}})).ok());
  EXPECT_EQ(effective("a").at("value").as_int64(), 4);
}

TEST_F(HostReloadTest, ALayerForAnInstanceNotInTheManifestWaitsForIt) {
  start(manifest({{"a", ""}}));
  auto r = host_->reloads().propose_layer("remote", "kv", R"({"instances": {"later": {"value": 8}}})");
  ASSERT_TRUE(r.ok()) << r.summary();
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("instance \"later\", which is not in the manifest"), std::string::npos) << r.warnings[0];
  auto added = reload(manifest({{"a", ""}, {"later", ""}}));
  ASSERT_EQ(added.outcome, ReloadOutcome::kApplied) << added.summary();
  EXPECT_EQ(effective("later").at("value").as_int64(), 8);
}

TEST_F(HostReloadTest, ALayerSetsTheHostLogLevel) {
  start(manifest({{"a", ""}}));
  auto r = host_->reloads().propose_layer("remote", "kv", R"({"host": {"log_level": "error"}})");
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(host_->plan().manifest.host.log_level, "error");
  EXPECT_EQ(host_->snapshot().sources.at("host").at("/log_level").as_string(), "kv");
  ASSERT_TRUE(host_->reloads().propose_layer("remote", "kv", "{}").ok());
  EXPECT_EQ(host_->plan().manifest.host.log_level, "warn");
}

TEST_F(HostReloadTest, RollbackRestoresLayersButNeverSecretsFromThem) {
  start(manifest({{"a", ""}}));
  auto& reloads = host_->reloads();
  auto with_layer = reloads.propose_layer("remote", "kv", R"({"instances": {"a": {"value": 6}}})");
  ASSERT_TRUE(with_layer.ok());
  ASSERT_TRUE(reloads.propose_layer("remote", "kv", "{}").ok());
  EXPECT_EQ(effective("a").at("value").as_int64(), 0);
  auto back = reloads.rollback(with_layer.revision, "tester");
  ASSERT_EQ(back.outcome, ReloadOutcome::kApplied) << back.summary();
  EXPECT_EQ(effective("a").at("value").as_int64(), 6);
  EXPECT_EQ(host_->snapshot().sources.at("a").at("/value").as_string(), "kv");

  auto secret = reloads.propose_layer("remote", "kv", R"({"instances": {"a": {"password": "layered-secret-77"}}})");
  ASSERT_TRUE(secret.ok()) << secret.summary();
  auto stored = host_->store().revision(secret.revision);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->layers.find("layered-secret-77"), std::string::npos) << stored->layers;
  EXPECT_TRUE(stored->secrets_withheld);
  EXPECT_EQ(boost::json::serialize(host_->snapshot().layers).find("layered-secret-77"), std::string::npos);
  EXPECT_EQ(boost::json::serialize(host_->snapshot().configs).find("layered-secret-77"), std::string::npos);
  EXPECT_EQ(running_password_fnv1a("a"), testing::fnv1a_hex("layered-secret-77"));
  EXPECT_EQ(reloads.rollback(secret.revision, "tester").error, ReloadError::kSecretsNotRestorable);
}

TEST_F(HostReloadTest, APluginProposesALayerThroughTheHostApi) {
  start(manifest({{"source",
                   "      propose: '{\"instances\": {\"target\": {\"value\": 55}}}'\n"
                   "      propose_as_layer: true\n"},
                  {"target", ""}}));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string log;
  while (log.find("layered ") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    log = testing::read_file(journal_);
  }
  EXPECT_NE(log.find("layered 2 source"), std::string::npos) << log;
  EXPECT_EQ(effective("target").at("value").as_int64(), 55);
  EXPECT_EQ(host_->snapshot().sources.at("target").at("/value").as_string(), "behave");
}

TEST_F(HostReloadTest, EachInstanceHasAPrivateStateFolder) {
  start(manifest({{"a", "      record_state_dir: true\n"}}));
  const std::string expected = dir_.path() + "/state/instances/a";
  std::string log = testing::read_file(journal_);
  EXPECT_NE(log.find("state_dir " + expected + " a\n"), std::string::npos) << log;
  auto perms = std::filesystem::status(expected).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

// A config source's proposal waits for the reload in progress; that reload
// restarts the source. Waiting on would deadlock (the reload stops the source,
// whose stop waits for its proposing timer): the proposal gives up instead.
TEST_F(HostReloadTest, AProposalOfAnInstanceTheReloadStopsGivesUp) {
  auto app = [&](int static_value) {
    return manifest({{"src",
                      "      propose: '{\"target\": {\"value\": 3}}'\n      propose_after_ms: 300\n"
                      "      static_value: " +
                          std::to_string(static_value) + "\n"},
                     {"slow", "      fail_in: reload_prepare\n      how: hang\n      hang_ms: 1500\n"},
                     {"target", ""}});
  };
  start(app(0));
  // Right away, before src's timer fires (300 ms): slow's prepare holds this
  // reload 1.5 s, src proposes meanwhile and waits, then the commit restarts src.
  std::string next = app(1);
  next.replace(next.find("hang_ms: 1500"), 13, "hang_ms: 1500\n      value: 1");
  auto started = std::chrono::steady_clock::now();
  auto r = reload(next);
  EXPECT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  std::string log = testing::read_file(journal_);
  EXPECT_NE(log.find("propose failed: refused: the proposing instance is being stopped"), std::string::npos) << log;
  // The restarted src proposes again, and that goes through.
  ASSERT_TRUE(testing::eventually([&] {
    return testing::read_file(journal_).find("proposed 3 src") != std::string::npos;
  })) << testing::read_file(journal_);
  EXPECT_EQ(effective("target").at("value").as_int64(), 3);
}

TEST_F(HostReloadTest, ConsumersOfARestartingProviderRestartAroundIt) {
  auto text = [&](int static_value) {
    return "app: reload\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: warn\nplugins:\n" +
           "  - name: p\n    library: behave_provider\n    config: {journal: \"" + journal_ +
           "\", static_value: " + std::to_string(static_value) + "}\n" +
           "  - name: c\n    library: behave_consumer\n    config: {journal: \"" + journal_ + "\"}\n";
  };
  start(text(1));
  journal();
  auto r = reload(text(2));
  ASSERT_EQ(r.outcome, ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.diff.at("c").at("action").as_string(), "restart");
  EXPECT_EQ(r.diff.at("c").at("reason").as_string(), "its provider \"p\" restarts");
  // The new consumer reaches the new provider ("answer 42" is its call into it).
  EXPECT_EQ(journal(), (Lines{"create p", "create c", "stop c", "destroy c", "stop p", "destroy p", "start p",
                              "get_service p", "start c", "answer 42 c"}));
  EXPECT_EQ(effective("p").at("static_value").as_int64(), 2);
}

}  // namespace
}  // namespace hyperion::app
