// DescriptorIndex: the FileDescriptorSets handler plugins registered, in a
// descriptor pool private to this plugin (never libprotobuf's global generated
// pool, so a swapped handler's new build cannot collide with the old one), for
// server reflection. When two sets hold a file of the same name, the newest
// registration's version wins.
// Thread-safety: every member may be called from any thread; lookups work on an
// immutable snapshot that a registration replaces.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hyperion::plugins::grpc_server {

class DescriptorIndex {
 public:
  DescriptorIndex();
  ~DescriptorIndex();

  // Adds a serialized FileDescriptorSet. Returns its id, or 0 with `error` set
  // (not a FileDescriptorSet, or its files do not build together with the rest).
  uint64_t add(std::string_view file_descriptor_set, std::string& error);
  void remove(uint64_t id);

  // The serialized FileDescriptorProtos of the file that defines `symbol`
  // (a fully-qualified service, method, message, enum or field name), then of
  // every file it imports, transitively. Empty when unknown.
  [[nodiscard]] std::vector<std::string> file_containing_symbol(const std::string& symbol) const;
  [[nodiscard]] std::vector<std::string> file_by_name(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> file_containing_extension(const std::string& type, int number) const;
  // nullopt when the message type is unknown.
  [[nodiscard]] std::optional<std::vector<int>> extension_numbers(const std::string& type) const;

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot() const;
  // Builds a snapshot from `sets` (oldest first); nullptr with `error` set when they do not build.
  static std::shared_ptr<const Snapshot> build(const std::map<uint64_t, std::vector<std::string>>& sets,
                                               std::string& error);

  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::vector<std::string>> sets_;  // id -> serialized FileDescriptorProtos
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace hyperion::plugins::grpc_server
