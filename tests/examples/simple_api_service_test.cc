// examples/simple-api's UserService: every rule, every broken rule reported
// at once, paging by token; on a real SQLite file.
#include "user_service.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_support.h"

namespace users {
namespace {

using hyperion::testing::TempDir;

struct SimpleApiService : ::testing::Test {
  TempDir dir;
  UserRepository repo{dir.path() + "/users.db"};
  UserService service{repo, Limits{}};
};

TEST(SimpleApiRules, Emails) {
  EXPECT_EQ(UserService::check_email("ada@example.com"), "");
  EXPECT_EQ(UserService::check_email("a.b+tag@mail.example.co.uk"), "");
  EXPECT_EQ(UserService::check_email(""), "required");
  for (const char* bad : {"ada", "@example.com", "ada@", "ada@example", "ada@.example.com", "ada@example.com.",
                          "ada@exa..mple.com", "a@b@example.com"}) {
    EXPECT_EQ(UserService::check_email(bad), "must be one address, like ada@example.com") << bad;
  }
  EXPECT_EQ(UserService::check_email("ada lovelace@example.com"), "must not contain spaces or control characters");
  EXPECT_EQ(UserService::check_email(std::string("ada\0@example.com", 16)),
            "must not contain spaces or control characters");
  EXPECT_EQ(UserService::check_email(std::string(65, 'a') + "@example.com"),
            "the part before @ is longer than 64 characters");
  EXPECT_EQ(UserService::check_email("a@" + std::string(250, 'b') + ".com"), "longer than 254 characters");
  EXPECT_EQ(UserService::check_email("ad\xff@example.com"), "not valid UTF-8");
}

TEST(SimpleApiRules, NamesCountCharactersNotBytes) {
  EXPECT_EQ(UserService::check_name("Ada", 3), "");
  EXPECT_EQ(UserService::check_name("Adam", 3), "longer than 3 characters");
  // Two bytes each in UTF-8, one character each.
  EXPECT_EQ(UserService::check_name("\xc3\xa9\xc3\xa9\xc3\xa9", 3), "");
  EXPECT_EQ(UserService::check_name("\xf0\x9f\x98\x80", 1), "");  // one emoji, four bytes
  EXPECT_EQ(UserService::check_name("   ", 10), "required");
  EXPECT_EQ(UserService::check_name("", 10), "required");
  EXPECT_EQ(UserService::check_name("Ada\nLovelace", 100), "must not contain control characters");
  for (const char* bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"}) {
    EXPECT_EQ(UserService::check_name(std::string("A") + bad, 100), "not valid UTF-8") << bad;
  }
}

TEST_F(SimpleApiService, CreateReportsEveryBrokenRuleAtOnceAndStoresNothing) {
  try {
    service.create({"not-an-email", ""});
    FAIL() << "accepted an invalid user";
  } catch (const InvalidUser& e) {
    ASSERT_EQ(e.violations().size(), 2u);
    EXPECT_EQ(e.violations()[0].field, "email");
    EXPECT_EQ(e.violations()[1].field, "name");
    EXPECT_STREQ(e.what(), "the user is not valid: email: must be one address, like ada@example.com; name: required");
  }
  EXPECT_EQ(repo.count(), 0);
}

TEST_F(SimpleApiService, NamesAreStoredTrimmed) {
  EXPECT_EQ(service.create({"ada@example.com", "  Ada Lovelace "}).name, "Ada Lovelace");
  EXPECT_EQ(service.update(1, {.email = {}, .name = " Ada\t", .expected_version = {}}).name, "Ada");
}

TEST_F(SimpleApiService, UpdateChecksOnlyTheFieldsItChanges) {
  service.create({"ada@example.com", "Ada"});
  EXPECT_EQ(service.update(1, {.email = "ada@lovelace.org", .name = {}, .expected_version = {}}).email,
            "ada@lovelace.org");
  EXPECT_THROW(service.update(1, {.email = {}, .name = "", .expected_version = {}}), InvalidUser);
  EXPECT_THROW(service.update(2, {.email = {}, .name = "Nobody", .expected_version = {}}), UserNotFound);
}

TEST_F(SimpleApiService, IdsThatCannotExistAreNotFound) {
  EXPECT_THROW(service.get(0), UserNotFound);
  EXPECT_THROW(service.get(-3), UserNotFound);
  EXPECT_THROW(service.remove(0, std::nullopt), UserNotFound);
}

TEST_F(SimpleApiService, PagesWalkEveryUserOnceByToken) {
  for (int i = 0; i < 45; ++i) service.create({"u" + std::to_string(i) + "@example.com", "U"});
  repo.remove(10, std::nullopt);
  std::set<int64_t> seen;
  std::vector<size_t> sizes;
  std::string token;
  for (int pages = 0; pages < 10; ++pages) {
    Page page = service.list(0, token);  // the default size, 20
    EXPECT_EQ(page.total_size, 44);
    sizes.push_back(page.users.size());
    for (const User& u : page.users) EXPECT_TRUE(seen.insert(u.id).second) << "user " << u.id << " twice";
    token = page.next_page_token;
    if (token.empty()) break;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{20, 20, 4}));
  EXPECT_EQ(seen.size(), 44u);
}

TEST_F(SimpleApiService, APageThatEndsExactlyAtTheLastUserHasNoNextToken) {
  for (int i = 0; i < 4; ++i) service.create({"u" + std::to_string(i) + "@example.com", "U"});
  Page first = service.list(2, "");
  EXPECT_FALSE(first.next_page_token.empty());
  Page second = service.list(2, first.next_page_token);
  EXPECT_EQ(second.users.size(), 2u);
  EXPECT_TRUE(second.next_page_token.empty());
}

TEST_F(SimpleApiService, PageSizesAreDefaultedAndCappedAndNegativeIsRefused) {
  for (int i = 0; i < 120; ++i) service.create({"u" + std::to_string(i) + "@example.com", "U"});
  EXPECT_EQ(service.list(0, "").users.size(), 20u);
  EXPECT_EQ(service.list(1000, "").users.size(), 100u);
  EXPECT_THROW(service.list(-1, ""), BadRequest);
  service.set_limits({.max_name_length = 100, .default_page_size = 5, .max_page_size = 10});
  EXPECT_EQ(service.list(0, "").users.size(), 5u);
  EXPECT_EQ(service.list(50, "").users.size(), 10u);
}

TEST_F(SimpleApiService, TokensThisServerDidNotGiveAreRefused) {
  for (const char* bad : {"abc", "-1", "0", "1x", " 1", "99999999999999999999999"}) {
    EXPECT_THROW(service.list(0, bad), BadRequest) << bad;
  }
}

TEST_F(SimpleApiService, ALimitChangeAppliesToTheNextRequest) {
  service.set_limits({.max_name_length = 3, .default_page_size = 20, .max_page_size = 100});
  EXPECT_THROW(service.create({"ada@example.com", "Adam"}), InvalidUser);
  EXPECT_EQ(service.create({"ada@example.com", "Ada"}).name, "Ada");
}

}  // namespace
}  // namespace users
