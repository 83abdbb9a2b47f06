// The state database keeps only the newest events, and migrates old files.
#include "state/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/test_support.h"

namespace hyperion::state {
namespace {

TEST(StateStore, KeepsOnlyTheNewestEvents) {
  testing::TempDir dir;
  auto store = StateStore::open(dir.path() + "/hyperion.db");
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  (*store)->set_event_retention(10);
  for (int i = 0; i < 25; ++i) ASSERT_TRUE((*store)->add_event("t", "{\"n\":" + std::to_string(i) + "}").ok());
  for (int i = 25; i < 50; ++i) (*store)->enqueue_event("t", "{\"n\":" + std::to_string(i) + "}");
  (*store)->flush();
  auto events = (*store)->events_after(0, 1000);
  ASSERT_TRUE(events.ok()) << events.status().to_string();
  ASSERT_EQ(events->size(), 10u);
  EXPECT_EQ(events->front().json, "{\"n\":40}");
  EXPECT_EQ(events->back().json, "{\"n\":49}");
}

// A database written before revisions said whether secrets were withheld
// (schema 2): the migration marks its old rows once, from their stored text.
TEST(StateStore, MigratesRevisionsFromBeforeTheWithheldFlag) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/hyperion.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string migrations = testing::source_dir() + "/host/state/migrations/";
  std::string schema_2 = testing::read_file(migrations + "0001_initial.sql") +
                         testing::read_file(migrations + "0002_overrides.sql") +
                         "INSERT INTO revisions (created_at, source, author, manifest, diff, outcome, error, overrides) "
                         "VALUES ('t', 'plugin:kv', '', 'app: x', '{}', 'applied', '', "
                         "'{\"a\":{\"password\":\"<redacted>\"}}');"
                         "INSERT INTO revisions (created_at, source, author, manifest, diff, outcome, error, overrides) "
                         "VALUES ('t', 'admin', '', 'app: x', '{}', 'applied', '', '{}');"
                         "PRAGMA user_version = 2;";
  ASSERT_EQ(sqlite3_exec(db, schema_2.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = StateStore::open(path);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  EXPECT_GE((*store)->schema_version(), 3);
  auto with_secret = (*store)->revision(1);
  auto plain = (*store)->revision(2);
  ASSERT_TRUE(with_secret.ok() && plain.ok());
  EXPECT_TRUE(with_secret->secrets_withheld);
  EXPECT_FALSE(plain->secrets_withheld);
}

}  // namespace
}  // namespace hyperion::state
