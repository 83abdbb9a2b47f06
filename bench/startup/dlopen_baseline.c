/* Baseline for bench/startup: a minimal program that only dlopens the given
 * files (RTLD_NOW | RTLD_LOCAL, as the host does) and says so on stderr. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (dlopen(argv[i], RTLD_NOW | RTLD_LOCAL) == NULL) {
      fprintf(stderr, "dlopen: %s\n", dlerror());
      return 1;
    }
  }
  fprintf(stderr, "loaded %d\n", argc - 1);
  return 0;
}
