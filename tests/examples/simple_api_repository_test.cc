// examples/simple-api's UserRepository on real SQLite files: migrations from
// nothing, from an older schema and refused from a newer one; every operation
// and its conflicts; two connections on one file.
#include "user_repository.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>

#include "support/test_support.h"

namespace users {
namespace {

using hyperion::testing::TempDir;

void run_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(SimpleApiRepository, MigratesAFreshFileToTheLastVersionAndReopensWithoutChange) {
  TempDir dir;
  std::string path = dir.path() + "/users.db";
  {
    UserRepository repo(path);
    EXPECT_EQ(repo.schema_version(), 2);
    repo.create({"ada@example.com", "Ada"});
  }
  UserRepository again(path);
  EXPECT_EQ(again.schema_version(), 2);
  EXPECT_EQ(again.count(), 1);
}

TEST(SimpleApiRepository, MigratesAVersionOneFileKeepingItsRowsAtVersionOne) {
  TempDir dir;
  std::string path = dir.path() + "/users.db";
  // The schema as 0001_create_users.sql left it, with a row written then.
  run_sql(path,
          "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE COLLATE NOCASE, "
          "name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
          "INSERT INTO users (email, name, created_at, updated_at) VALUES ('old@example.com', 'Old', 't0', 't0');"
          "PRAGMA user_version = 1;");
  UserRepository repo(path);
  EXPECT_EQ(repo.schema_version(), 2);
  auto user = repo.find(1);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->email, "old@example.com");
  EXPECT_EQ(user->version, 1);
  EXPECT_EQ(repo.update(1, {.email = {}, .name = "New", .expected_version = 1}).version, 2);
}

TEST(SimpleApiRepository, RefusesAFileFromANewerBuildNamingItAndTheVersions) {
  TempDir dir;
  std::string path = dir.path() + "/users.db";
  run_sql(path, "PRAGMA user_version = 7;");
  try {
    UserRepository repo(path);
    FAIL() << "opened a schema it does not know";
  } catch (const StorageError& e) {
    EXPECT_NE(
        std::string(e.what()).find(path + ": written by a newer build (schema version 7; this build knows up to 2)"),
        std::string::npos)
        << e.what();
  }
}

TEST(SimpleApiRepository, RefusesAFileThatIsNotADatabaseNamingIt) {
  TempDir dir;
  std::string path = dir.write("users.db", std::string(4096, 'x'));
  try {
    UserRepository repo(path);
    FAIL() << "opened a file that is not a database";
  } catch (const StorageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

TEST(SimpleApiRepository, RefusesAFolderThatCannotBeWrittenNamingTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/missing-folder/users.db";
  EXPECT_THROW(UserRepository repo(path), StorageError);
}

TEST(SimpleApiRepository, CreatesFindsUpdatesAndRemoves) {
  TempDir dir;
  UserRepository repo(dir.path() + "/users.db");
  User ada = repo.create({"ada@example.com", "Ada Lovelace"});
  EXPECT_EQ(ada.id, 1);
  EXPECT_EQ(ada.version, 1);
  EXPECT_EQ(ada.created_at.size(), std::string("2026-11-30T16:50:12.345Z").size()) << ada.created_at;
  EXPECT_EQ(ada.created_at, ada.updated_at);

  User changed = repo.update(ada.id, {.email = {}, .name = "Augusta Ada King", .expected_version = {}});
  EXPECT_EQ(changed.name, "Augusta Ada King");
  EXPECT_EQ(changed.email, "ada@example.com");  // unset fields keep their values
  EXPECT_EQ(changed.version, 2);
  EXPECT_EQ(changed.created_at, ada.created_at);
  EXPECT_EQ(repo.find(ada.id)->name, "Augusta Ada King");

  repo.remove(ada.id, 2);
  EXPECT_FALSE(repo.find(ada.id));
  EXPECT_THROW(repo.remove(ada.id, std::nullopt), UserNotFound);
  EXPECT_THROW(repo.update(ada.id, {}), UserNotFound);
  // Ids are never reused, even after the newest user is deleted.
  EXPECT_EQ(repo.create({"grace@example.com", "Grace"}).id, 2);
}

TEST(SimpleApiRepository, EmailsAreUniqueWithoutRegardToCaseAndAConflictChangesNothing) {
  TempDir dir;
  UserRepository repo(dir.path() + "/users.db");
  repo.create({"ada@example.com", "Ada"});
  User grace = repo.create({"grace@example.com", "Grace"});
  EXPECT_THROW(repo.create({"ADA@Example.com", "Other"}), EmailTaken);
  EXPECT_THROW(repo.update(grace.id, {.email = "Ada@example.com", .name = "Renamed", .expected_version = {}}),
               EmailTaken);
  User after = *repo.find(grace.id);
  EXPECT_EQ(after.name, "Grace");
  EXPECT_EQ(after.version, 1);
  EXPECT_EQ(repo.count(), 2);
}

TEST(SimpleApiRepository, AStaleVersionIsRefusedWithTheCurrentOneAndChangesNothing) {
  TempDir dir;
  UserRepository repo(dir.path() + "/users.db");
  User ada = repo.create({"ada@example.com", "Ada"});
  repo.update(ada.id, {.email = {}, .name = "Ada L.", .expected_version = 1});
  try {
    repo.update(ada.id, {.email = {}, .name = "Lost update", .expected_version = 1});
    FAIL() << "a stale write went through";
  } catch (const VersionMismatch& e) {
    EXPECT_EQ(e.current(), 2);
  }
  EXPECT_THROW(repo.remove(ada.id, 1), VersionMismatch);
  EXPECT_EQ(repo.find(ada.id)->name, "Ada L.");
}

TEST(SimpleApiRepository, ListsAfterAnIdInIdOrder) {
  TempDir dir;
  UserRepository repo(dir.path() + "/users.db");
  for (int i = 1; i <= 5; ++i) repo.create({"u" + std::to_string(i) + "@example.com", "U"});
  repo.remove(3, std::nullopt);
  std::vector<int64_t> ids;
  for (const User& u : repo.list_after(1, 10)) ids.push_back(u.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{2, 4, 5}));
  EXPECT_EQ(repo.list_after(0, 2).size(), 2u);
  EXPECT_TRUE(repo.list_after(5, 10).empty());
}

TEST(SimpleApiRepository, TwoConnectionsOnOneFileSeeEachOthersWrites) {
  TempDir dir;
  std::string path = dir.path() + "/users.db";
  UserRepository first(path);
  UserRepository second(path);  // a second host on the same file: already migrated
  first.create({"ada@example.com", "Ada"});
  EXPECT_EQ(second.count(), 1);
  EXPECT_THROW(second.create({"ada@example.com", "Again"}), EmailTaken);
}

TEST(SimpleApiRepository, AWriterLockedOutForTheBusyTimeoutSaysBusy) {
  TempDir dir;
  std::string path = dir.path() + "/users.db";
  UserRepository repo(path, /*busy_timeout_ms=*/0);
  repo.create({"ada@example.com", "Ada"});
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    repo.update(1, {.email = {}, .name = "Blocked", .expected_version = {}});
    ADD_FAILURE() << "wrote through another writer's lock";
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.busy()) << e.what();
  }
  EXPECT_EQ(repo.find(1)->name, "Ada");  // readers are not blocked (WAL)
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(repo.update(1, {.email = {}, .name = "Free", .expected_version = {}}).name, "Free");
}

TEST(SimpleApiRepository, ConcurrentCreatesFromManyThreadsGetDistinctIds) {
  TempDir dir;
  UserRepository repo(dir.path() + "/users.db");
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ids[t].push_back(repo.create({"t" + std::to_string(t) + "-" + std::to_string(i) + "@example.com", "U"}).id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(repo.count(), kThreads * kEach);
}

}  // namespace
}  // namespace users
