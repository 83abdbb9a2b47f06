// What discovery costs a caller, and how long a dead host stays findable.
//
//   discovery_bench <plugin_dir> [picks]
//
// 1. pick() + report() per call, with 3 and with 300 instances of a service,
//    single-threaded: a baseline (a mutex-guarded round robin over a vector:
//    the least any thread-safe balancer does), the plugin's Balancer itself,
//    the plugin's vtable (pick + report, as a caller that holds the service
//    for a batch of calls does), and the C++ helper's pick() + report(), which
//    enters the service (the host's handle) for each. Goal: the vtable's pick
//    + report under 100 ns.
// 2. With a real etcd (when installed) and a real `hyperion run` registering
//    with ttl_s 2: the time from its SIGKILL to its removal at a caller that
//    watches the service, beside the ttl.
#include <signal.h>
#include <hyperion/services/discovery.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "balancer.h"
#include "common/bench_host.h"
#include "common/load_stats.h"
#include "hostapi/host_api_table.h"
#include "services/service_registry.h"
#include "support/etcd_server.h"
#include "support/test_support.h"

namespace {

using Clock = std::chrono::steady_clock;
using hyperion::discovery::Instance;

std::vector<Instance> instances(int n) {
  std::vector<Instance> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({"users", "u" + std::to_string(1000 + i), "10.0.0." + std::to_string(i % 250), 9000, {}, {}});
  }
  return out;
}

// Nanoseconds per call of `call`, the median of 5 rounds of `picks` calls.
template <typename Call>
double ns_per_call(int picks, Call&& call) {
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    const auto start = Clock::now();
    for (int i = 0; i < picks; ++i) call();
    rounds.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count() / picks);
  }
  return hyperion::bench::percentile(rounds, 0.5);
}

void pick_costs(const std::string& plugin_dir, int picks) {
  std::printf("pick + report per call, single thread (median of 5 rounds of %d)\n", picks);
  for (int n : {3, 300}) {
    std::vector<Instance> list = instances(n);
    // Baseline: the least a thread-safe round robin does.
    std::mutex mu;
    size_t next = 0;
    volatile uint32_t sink = 0;
    const double baseline = ns_per_call(picks, [&] {
      std::lock_guard lock(mu);
      sink = list[next++ % list.size()].port;
    });
    hyperion::plugins::discovery::Balancer balancer(hyperion::plugins::discovery::Policy::kRoundRobin, {});
    balancer.update(list);
    const double direct = ns_per_call(picks, [&] {
      auto c = balancer.pick(nullptr);
      sink = c->instance->port;
      balancer.report(c->ticket, HYPERION_DISCOVERY_SUCCESS);
    });
    // The same through a host: the plugin's vtable, as another plugin calls it.
    hyperion::testing::TempDir dir;
    std::string statics;
    for (const Instance& i : list) {
      statics += "{service: users, id: " + i.id + ", address: " + i.address + ", port: 9000},";
    }
    statics.pop_back();
    auto host = hyperion::bench::start_host(dir.path(),
                                            "app: bench\nhost:\n  state_dir: " + dir.path() +
                                                "/state\nplugins:\n  - name: registry\n"
                                                "    library: discovery\n    config: {static: [" +
                                                statics + "]}\n",
                                            {plugin_dir});
    hyperion_host_api_t api = *hyperion::hostapi::host_api_table();
    api.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
    auto* handle = host->facilities().services.acquire(nullptr, "registry", HYPERION_DISCOVERY_API, 1);
    {
      hyperion::discovery::Client client(hyperion::ServiceHandle(&api, handle));
      const hyperion::discovery::Query query{"users", {}, {}};
      (void)client.resolve(query);  // follows the service before timing
      const double through_abi = ns_per_call(picks, [&] {
        hyperion::discovery::Picked p = client.pick(query);
        sink = p.instance.port;
        p.report(HYPERION_DISCOVERY_SUCCESS);
      });
      // The vtable alone, as a caller that holds the service for a batch of calls.
      hyperion::ServiceHandle batch_handle(
          &api, host->facilities().services.acquire(nullptr, "registry", HYPERION_DISCOVERY_API, 1));
      auto use = batch_handle.enter<hyperion_discovery_v1_t>();
      hyperion_discovery_query_t raw{};
      raw.struct_size = sizeof raw;
      raw.service = hyperion::to_str("users");
      hyperion_error_t err{};
      err.struct_size = sizeof err;
      const double vtable = ns_per_call(picks, [&] {
        uint64_t ticket = 0;
        use.vtable()->pick(
            use.ctx(), &raw,
            [](void* user, const hyperion_discovery_instance_t* i, uint64_t t) {
              *static_cast<uint64_t*>(user) = t + i->port;
            },
            &ticket, &err);
        use.vtable()->report(use.ctx(), ticket - 9000, HYPERION_DISCOVERY_SUCCESS);
      });
      std::printf(
          "  %3d instances: baseline %6.1f ns | Balancer %6.1f ns (%.1fx) | vtable %6.1f ns (%.1fx)%s | "
          "C++ helper, entering the service per call %6.1f ns (%.1fx)\n",
          n, baseline, direct, direct / baseline, vtable, vtable / baseline,
          vtable < 100 ? "" : " [goal < 100 ns NOT met]", through_abi, through_abi / baseline);
    }
    (void)host->stop();
  }
}

void removal_time(const std::string& plugin_dir) {
  if (!hyperion::testing::EtcdServer::available()) {
    std::printf("removal after SIGKILL: etcd is not installed (scripts/setup.sh installs etcd-server); skipped\n");
    return;
  }
  hyperion::testing::EtcdServer etcd;
  hyperion::testing::TempDir dir;
  auto observer = hyperion::bench::start_host(dir.path() + "/observer",
                                              "app: observer\nhost:\n  state_dir: " + dir.path() +
                                                  "/observer/state\nplugins:\n  - name: registry\n"
                                                  "    library: discovery\n    config: {backend: etcd, endpoints: [" +
                                                  etcd.endpoint() + "]}\n",
                                              {plugin_dir});
  hyperion_host_api_t api = *hyperion::hostapi::host_api_table();
  api.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
  hyperion::discovery::Client client(hyperion::ServiceHandle(
      &api, observer->facilities().services.acquire(nullptr, "registry", HYPERION_DISCOVERY_API, 1)));
  std::mutex mu;
  size_t seen = 0;
  Clock::time_point changed{};
  client.watch({"users", {}, {}}, [&](const std::vector<Instance>& set) {
    std::lock_guard lock(mu);
    seen = set.size();
    changed = Clock::now();
  });
  std::vector<double> seconds;
  for (int round = 0; round < 3; ++round) {
    const std::string manifest =
        dir.write("victim.yaml", "app: victim\nhost:\n  state_dir: " + dir.path() + "/victim" + std::to_string(round) +
                                     "\n  log_level: info\n  admin: {enabled: false}\nplugins:\n  - name: registry\n   "
                                     " library: discovery\n    config: "
                                     "{backend: etcd, endpoints: [" +
                                     etcd.endpoint() +
                                     "], ttl_s: 2, register: [{service: users, address: 127.0.0.1, port: 9001}]}\n");
    hyperion::testing::ChildProcess victim(
        {hyperion::testing::hyperion_binary(), "run", manifest, "--plugin-path", plugin_dir});
    victim.wait_for_stderr("publishing 1 instance(s)", std::chrono::seconds(30));
    hyperion::testing::eventually(
        [&] {
          std::lock_guard lock(mu);
          return seen == 1;
        },
        std::chrono::seconds(20));
    const auto killed = Clock::now();
    victim.signal(SIGKILL);
    if (!hyperion::testing::eventually(
            [&] {
              std::lock_guard lock(mu);
              return seen == 0;
            },
            std::chrono::seconds(20))) {
      std::printf("  round %d: the killed host was still there after 20 s\n", round);
      continue;
    }
    std::lock_guard lock(mu);
    seconds.push_back(std::chrono::duration<double>(changed - killed).count());
  }
  (void)observer->stop();
  std::printf("removal of a SIGKILLed host at a watching caller, ttl_s 2 (3 rounds):");
  for (double s : seconds) std::printf(" %.2f s", s);
  std::printf("  (the ttl bounds it; etcd checks expiry about every 500 ms)\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: discovery_bench <plugin_dir> [picks]\n");
    return 2;
  }
  const int picks = argc > 2 ? std::atoi(argv[2]) : 1000000;
  pick_costs(argv[1], picks);
  removal_time(argv[1]);
  return 0;
}
