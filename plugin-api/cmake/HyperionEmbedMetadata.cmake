# cmake -DINPUT=plugin.json -DOUTPUT=metadata.c -P HyperionEmbedMetadata.cmake
# Writes a C file that places the JSON document, NUL-terminated, in the
# ".hyperion_meta" section as `hyperion_plugin_metadata`.
file(READ "${INPUT}" json)
string(JSON name ERROR_VARIABLE err GET "${json}" name)
if(err)
  message(FATAL_ERROR "${INPUT}: not valid plugin metadata (needs a JSON object with \"name\"): ${err}")
endif()
string(JSON version ERROR_VARIABLE err GET "${json}" version)
if(err)
  message(FATAL_ERROR "${INPUT}: plugin metadata has no \"version\": ${err}")
endif()
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}.tmp"
"/* Generated from ${INPUT} by HyperionEmbedMetadata.cmake. Do not edit. */\n"
"#include <hyperion/plugin.h>\n"
"HYPERION_METADATA(hyperion_plugin_metadata) = {${bytes}0x00};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
