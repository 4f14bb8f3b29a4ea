# The server's layers: one static library per folder of server/, each linking only what it
# may use, so that a forbidden include fails to compile rather than pass review.
#
# Why the include roots are built, not the source tree: every folder sits under server/, so
# putting server/ on the include path would let any library include any header. Instead each
# library gets its own root in the build tree holding a single symlink, <root>/<folder> ->
# server/<folder>; a library sees "<folder>/x.hpp" only for itself and for what it links
# (PUBLIC links pass the root on, PRIVATE ones do not).
#
#   parley_server_layer(<folder> [NAME <name>] [SOURCES files...] [HEADERS files...]
#                        [PUBLIC targets...] [PRIVATE targets...])
#
# makes the target parley_server_<name> (alias parley::server_<name>; <name> defaults to the
# folder). With SOURCES it is a static library seeing its whole folder. Without, it is an
# INTERFACE library: of the whole folder, or with HEADERS of those headers alone — which is
# how the chat layer sees the store's interface (store_api) but not its SQLite backend.
# The picture of who may use whom is in docs/architecture.md.

function(parley_server_layer folder)
  cmake_parse_arguments(arg "" "NAME" "SOURCES;HEADERS;PUBLIC;PRIVATE" ${ARGN})
  set(name "${folder}")
  if(arg_NAME)
    set(name "${arg_NAME}")
  endif()
  set(target "parley_server_${name}")
  set(root "${PROJECT_BINARY_DIR}/layers/${name}")
  set(source_dir "${PROJECT_SOURCE_DIR}/server/${folder}")

  # The root is rebuilt at each configure, so a header dropped from HEADERS stops resolving.
  file(REMOVE_RECURSE "${root}")
  if(arg_HEADERS)
    file(MAKE_DIRECTORY "${root}/${folder}")
    foreach(header IN LISTS arg_HEADERS)
      file(CREATE_LINK "${source_dir}/${header}" "${root}/${folder}/${header}" SYMBOLIC)
    endforeach()
  else()
    file(MAKE_DIRECTORY "${root}")
    file(CREATE_LINK "${source_dir}" "${root}/${folder}" SYMBOLIC)
  endif()

  if(arg_SOURCES AND arg_HEADERS)
    message(FATAL_ERROR "parley_server_layer(${name}): HEADERS is for interface layers only")
  endif()
  if(arg_SOURCES)
    add_library(${target} STATIC ${arg_SOURCES})
    target_include_directories(${target} PUBLIC "${root}")
    target_compile_definitions(${target} PUBLIC BOOST_ASIO_NO_DEPRECATED)
    target_link_libraries(${target} PUBLIC ${arg_PUBLIC} PRIVATE ${arg_PRIVATE} parley::warnings parley::sanitizers)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${root}")
    target_link_libraries(${target} INTERFACE ${arg_PUBLIC})
  endif()
  add_library(parley::server_${name} ALIAS ${target})
endfunction()
