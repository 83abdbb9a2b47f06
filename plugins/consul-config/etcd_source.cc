// KvSource on etcd: a range read of the prefix, then one watch stream from the
// read's revision + 1. A stream that ends (broken, compacted) says why; the
// caller reads the prefix again and resumes from that read, so no change is
// missed either way.
#include "kv_source.h"

namespace hyperion::plugins::consul_config {
namespace {

class EtcdSource final : public KvSource {
 public:
  EtcdSource(etcd::ClientSettings settings, std::string prefix)
      : client_(std::move(settings)), prefix_(std::move(prefix)) {}

  [[nodiscard]] std::string name() const override {
    std::string shown = prefix_;
    if (!shown.empty() && shown.back() == '/') shown.pop_back();
    return "etcd:" + shown;
  }
  [[nodiscard]] std::string endpoint() const override { return client_.endpoint(); }

  KvSnapshot read() override {
    etcd::RangeResult range = client_.get_prefix(prefix_);
    KvSnapshot out;
    out.index = range.revision;
    for (etcd::KeyValue& kv : range.kvs) out.kvs[kv.key] = std::move(kv.value);
    return out;
  }

  std::string follow(KvSnapshot& current, const std::function<void(const KvSnapshot&)>& on_change) override {
    etcd::WatchOutcome outcome;
    try {
      outcome = client_.watch_prefix(prefix_, current.index + 1,
                                     [&](const std::vector<etcd::WatchEvent>& events, int64_t revision) {
                                       for (const etcd::WatchEvent& e : events) {
                                         if (e.deleted)
                                           current.kvs.erase(e.kv.key);
                                         else
                                           current.kvs[e.kv.key] = e.kv.value;
                                       }
                                       current.index = revision;
                                       on_change(current);
                                     });
    } catch (const std::exception& e) {
      return std::string("watch: ") + e.what();
    }
    switch (outcome.end) {
      case etcd::WatchOutcome::End::kStopped: return "";
      case etcd::WatchOutcome::End::kCompacted:
        // What happened between our revision and the compaction is gone: the
        // caller reads the whole prefix again after every ended stream.
        return "revision " + std::to_string(outcome.compact_revision) + " compacted: read the prefix again";
      case etcd::WatchOutcome::End::kDisconnected: return "watch: " + outcome.detail;
    }
    return "watch ended";
  }

  void stop() override { client_.stop(); }
  void resume() override { client_.resume(); }

 private:
  etcd::Client client_;
  std::string prefix_;
};

}  // namespace

std::unique_ptr<KvSource> make_etcd_source(etcd::ClientSettings settings, std::string prefix) {
  return std::make_unique<EtcdSource>(std::move(settings), std::move(prefix));
}

}  // namespace hyperion::plugins::consul_config
