// The notes example's entry point (hyperion/plugin.hpp generates it).
#include "notes.h"

HYPERION_PLUGIN(notes::NotesPlugin)
