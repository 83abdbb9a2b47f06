// The state database keeps only the newest events, and migrates old files.
#include "state/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <vector>

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

// #23: the store checkpoints its WAL itself (on its writer thread, so a
// reload's revision never waits for one): the WAL must still stay bounded,
// whether the writes come slowly or in a burst.
TEST(StateStore, KeepsItsWriteAheadLogBounded) {
  testing::TempDir dir;
  auto store = StateStore::open(dir.path() + "/hyperion.db");
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  Revision r;
  r.source = "test";
  r.outcome = "applied";
  r.manifest = std::string(16 * 1024, 'm');
  // 24 MB of revisions, with events for the writer thread between them.
  for (int i = 0; i < 1500; ++i) {
    ASSERT_TRUE((*store)->add_revision(r).ok());
    (*store)->enqueue_event("t", "{}");
  }
  (*store)->flush();
  ASSERT_TRUE((*store)->add_revision(r).ok());  // starts the WAL over if a checkpoint copied it all
  const auto wal_bytes = std::filesystem::file_size(dir.path() + "/hyperion.db-wal");
  // Without checkpoints it would hold all 24 MB; at most 4000 pages (16 MB)
  // and what one commit adds are allowed.
  EXPECT_LT(wal_bytes, 17u * 1024 * 1024) << wal_bytes;
  auto revisions = (*store)->revisions(2000);
  ASSERT_TRUE(revisions.ok());
  EXPECT_EQ(revisions->size(), 1501u);
}

std::vector<uint64_t> numbers(StateStore& store) {
  std::vector<uint64_t> out;
  auto revisions = store.revisions(1000);
  EXPECT_TRUE(revisions.ok()) << revisions.status().to_string();
  if (revisions.ok()) {
    for (const Revision& r : *revisions) out.push_back(r.number);
  }
  return out;
}

// A state database in `dir` with `count` applied revisions of `manifest`.
std::unique_ptr<StateStore> store_with_revisions(const testing::TempDir& dir, int count, const std::string& manifest) {
  auto store = StateStore::open(dir.path() + "/hyperion.db");
  EXPECT_TRUE(store.ok()) << store.status().to_string();
  if (!store.ok()) return nullptr;
  Revision r;
  r.source = "test";
  r.outcome = "applied";
  r.manifest = manifest;
  for (int i = 0; i < count; ++i) EXPECT_TRUE((*store)->add_revision(r).ok());
  return std::move(*store);
}

// #25 point 8: revisions had no retention (100 reloads of a 1 MB manifest, 100 MB).
TEST(StateStore, KeepsTheNewestRevisionsAndTheOneInForce) {
  testing::TempDir dir;
  auto store = store_with_revisions(dir, 10, "app: a\n");
  ASSERT_TRUE(store);
  // Keep 3, with revision 2 in force (the newer ones were refused, say).
  auto pruned = store->prune_revisions(3, INT64_MAX, 2);
  ASSERT_TRUE(pruned.ok()) << pruned.status().to_string();
  EXPECT_EQ(*pruned, 6u);
  EXPECT_EQ(numbers(*store), (std::vector<uint64_t>{10, 9, 8, 2}));
  EXPECT_TRUE(store->revision(2).ok());
  EXPECT_FALSE(store->revision(5).ok());                    // a rollback to it says it does not exist
  EXPECT_EQ(*store->prune_revisions(3, INT64_MAX, 2), 0u);  // nothing more to do
}

TEST(StateStore, KeepsRevisionsWithinABudgetOfBytesButAlwaysTheNewest) {
  testing::TempDir dir;
  auto store = store_with_revisions(dir, 6, std::string(1000, 'x'));
  ASSERT_TRUE(store);
  // Each takes a little over 1000 bytes (the manifest, the diff "{}", ...): 3500 keeps 3.
  ASSERT_TRUE(store->prune_revisions(1000, 3500, 6).ok());
  EXPECT_EQ(numbers(*store), (std::vector<uint64_t>{6, 5, 4}));
  // A budget smaller than one revision still keeps the newest.
  Revision big;
  big.source = "test";
  big.outcome = "applied";
  big.manifest = std::string(10000, 'y');
  ASSERT_TRUE(store->add_revision(big).ok());
  ASSERT_TRUE(store->prune_revisions(1000, 3500, 7).ok());
  EXPECT_EQ(numbers(*store), (std::vector<uint64_t>{7}));
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
