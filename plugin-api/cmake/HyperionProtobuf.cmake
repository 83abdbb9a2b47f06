# hyperion_protobuf_generate(<target> PROTOS <file.proto>... [IMPORT_DIRS <dir>...]
#                            [GRPC] [DESCRIPTOR_SET <symbol>])
#
# Generates C++ for the .proto files with protoc and adds it to <target>:
#  - GRPC also generates gRPC service stubs (for clients and tests; a handler
#    plugin does not need them: messages cross the grpc.server ABI as bytes);
#  - DESCRIPTOR_SET embeds the files' FileDescriptorSet (with every import) as
#    `extern "C" const unsigned char <symbol>[]; extern "C" const size_t <symbol>_size;`
#    declared in the generated header <symbol>.h, for server reflection
#    (hyperion::grpc::Server::descriptors()).
# Handler plugins that may be hot-swapped must write
# `option optimize_for = LITE_RUNTIME;` in their .proto and link
# protobuf::libprotobuf-lite: full-runtime generated code registers itself in
# libprotobuf's process-wide pool, and a second copy aborts the process. This
# function does not link a protobuf runtime: the caller chooses it.
set(_HYPERION_PROTOBUF_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where HyperionProtobuf.cmake lives")

function(hyperion_protobuf_generate target)
  cmake_parse_arguments(ARG "GRPC" "DESCRIPTOR_SET" "PROTOS;IMPORT_DIRS" ${ARGN})
  if(NOT ARG_PROTOS)
    message(FATAL_ERROR "hyperion_protobuf_generate(${target}): PROTOS is required")
  endif()
  find_program(HYPERION_PROTOC protoc REQUIRED)
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/proto-gen/${target}")
  file(MAKE_DIRECTORY "${out_dir}")
  set(include_args "")
  set(import_dirs ${ARG_IMPORT_DIRS})
  if(NOT import_dirs)
    set(import_dirs "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  foreach(dir IN LISTS import_dirs)
    get_filename_component(abs "${dir}" ABSOLUTE)
    list(APPEND include_args "-I${abs}")
  endforeach()

  set(generated "")
  set(abs_protos "")
  foreach(proto IN LISTS ARG_PROTOS)
    get_filename_component(abs "${proto}" ABSOLUTE)
    list(APPEND abs_protos "${abs}")
    # The path relative to the import dir that holds it decides the output name.
    set(rel "")
    foreach(dir IN LISTS import_dirs)
      get_filename_component(abs_dir "${dir}" ABSOLUTE)
      file(RELATIVE_PATH candidate "${abs_dir}" "${abs}")
      if(NOT candidate MATCHES "^\\.\\.")
        set(rel "${candidate}")
        break()
      endif()
    endforeach()
    if(rel STREQUAL "")
      message(FATAL_ERROR "hyperion_protobuf_generate(${target}): ${proto} is under none of IMPORT_DIRS")
    endif()
    string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
    list(APPEND generated "${out_dir}/${stem}.pb.cc" "${out_dir}/${stem}.pb.h")
    if(ARG_GRPC)
      list(APPEND generated "${out_dir}/${stem}.grpc.pb.cc" "${out_dir}/${stem}.grpc.pb.h")
    endif()
  endforeach()

  set(grpc_args "")
  set(grpc_depends "")
  if(ARG_GRPC)
    find_program(HYPERION_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
    set(grpc_args "--grpc_out=${out_dir}" "--plugin=protoc-gen-grpc=${HYPERION_GRPC_CPP_PLUGIN}")
  endif()
  add_custom_command(OUTPUT ${generated}
    COMMAND ${HYPERION_PROTOC} ${include_args} "--cpp_out=${out_dir}" ${grpc_args} ${abs_protos}
    DEPENDS ${abs_protos}
    COMMENT "protoc: C++ for ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${generated})
  target_include_directories(${target} PRIVATE "${out_dir}")

  if(ARG_DESCRIPTOR_SET)
    set(set_file "${out_dir}/${ARG_DESCRIPTOR_SET}.binpb")
    set(embed_cc "${out_dir}/${ARG_DESCRIPTOR_SET}.cc")
    set(embed_h "${out_dir}/${ARG_DESCRIPTOR_SET}.h")
    add_custom_command(OUTPUT "${set_file}"
      COMMAND ${HYPERION_PROTOC} ${include_args} --include_imports "--descriptor_set_out=${set_file}" ${abs_protos}
      DEPENDS ${abs_protos}
      COMMENT "protoc: descriptor set ${ARG_DESCRIPTOR_SET}"
      VERBATIM)
    add_custom_command(OUTPUT "${embed_cc}" "${embed_h}"
      COMMAND ${CMAKE_COMMAND} -DINPUT=${set_file} -DSYMBOL=${ARG_DESCRIPTOR_SET} -DOUTPUT_CC=${embed_cc}
              -DOUTPUT_H=${embed_h} -P "${_HYPERION_PROTOBUF_CMAKE_DIR}/HyperionEmbedBytes.cmake"
      DEPENDS "${set_file}" "${_HYPERION_PROTOBUF_CMAKE_DIR}/HyperionEmbedBytes.cmake"
      COMMENT "Embedding descriptor set ${ARG_DESCRIPTOR_SET}"
      VERBATIM)
    target_sources(${target} PRIVATE "${embed_cc}" "${embed_h}")
  endif()
endfunction()
