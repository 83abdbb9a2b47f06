#include "descriptor_index.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>

#include <set>

namespace hyperion::plugins::grpc_server {

namespace pb = google::protobuf;

struct DescriptorIndex::Snapshot {
  pb::SimpleDescriptorDatabase database;
  std::unique_ptr<pb::DescriptorPool> pool;
  std::map<std::string, std::string> bytes_by_file;

  // The file and its imports, transitively, each once, the file first.
  std::vector<std::string> closure(const pb::FileDescriptor* file) const {
    std::vector<std::string> out;
    if (file == nullptr) return out;
    std::set<std::string> seen;
    std::vector<const pb::FileDescriptor*> todo{file};
    while (!todo.empty()) {
      const pb::FileDescriptor* f = todo.back();
      todo.pop_back();
      if (!seen.insert(f->name()).second) continue;
      auto it = bytes_by_file.find(f->name());
      if (it != bytes_by_file.end()) out.push_back(it->second);
      for (int i = f->dependency_count() - 1; i >= 0; --i) todo.push_back(f->dependency(i));
    }
    return out;
  }
};

DescriptorIndex::DescriptorIndex() {
  std::string ignored;
  snapshot_ = build({}, ignored);
}

DescriptorIndex::~DescriptorIndex() = default;

std::shared_ptr<const DescriptorIndex::Snapshot> DescriptorIndex::build(
    const std::map<uint64_t, std::vector<std::string>>& sets, std::string& error) {
  // Newest wins: walk the sets oldest first and let later files overwrite.
  std::map<std::string, std::string> files;
  for (const auto& [id, protos] : sets) {
    for (const auto& bytes : protos) {
      pb::FileDescriptorProto file;
      file.ParseFromString(bytes);
      files[file.name()] = bytes;
    }
  }
  auto snap = std::make_shared<Snapshot>();
  for (const auto& [name, bytes] : files) {
    pb::FileDescriptorProto file;
    file.ParseFromString(bytes);
    if (!snap->database.Add(file)) {
      error = "file " + name + " defines a symbol another registered file defines too";
      return nullptr;
    }
  }
  snap->pool = std::make_unique<pb::DescriptorPool>(&snap->database);
  for (const auto& [name, bytes] : files) {
    if (snap->pool->FindFileByName(name) == nullptr) {
      error = "file " + name + " does not build (a missing import or an undefined type)";
      return nullptr;
    }
  }
  snap->bytes_by_file = std::move(files);
  return snap;
}

uint64_t DescriptorIndex::add(std::string_view file_descriptor_set, std::string& error) {
  pb::FileDescriptorSet set;
  if (!set.ParseFromArray(file_descriptor_set.data(), static_cast<int>(file_descriptor_set.size()))) {
    error = "the bytes are not a serialized google.protobuf.FileDescriptorSet";
    return 0;
  }
  std::vector<std::string> protos;
  for (const auto& file : set.file()) {
    if (file.name().empty()) {
      error = "a file in the descriptor set has no name";
      return 0;
    }
    protos.push_back(file.SerializeAsString());
  }
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  auto sets = sets_;
  sets[id] = std::move(protos);
  auto snap = build(sets, error);
  if (snap == nullptr) return 0;
  sets_ = std::move(sets);
  snapshot_ = std::move(snap);
  return id;
}

void DescriptorIndex::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  if (sets_.erase(id) == 0) return;
  std::string error;
  // Removing files cannot break the rest unless a remaining file imported one
  // of them; then keep serving what still builds by dropping nothing further.
  if (auto snap = build(sets_, error)) snapshot_ = std::move(snap);
}

std::shared_ptr<const DescriptorIndex::Snapshot> DescriptorIndex::snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::vector<std::string> DescriptorIndex::file_containing_symbol(const std::string& symbol) const {
  auto snap = snapshot();
  return snap->closure(snap->pool->FindFileContainingSymbol(symbol));
}

std::vector<std::string> DescriptorIndex::file_by_name(const std::string& name) const {
  auto snap = snapshot();
  return snap->closure(snap->pool->FindFileByName(name));
}

std::vector<std::string> DescriptorIndex::file_containing_extension(const std::string& type, int number) const {
  auto snap = snapshot();
  const pb::Descriptor* message = snap->pool->FindMessageTypeByName(type);
  if (message == nullptr) return {};
  const pb::FieldDescriptor* ext = snap->pool->FindExtensionByNumber(message, number);
  return ext == nullptr ? std::vector<std::string>{} : snap->closure(ext->file());
}

std::optional<std::vector<int>> DescriptorIndex::extension_numbers(const std::string& type) const {
  auto snap = snapshot();
  const pb::Descriptor* message = snap->pool->FindMessageTypeByName(type);
  if (message == nullptr) return std::nullopt;
  std::vector<const pb::FieldDescriptor*> extensions;
  snap->pool->FindAllExtensions(message, &extensions);
  std::vector<int> numbers;
  for (const auto* e : extensions) numbers.push_back(e->number());
  return numbers;
}

}  // namespace hyperion::plugins::grpc_server
