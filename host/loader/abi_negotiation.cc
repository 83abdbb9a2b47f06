#include "loader/abi_negotiation.h"

#include <cstddef>
#include <cstring>

#include "loader/versioned_struct.h"

namespace hyperion::loader {

StatusOr<NegotiatedPlugin> negotiate_abi(hyperion_plugin_entry_fn entry, const std::string& origin,
                                         const PluginMetadata& metadata, uint32_t host_minor) {
  const std::string where = "loader: " + origin;
  const hyperion_plugin_t* d = entry(HYPERION_ABI_MAJOR, host_minor);
  if (d == nullptr) {
    return failed_precondition(where + ": the plugin refused a host speaking ABI " +
                               std::to_string(HYPERION_ABI_MAJOR) + "." + std::to_string(host_minor) +
                               " (its entry point returned NULL)");
  }
  // Read the fixed prefix first: magic and struct_size are at the same offsets in
  // every version of the descriptor.
  hyperion_plugin_t desc{};
  std::memcpy(&desc, d, offsetof(hyperion_plugin_t, abi_major));
  if (desc.magic != HYPERION_PLUGIN_MAGIC) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", desc.magic);
    return invalid_argument(where + ": bad descriptor magic " + buf + " (expected 0x52505948 \"HYPR\")");
  }
  if (!read_versioned(desc, d, desc.struct_size, HYPERION_PLUGIN_SIZE_1_0)) {
    return invalid_argument(where + ": descriptor struct_size " + std::to_string(desc.struct_size) +
                            " is smaller than the ABI 1.0 descriptor (" + std::to_string(HYPERION_PLUGIN_SIZE_1_0) +
                            ")");
  }
  if (desc.abi_major != HYPERION_ABI_MAJOR) {
    return failed_precondition(where + ": ABI major mismatch: the plugin was built for ABI " +
                               std::to_string(desc.abi_major) + "." + std::to_string(desc.abi_minor) +
                               ", this host speaks ABI " + std::to_string(HYPERION_ABI_MAJOR) + ".x");
  }
  if (desc.abi_minor > host_minor) {
    return failed_precondition(where + ": the plugin needs ABI " + std::to_string(desc.abi_major) + "." +
                               std::to_string(desc.abi_minor) + ", this host speaks up to " +
                               std::to_string(HYPERION_ABI_MAJOR) + "." + std::to_string(host_minor) +
                               " (upgrade the host)");
  }
  if (desc.metadata_json == nullptr || std::string_view(desc.metadata_json) != metadata.json) {
    return invalid_argument(where + ": the descriptor's metadata_json differs from the " HYPERION_METADATA_SECTION
                            " section");
  }
  if (desc.vtable == nullptr) return invalid_argument(where + ": the descriptor has no vtable");
  NegotiatedPlugin out;
  out.abi_minor = desc.abi_minor;
  const uint32_t vsize = desc.vtable->struct_size;
  if (!read_versioned(out.vtable, desc.vtable, vsize, HYPERION_PLUGIN_VTABLE_REQUIRED_SIZE)) {
    return invalid_argument(where + ": vtable struct_size " + std::to_string(vsize) +
                            " is too small to hold create/start/stop/destroy");
  }
  out.vtable.struct_size = static_cast<uint32_t>(sizeof out.vtable);
  const hyperion_plugin_vtable_t& v = out.vtable;
  if (v.create == nullptr || v.start == nullptr || v.stop == nullptr || v.destroy == nullptr) {
    return invalid_argument(where + ": the vtable lacks a required function (create, start, stop, destroy)");
  }
  auto check = [&](const char* capability, bool implemented, const char* slots) -> Status {
    if (metadata.has(capability) && !implemented) {
      return invalid_argument(where + ": declares capability \"" + capability + "\" but does not implement " + slots);
    }
    if (!metadata.has(capability) && implemented) {
      return invalid_argument(where + ": implements " + slots + " but does not declare capability \"" +
                              capability + "\" in its metadata");
    }
    return ok_status();
  };
  HYPERION_RETURN_IF_ERROR(check("health", v.health != nullptr, "health"));
  HYPERION_RETURN_IF_ERROR(check("reload", v.reload_prepare && v.reload_commit && v.reload_abort,
                                 "reload_prepare/reload_commit/reload_abort"));
  HYPERION_RETURN_IF_ERROR(check("state", v.state_export && v.state_import, "state_export/state_import"));
  if (!metadata.provides.empty() && v.get_service == nullptr) {
    return invalid_argument(where + ": provides " + metadata.provides[0].to_string() +
                            " but does not implement get_service");
  }
  return out;
}

}  // namespace hyperion::loader
