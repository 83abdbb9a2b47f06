/* The ABI header compiles alone as strict C11 and keeps its 1.0 layout. */
#include "abi_layout_asserts.h"

int hyperion_abi_layout_c11(void) { return HYPERION_ABI_MAJOR; }
