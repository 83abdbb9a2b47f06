// The ABI header compiles alone as strict C++20 and keeps its 1.0 layout.
#include "abi_layout_asserts.h"

int hyperion_abi_layout_cxx20() { return HYPERION_ABI_MAJOR; }
