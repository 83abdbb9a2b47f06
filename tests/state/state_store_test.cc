// The state database keeps only the newest events.
#include "state/state_store.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hyperion::state
