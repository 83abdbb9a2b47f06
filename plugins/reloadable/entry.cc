// The only file that uses the export macro.
#include "reloadable.h"

HYPERION_PLUGIN(hyperion::plugins::reloadable::Reloadable)
