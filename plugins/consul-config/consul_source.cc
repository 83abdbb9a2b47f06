// KvSource on Consul: a recursive read of the prefix, then a loop of blocking
// queries from the index each answer carries, following Consul's documented
// rules (consul::BlockingQueryLoop): an index that goes backwards resets the
// loop to a plain read; an index of 0 is used as 1; and the loop is rate
// limited (a token bucket, burst 2), so a churning prefix degrades into
// polling instead of a busy loop.
#include "kv_source.h"

namespace hyperion::plugins::consul_config {
namespace {

class ConsulSource final : public KvSource {
 public:
  ConsulSource(consul::ClientSettings settings, std::string prefix, ConsulWatchSettings watch)
      : client_(std::move(settings)), prefix_(std::move(prefix)), watch_(watch) {}

  [[nodiscard]] std::string name() const override {
    std::string shown = prefix_;
    if (!shown.empty() && shown.back() == '/') shown.pop_back();
    return "consul:" + shown;
  }
  [[nodiscard]] std::string endpoint() const override { return client_.endpoint(); }

  KvSnapshot read() override { return snapshot(client_.list(prefix_)); }

  std::string follow(KvSnapshot& current, const std::function<void(const KvSnapshot&)>& on_change) override {
    loop_.restart_from(static_cast<uint64_t>(current.index));
    for (;;) {
      std::optional<consul::BlockingAnswer> answer;
      try {
        answer = loop_.next();
      } catch (const std::exception& e) {
        return std::string("blocking query: ") + e.what();
      }
      if (!answer) return "";  // stopped
      KvSnapshot next = snapshot(consul::kv_list_of(*answer, prefix_));
      current.index = next.index;
      // The data decides: an answer may come at the end of the wait, for a
      // write elsewhere, or (a server with the index-0 bug) every time.
      if (next.kvs == current.kvs) continue;
      current.kvs = std::move(next.kvs);
      on_change(current);
    }
  }

  void stop() override {
    loop_.stop();
    client_.stop();
  }
  void resume() override {
    loop_.resume();
    client_.resume();
  }

 private:
  // Keys that end in '/' are Consul's folders (the UI makes them): no values.
  static KvSnapshot snapshot(consul::KvList list) {
    KvSnapshot out;
    out.index = static_cast<int64_t>(list.index);
    for (consul::KvPair& pair : list.pairs) {
      if (!pair.key.empty() && pair.key.back() != '/') out.kvs[pair.key] = std::move(pair.value);
    }
    return out;
  }

  consul::Client client_;
  std::string prefix_;
  ConsulWatchSettings watch_;
  consul::BlockingQueryLoop loop_{client_, consul::kv_list_path(prefix_), watch_.wait, watch_.rate_interval};
};

}  // namespace

std::unique_ptr<KvSource> make_consul_source(consul::ClientSettings settings, std::string prefix,
                                             ConsulWatchSettings watch) {
  return std::make_unique<ConsulSource>(std::move(settings), std::move(prefix), watch);
}

}  // namespace hyperion::plugins::consul_config
