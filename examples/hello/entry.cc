// The only file that uses the export macro.
#include "hello.h"

HYPERION_PLUGIN(hello::Hello)
