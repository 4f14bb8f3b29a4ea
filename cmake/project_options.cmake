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

# Header-only libraries; for the web, cmake/emscripten_settings.cmake provides them.
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_package(nlohmann_json 3.11 REQUIRED)
  find_package(doctest REQUIRED)
endif()
