// The echo plugin in a real host, in this test's own process (Hyperion::testing).
#include <gtest/gtest.h>
#include <hyperion/testing.hpp>

TEST(Echo, StartsHealthyAndRestartsOnANewMessage) {
  hyperion::testing::TestHost host("- name: echo\n  library: echo\n  config: {message: tested outside}\n",
                                   {.plugin_path = {ECHO_PLUGIN_DIR}});
  EXPECT_EQ(host.status("echo"), "healthy");
  auto r = host.reload("- name: echo\n  library: echo\n  config: {message: again}\n");
  ASSERT_TRUE(r.applied) << r.summary;
  EXPECT_EQ(r.actions["echo"], "restart") << "message is not x-dynamic";
  EXPECT_TRUE(host.wait_for_event("dev.hyperion.plugin.started").has_value());
}
