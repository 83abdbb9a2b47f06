// The only file that uses the export macro.
#include "reloadable.h"

HYPERION_PLUGIN(reloadable::Reloadable)
