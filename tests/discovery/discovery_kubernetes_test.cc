// The discovery plugin's Kubernetes backend in a real host. No API server can
// run on these machines, so these run against
// KubernetesEndpointSliceProtocolFake (a protocol fake, not Kubernetes: the
// documented list and watch of EndpointSlices over https with a bearer token,
// including 410 Expired and dropped watches).
#include <gtest/gtest.h>

#include <mutex>

#include "discovery/discovery_host.h"
#include "support/kubernetes_fake.h"
#include "support/test_certificates.h"

namespace hyperion::discovery_test {
namespace {

using testing::KubernetesEndpointSliceProtocolFake;
using Endpoint = KubernetesEndpointSliceProtocolFake::Endpoint;
using namespace std::chrono_literals;

class DiscoveryKubernetes : public ::testing::Test {
 protected:
  DiscoveryKubernetes() {
    testing::make_test_certificates(certs_.path());
    fake_ = std::make_unique<KubernetesEndpointSliceProtocolFake>(certs_.path(), "sa-token");
    token_file_ = certs_.write("token", "sa-token\n");
  }
  std::string config(const std::string& extra = "") {
    return "{backend: kubernetes, kubernetes: {api_server: '" + fake_->url() +
           "', namespace: shop, token_file: " + token_file_ + ", ca_file: " + certs_.path() +
           "/ca.pem, port_name: http, watch_timeout_s: 2}, retry: {initial_ms: 100, max_ms: 300}" + extra + "}";
  }
  testing::TempDir certs_;
  std::unique_ptr<KubernetesEndpointSliceProtocolFake> fake_;
  std::string token_file_;
};

TEST_F(DiscoveryKubernetes, FollowsReadyEndpointsThroughListAndWatch) {
  fake_->apply_slice("shop", "users", "users-abc", {{"10.0.0.1", true}, {"10.0.0.2", false}}, "http", 8080);
  fake_->apply_slice("shop", "orders", "orders-x", {{"10.0.9.9", true}}, "http", 8080);
  fake_->apply_slice("other", "users", "users-elsewhere", {{"10.0.8.8", true}}, "http", 8080);
  std::mutex mu;
  std::vector<std::vector<std::string>> seen;
  DiscoveryHost h(config());
  auto found = h.client().resolve({"users", {}, {}});
  ASSERT_EQ(ids(found), (std::vector<std::string>{"10.0.0.1:8080"})) << "ready endpoints of this namespace only";
  EXPECT_EQ(found[0].meta.at("slice"), "users-abc");
  EXPECT_EQ(found[0].meta.at("pod"), "users-10.0.0.1");
  h.client().watch({"users", {}, {}}, [&](const std::vector<discovery::Instance>& set) {
    std::lock_guard lock(mu);
    seen.push_back(ids(set));
  });
  auto latest = [&] {
    std::lock_guard lock(mu);
    return seen.empty() ? std::vector<std::string>{} : seen.back();
  };
  fake_->apply_slice("shop", "users", "users-abc", {{"10.0.0.1", true}, {"10.0.0.2", true}}, "http", 8080);
  ASSERT_TRUE(testing::eventually([&] { return latest().size() == 2; })) << h.health();
  fake_->apply_slice("shop", "users", "users-def", {{"10.0.0.3", true}}, "http", 8080);
  ASSERT_TRUE(testing::eventually([&] { return latest().size() == 3; })) << h.health();
  fake_->delete_slice("shop", "users-abc");
  ASSERT_TRUE(testing::eventually([&] { return latest() == std::vector<std::string>{"10.0.0.3:8080"}; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::vector<std::string>>{{"10.0.0.1:8080"},
                                                         {"10.0.0.1:8080", "10.0.0.2:8080"},
                                                         {"10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"},
                                                         {"10.0.0.3:8080"}}))
      << "each change once, in order (MODIFIED, ADDED, DELETED)";
}

TEST_F(DiscoveryKubernetes, AWatchFromAnExpiredVersionListsAgainAndMissesNothing) {
  fake_->apply_slice("shop", "users", "users-abc", {{"10.0.0.1", true}}, "http", 8080);
  DiscoveryHost h(config());
  ASSERT_EQ(h.client().resolve({"users", {}, {}}).size(), 1u);
  ASSERT_TRUE(testing::eventually([&] { return fake_->watches() >= 1; }));
  const size_t lists = fake_->lists();
  // The API server restarts and etcd compacted what the plugin knew.
  fake_->expire_history();
  fake_->drop_watches();
  fake_->apply_slice("shop", "users", "users-abc", {{"10.0.0.1", true}, {"10.0.0.4", true}}, "http", 8080);
  ASSERT_TRUE(testing::eventually([&] { return h.client().resolve({"users", {}, {}}).size() == 2; })) << h.health();
  EXPECT_GT(fake_->lists(), lists) << "410 Expired: listed again";
}

TEST_F(DiscoveryKubernetes, TheBearerTokenIsReadAtEveryConnectAndARefusalIsReported) {
  testing::TempDir dir;
  const std::string token = dir.write("token", "wrong\n");
  fake_->apply_slice("shop", "users", "users-abc", {{"10.0.0.1", true}}, "http", 8080);
  token_file_ = token;
  DiscoveryHost h(config(", resolve_timeout_ms: 300"));
  EXPECT_THROW((void)h.client().resolve({"users", {}, {}}), Error) << "nothing known yet";
  ASSERT_TRUE(testing::eventually([&] { return h.health().find("401") != std::string::npos; })) << h.health();
  EXPECT_NE(h.health().find("\"degraded\""), std::string::npos) << h.health();
  dir.write("token", "sa-token\n");  // rotated, as projected tokens are
  ASSERT_TRUE(testing::eventually([&] {
    try {
      return h.client().resolve({"users", {}, {}}).size() == 1;
    } catch (const Error&) {
      return false;
    }
  })) << h.health();
  EXPECT_GT(fake_->unauthorized(), 0u);
}

TEST_F(DiscoveryKubernetes, RegistrationIsKubernetesOwn) {
  try {
    DiscoveryHost bad(config(", register: [{service: web, address: 127.0.0.1, port: 80}]"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("register: the kubernetes backend does not register"), std::string::npos)
        << e.what();
  }
  DiscoveryHost h(config());
  try {
    h.client().register_instance({"web", "w1", "127.0.0.1", 80, {}, {}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_FAILED_PRECONDITION);
  }
}

}  // namespace
}  // namespace hyperion::discovery_test
