// Fuzz target: the manifest parser and its checks (YAML, structure, types,
// interpolation, pins, instance names). Any input must give a Manifest or a
// clean error, never a crash, a hang or unbounded memory.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "manifest/manifest_parser.h"

namespace {

// ${NAME} finds two variables; ${file:secret} finds one small file.
const hyperion::manifest::InterpolationEnv& fuzz_env() {
  static const hyperion::manifest::InterpolationEnv env = [] {
    auto dir = std::filesystem::temp_directory_path() / "hyperion-fuzz-manifest";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "secret") << "s3cret\n";
    hyperion::manifest::InterpolationEnv e;
    e.base_dir = dir.string();
    e.getenv = [](const std::string& name) -> std::optional<std::string> {
      if (name == "PORT") return "8080";
      if (name == "EMPTY") return "";
      return std::nullopt;
    };
    return e;
  }();
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto manifest = hyperion::manifest::parse_manifest_text(text, "fuzz.yaml", fuzz_env());
  if (manifest.ok()) {
    // Everything a caller reads from an accepted manifest must be usable.
    for (const auto& p : manifest->plugins) (void)manifest->locate("/plugins/" + p.name);
    (void)manifest->find("x");
  } else {
    (void)manifest.status().to_string();
  }
  return 0;
}
