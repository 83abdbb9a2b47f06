# hyperion_add_check(<plugin target> [NAME <test name>] [CONFIG <file>]
#                    [WITH <library or target>...] [ARGS <more hyperion check args>...])
#
# Adds a CTest test that runs `hyperion check` against the plugin <target>
# builds (docs/plugin-guide.md, "Testing your plugin"): metadata, lifecycle,
# concurrent health calls, service tables, live reload of every dynamic field,
# state round trip and unload. The test fails with the table of what failed.
#   CONFIG  the plugin's config for the check (YAML or JSON); default: its schema's defaults
#   WITH    providers of the APIs the plugin requires (plugin targets or .so paths)
# The `hyperion` binary is the package's (HYPERION_EXECUTABLE), or the `hyperion`
# target in Hyperion's own tree.
function(hyperion_add_check target)
  cmake_parse_arguments(ARG "" "NAME;CONFIG" "WITH;ARGS" ${ARGN})
  if(NOT ARG_NAME)
    set(ARG_NAME "${target}.hyperion_check")
  endif()
  if(TARGET hyperion)
    set(exe "$<TARGET_FILE:hyperion>")
  elseif(HYPERION_EXECUTABLE)
    set(exe "${HYPERION_EXECUTABLE}")
  else()
    message(FATAL_ERROR "hyperion_add_check(${target}): no hyperion binary (set HYPERION_EXECUTABLE)")
  endif()
  set(args check "$<TARGET_FILE:${target}>")
  if(ARG_CONFIG)
    get_filename_component(config "${ARG_CONFIG}" ABSOLUTE)
    list(APPEND args --config "${config}")
  endif()
  foreach(with IN LISTS ARG_WITH)
    if(TARGET ${with})
      list(APPEND args --with "$<TARGET_FILE:${with}>")
    else()
      list(APPEND args --with "${with}")
    endif()
  endforeach()
  add_test(NAME ${ARG_NAME} COMMAND ${exe} ${args} ${ARG_ARGS})
endfunction()
