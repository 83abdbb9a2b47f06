# hyperion_add_plugin(<name> SOURCES <src>... [METADATA <plugin.json>]
#                     [LIBRARIES <lib>...] [ALLOW_UNDEFINED])
#
# Builds <name>.so, a Hyperion plugin that the host can load and unload:
#  - hidden visibility and a linker version script, so the entry point is the
#    only exported symbol;
#  - -fno-gnu-unique (GCC), so no STB_GNU_UNIQUE symbol pins the library in memory;
#  - -z defs, so an unresolved symbol is a link error rather than a load error
#    (ALLOW_UNDEFINED turns that off; the host's own tests use it on purpose);
#  - METADATA embeds the JSON file in the ".hyperion_meta" ELF section as the
#    NUL-terminated array `hyperion_plugin_metadata`, checked to be valid JSON with
#    a "name" and a "version" at build time.
# C++ sources get the C++ SDK (Hyperion::plugin_sdk); C-only plugins get the C header.
set(_HYPERION_PLUGIN_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where HyperionPlugin.cmake lives")

function(hyperion_add_plugin name)
  cmake_parse_arguments(ARG "ALLOW_UNDEFINED" "METADATA" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "hyperion_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED HYPERION_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${HYPERION_BUILD_PLUGIN_DIR}")
  endif()
  target_compile_options(${name} PRIVATE $<$<COMPILE_LANG_AND_ID:CXX,GNU>:-fno-gnu-unique>)
  target_link_options(${name} PRIVATE "-Wl,--version-script=${_HYPERION_PLUGIN_CMAKE_DIR}/hyperion_plugin.map")
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${_HYPERION_PLUGIN_CMAKE_DIR}/hyperion_plugin.map")
  if(NOT ARG_ALLOW_UNDEFINED)
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()

  set(has_cxx OFF)
  foreach(src IN LISTS ARG_SOURCES)
    if(src MATCHES "\\.(cc|cpp|cxx|C)$")
      set(has_cxx ON)
    endif()
  endforeach()
  if(has_cxx)
    target_link_libraries(${name} PRIVATE Hyperion::plugin_sdk)
  else()
    target_link_libraries(${name} PRIVATE Hyperion::plugin_api)
  endif()

  if(ARG_METADATA)
    get_filename_component(meta "${ARG_METADATA}" ABSOLUTE)
    # The declared capabilities, for the SDK's compile-time check against the
    # class's hooks (HYPERION_CHECK_CAPABILITIES in hyperion/plugin.hpp).
    if(EXISTS "${meta}")
      file(READ "${meta}" meta_json)
      string(JSON caps_type ERROR_VARIABLE caps_error TYPE "${meta_json}" capabilities)
      set(declared "")
      if(NOT caps_error AND caps_type STREQUAL "ARRAY")
        string(JSON caps_count LENGTH "${meta_json}" capabilities)
        if(caps_count GREATER 0)
          math(EXPR caps_last "${caps_count} - 1")
          foreach(i RANGE ${caps_last})
            string(JSON cap GET "${meta_json}" capabilities ${i})
            list(APPEND declared "${cap}")
          endforeach()
        endif()
      endif()
      list(JOIN declared "," declared)
      target_compile_definitions(${name} PRIVATE "HYPERION_DECLARED_CAPABILITIES=\"${declared}\"")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${meta}")
    endif()
    set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}_metadata.c")
    add_custom_command(OUTPUT "${out}"
      COMMAND ${CMAKE_COMMAND} -DINPUT=${meta} -DOUTPUT=${out}
              -P "${_HYPERION_PLUGIN_CMAKE_DIR}/HyperionEmbedMetadata.cmake"
      DEPENDS "${meta}" "${_HYPERION_PLUGIN_CMAKE_DIR}/HyperionEmbedMetadata.cmake"
      COMMENT "Embedding plugin metadata ${ARG_METADATA}"
      VERBATIM)
    target_sources(${name} PRIVATE "${out}")
  endif()
  if(ARG_LIBRARIES)
    target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES})
  endif()
endfunction()
