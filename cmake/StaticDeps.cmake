# The `hyperion` binary links yaml-cpp, SQLite, OpenSSL and zlib from their
# static archives (decision 0003): a start then resolves none of their symbols in
# the dynamic loader, which was most of a bare start's cost. Every other target
# that uses them (the test kit libhyperion_testing.so, plugins, tests) keeps the
# shared libraries. Sanitizer and fuzz builds keep them shared too.
#
# hyperion_static_or_shared(<var> <imported target> <archive file name>) sets
# <var> to a link item that is the archive for a target whose
# HYPERION_STATIC_DEPS property is ON (the one being linked, through any
# static library on the way) and <imported target> for every other.
if(HYPERION_SANITIZE OR HYPERION_BUILD_FUZZERS)
  set(static_deps_default OFF)
else()
  set(static_deps_default ON)
endif()
option(HYPERION_STATIC_DEPS
       "Link the hyperion binary with the static archives of yaml-cpp, SQLite, OpenSSL and zlib (faster start; \
a rebuild is then needed to take a security update of those libraries)" ${static_deps_default})

function(hyperion_static_or_shared var target archive)
  if(NOT HYPERION_STATIC_DEPS)
    set(${var} ${target} PARENT_SCOPE)
    return()
  endif()
  string(MAKE_C_IDENTIFIER "HYPERION_ARCHIVE_${archive}" cache_var)
  find_library(${cache_var} NAMES ${archive})
  if(NOT ${cache_var})
    message(FATAL_ERROR "${archive} not found: install its -dev package (scripts/setup.sh), "
                        "or configure with -DHYPERION_STATIC_DEPS=OFF")
  endif()
  set(${var} "$<IF:$<BOOL:$<TARGET_PROPERTY:HYPERION_STATIC_DEPS>>,${${cache_var}},${target}>" PARENT_SCOPE)
endfunction()
