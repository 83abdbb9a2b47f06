#include "loader/library_report.h"

#include <elf.h>
#include <hyperion/plugin.h>

#include <boost/json.hpp>

#include "os/elf_file.h"
#include "os/file_digest.h"

namespace hyperion::loader {
namespace {

constexpr unsigned kStbGnuUnique = 10;

bool registers_protobuf_descriptors(const std::string& symbol) {
  // Generated full-runtime code calls these to add its .proto files to the
  // process-wide generated pool; a second copy of the same file aborts the process.
  return symbol.find("google8protobuf8internal14AddDescriptors") != std::string::npos ||
         symbol.find("google8protobuf8internal17AssignDescriptors") != std::string::npos ||
         symbol.find("DescriptorPool24InternalAddGeneratedFile") != std::string::npos;
}

}  // namespace

StatusOr<LibraryReport> inspect_library(const std::string& path) {
  auto elf = os::ElfFile::open(path);
  if (!elf.ok()) return elf.status();
  LibraryReport r;
  r.path = path;
  auto digest = os::sha256_file(path);
  if (digest.ok()) r.sha256 = *digest;
  auto metadata = read_plugin_metadata(path);
  if (metadata.ok()) r.metadata = std::move(*metadata);
  else r.metadata_error = metadata.status().message();
  r.needed = elf->needed();
  for (const os::ElfSymbol& s : elf->dynamic_symbols()) {
    if (s.defined && s.name == HYPERION_ENTRY_SYMBOL) r.exports_entry = true;
    if (s.defined && (s.binding == STB_GLOBAL || s.binding == STB_WEAK || s.binding == kStbGnuUnique)) {
      r.exported.push_back(s.name);
    }
    if (s.defined && s.binding == kStbGnuUnique) r.unique_symbols.push_back(s.name);
    if (!s.defined && registers_protobuf_descriptors(s.name)) r.protobuf_registration.push_back(s.name);
  }
  if (!r.unique_symbols.empty()) {
    r.unload_warnings.push_back(std::to_string(r.unique_symbols.size()) +
                                " STB_GNU_UNIQUE symbol(s): dlclose cannot unload this library "
                                "(build with -fno-gnu-unique; hyperion_add_plugin() does)");
  }
  if (!r.protobuf_registration.empty()) {
    r.unload_warnings.push_back("registers .proto files in libprotobuf's generated pool: it can never be swapped "
                                "(a second copy aborts the process); use optimize_for = LITE_RUNTIME");
  }
  for (const std::string& lib : r.needed) {
    if (lib.starts_with("libgrpc++")) {
      r.unload_warnings.push_back("links " + lib + ": a running gRPC server keeps the library mapped after dlclose");
    }
    if (lib.starts_with("libspdlog")) {
      r.unload_warnings.push_back("links " + lib + ": plugins should log through the host API, not their own spdlog");
    }
  }
  return r;
}

std::string swap_behaviour(const PluginMetadata& m) {
  std::string state = m.has("state") ? "; its state is handed over" : "; no state is handed over (no \"state\")";
  if (m.has("swap")) {
    return "a new build, or a static config change, is swapped in beside it, also under its consumers" + state;
  }
  if (!m.provides.empty()) {
    return "a new build is swapped in beside it while no instance uses its services; with consumers it restarts with "
           "them (no \"swap\" capability)" +
           state;
  }
  return "a new build is swapped in beside it (make-before-break)" + state;
}

std::string LibraryReport::to_text() const {
  std::string out = "library:   " + path + "\nsha256:    " + sha256 + "\n";
  if (metadata) {
    const PluginMetadata& m = *metadata;
    out += "plugin:    " + m.name + " " + m.version + (m.status == "stable" ? "" : " (" + m.status + ")") + "\n";
    if (!m.description.empty()) out += "about:     " + m.description + "\n";
    for (const ApiVersion& p : m.provides) out += "provides:  " + p.to_string() + "\n";
    for (const Requirement& r : m.requires_) out += "requires:  " + r.api.to_string() + (r.optional ? " (optional)" : "") + "\n";
    std::string caps;
    for (const std::string& c : m.capabilities) caps += (caps.empty() ? "" : ", ") + c;
    out += "capabilities: " + (caps.empty() ? std::string("(none)") : caps) + "\n";
    out += "config schema: " + boost::json::serialize(m.config_schema) + "\n";
  } else {
    out += "metadata:  MISSING: " + metadata_error + "\n";
  }
  out += std::string("entry:     ") + (exports_entry ? HYPERION_ENTRY_SYMBOL " exported" : "MISSING " HYPERION_ENTRY_SYMBOL) + "\n";
  if (exported.size() > 1) out += "exports:   " + std::to_string(exported.size()) + " symbols (only the entry point should be exported)\n";
  for (const std::string& n : needed) out += "needs:     " + n + "\n";
  if (metadata) out += "swap:      " + swap_behaviour(*metadata) + "\n";
  if (unloadable()) {
    out += "unload:    yes (no known reason to stay mapped)\n";
  } else {
    out += "unload:    no (" + std::to_string(unload_warnings.size()) +
           " reason(s), below: a swap leaves this build mapped)\n";
    for (const std::string& w : unload_warnings) out += "WARNING:   " + w + "\n";
    for (const std::string& s : unique_symbols) out += "  unique:  " + s + "\n";
    for (const std::string& s : protobuf_registration) out += "  imports: " + s + "\n";
  }
  return out;
}

std::string LibraryReport::to_json() const {
  boost::json::object o;
  o["path"] = path;
  o["sha256"] = sha256;
  if (metadata) {
    boost::system::error_code ec;
    o["metadata"] = boost::json::parse(metadata->json, ec);
  } else {
    o["metadata"] = nullptr;
    o["metadata_error"] = metadata_error;
  }
  o["is_plugin"] = is_plugin();
  o["exports_entry"] = exports_entry;
  auto strings = [](const std::vector<std::string>& v) {
    boost::json::array a;
    for (const std::string& s : v) a.emplace_back(s);
    return a;
  };
  o["exported_symbols"] = strings(exported);
  o["needed"] = strings(needed);
  o["unloadable"] = unloadable();
  if (metadata) o["swap"] = swap_behaviour(*metadata);
  o["unique_symbols"] = strings(unique_symbols);
  o["protobuf_registration"] = strings(protobuf_registration);
  o["unload_warnings"] = strings(unload_warnings);
  return boost::json::serialize(o);
}

}  // namespace hyperion::loader
