# hyperion_embed_sql_migrations(<target> HEADER <dir/name.h> NAMESPACE <ns>
#                               FILES <NNNN_what.sql>...)
#
# Compiles SQL migration files into <target> as a header (include it as
# "<dir/name.h>") that declares, in namespace <ns>,
#   struct Migration { int version; const char* name; const char* sql; };
#   inline constexpr Migration kMigrations[] = {...};   // by version, ascending
# The version is the file name's leading number; versions must be unique. A
# plugin that keeps data in SQLite ships its schema inside its library this way
# (no files to install beside it) and applies what the database lacks at start
# (examples/simple-api/users/user_repository.cc shows how, with PRAGMA user_version).
set(_HYPERION_SQL_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where HyperionSqlMigrations.cmake lives")

function(hyperion_embed_sql_migrations target)
  cmake_parse_arguments(ARG "" "HEADER;NAMESPACE" "FILES" ${ARGN})
  if(NOT ARG_HEADER OR NOT ARG_NAMESPACE OR NOT ARG_FILES)
    message(FATAL_ERROR "hyperion_embed_sql_migrations(${target}): HEADER, NAMESPACE and FILES are required")
  endif()
  set(files "")
  set(versions "")
  foreach(file IN LISTS ARG_FILES)
    get_filename_component(abs "${file}" ABSOLUTE)
    get_filename_component(name "${abs}" NAME)
    if(NOT name MATCHES "^([0-9]+)_[A-Za-z0-9_.-]+\\.sql$")
      message(FATAL_ERROR "hyperion_embed_sql_migrations(${target}): ${file} is not named <number>_<what>.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    if(version IN_LIST versions)
      message(FATAL_ERROR "hyperion_embed_sql_migrations(${target}): two migrations have version ${version}")
    endif()
    list(APPEND versions ${version})
    list(APPEND files "${abs}")
  endforeach()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/sql-gen/${target}")
  set(out "${out_dir}/${ARG_HEADER}")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${out}" "-DNAMESPACE=${ARG_NAMESPACE}"
            -P "${_HYPERION_SQL_CMAKE_DIR}/HyperionEmbedSql.cmake" ${files}
    DEPENDS ${files} "${_HYPERION_SQL_CMAKE_DIR}/HyperionEmbedSql.cmake"
    COMMENT "Embedding SQL migrations for ${target}" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
  target_include_directories(${target} PRIVATE "${out_dir}")
endfunction()
