// The fuzz targets' main outside libFuzzer (a gcc build, the normal and sanitizer
// test runs): feeds every file under the given files or folders to
// LLVMFuzzerTestOneInput once, so the seed corpus and every crash ever found
// (fuzz/regressions) are replayed by ctest on each CI run.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional: a target that starts servers stops them here, before static
// destructors run under its threads (libFuzzer itself has no such hook).
extern "C" __attribute__((weak)) void hyperion_fuzz_teardown();

namespace {

int replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
    return 1;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file() && entry.path().filename() != ".gitkeep") files.push_back(entry.path());
      }
    } else {
      files.push_back(arg);
    }
    for (const auto& f : files) {
      failures += replay(f);
      ++inputs;
    }
  }
  std::printf("replayed %zu input(s)\n", inputs);
  if (hyperion_fuzz_teardown != nullptr) hyperion_fuzz_teardown();
  return failures == 0 ? 0 : 1;
}
