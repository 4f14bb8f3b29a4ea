# Warnings and sanitizers as INTERFACE targets, linked PRIVATE by each target
# (never global flags), after cpp-best-practices/cmake_template.

add_library(parley_warnings INTERFACE)
add_library(parley::warnings ALIAS parley_warnings)
target_compile_options(parley_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wcast-align)

add_library(parley_sanitizers INTERFACE)
add_library(parley::sanitizers ALIAS parley_sanitizers)
if(PARLEY_SANITIZE)
  target_compile_options(parley_sanitizers INTERFACE
    -fsanitize=${PARLEY_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(parley_sanitizers INTERFACE -fsanitize=${PARLEY_SANITIZE})
endif()

# Header-only libraries for the WebAssembly build. /usr/include must not be on emcc's
# include path (its glibc headers would shadow Emscripten's libc), so a directory of
# symlinks exposes just these.
if(EMSCRIPTEN)
  set(PARLEY_WASM_HEADERS "${CMAKE_BINARY_DIR}/wasm-headers")
  file(MAKE_DIRECTORY "${PARLEY_WASM_HEADERS}")
  foreach(dir nlohmann doctest)
    if(NOT EXISTS "${PARLEY_WASM_HEADERS}/${dir}")
      file(CREATE_LINK "/usr/include/${dir}" "${PARLEY_WASM_HEADERS}/${dir}" SYMBOLIC)
    endif()
  endforeach()
  add_library(parley_header_only INTERFACE)
  target_include_directories(parley_header_only SYSTEM INTERFACE "${PARLEY_WASM_HEADERS}")
  add_library(nlohmann_json::nlohmann_json ALIAS parley_header_only)
  add_library(doctest::doctest ALIAS parley_header_only)
else()
  find_package(nlohmann_json 3.11 REQUIRED)
  find_package(doctest REQUIRED)
endif()
