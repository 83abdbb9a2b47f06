// The `hyperion` binary: everything lives in the host library; main only wires.
#include "cli/commands.h"

int main(int argc, char** argv) { return hyperion::cli::main(argc, argv); }
