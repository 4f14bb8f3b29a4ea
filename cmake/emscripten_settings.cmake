# Everything the build asks of Emscripten, in one file (toolchains/emscripten.cmake only
# says how to run emcc and node on this machine). No other CMake file tests EMSCRIPTEN or
# names an -s setting: they read PARLEY_PLATFORM to pick sibling sources and link the
# interface targets below, which are empty natively, so a target says what it needs
# ("the browser's WebSocket") rather than how emcc spells it.
#
#   PARLEY_PLATFORM              "native" or "web": the suffix of the sibling files
#                                (transport_native.cpp / transport_web.cpp)
#   parley::web_test_runtime     what a doctest binary needs to run under node
#   parley::web_gl               WebGL2 through Emscripten's GLFW 3 (the ImGui backends)
#   parley::web_sockets          the browser's WebSocket and fetch (the client transport)
#   parley::web_small            smaller code over faster code (the GUI's libraries)
#   parley_web_page(target FONT) makes `target` the page's parley.js/.wasm/.data
#
# Header-only libraries (nlohmann_json::nlohmann_json, doctest::doctest) are also made
# here for the web; natively project_options.cmake finds them.

if(EMSCRIPTEN)
  set(PARLEY_PLATFORM web)
else()
  set(PARLEY_PLATFORM native)
endif()

foreach(name web_test_runtime web_gl web_sockets web_small)
  add_library(parley_${name} INTERFACE)
  add_library(parley::${name} ALIAS parley_${name})
endforeach()

if(EMSCRIPTEN)
  # /usr/include must not be on emcc's include path (its glibc headers would shadow
  # Emscripten's libc), so a directory of symlinks exposes just these.
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

  # doctest reports failures by throwing: the test binaries need exception catching (the
  # code under test never throws). The runtime exits so that node returns the exit code.
  target_compile_options(parley_web_test_runtime INTERFACE -fexceptions)
  target_link_options(parley_web_test_runtime INTERFACE -fexceptions -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1)

  # WebGL2 is OpenGL ES 3.0; Emscripten's GLFW 3 emulation provides the window and input.
  target_compile_definitions(parley_web_gl INTERFACE IMGUI_IMPL_OPENGL_ES3)
  target_link_options(parley_web_gl INTERFACE -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2)

  # emscripten/websocket.h and emscripten/fetch.h.
  target_link_options(parley_web_sockets INTERFACE -lwebsocket.js -sFETCH=1)

  # Smaller code beats faster code for a page that must load quickly; a chat client's
  # frames are far from CPU-bound.
  target_compile_options(parley_web_small INTERFACE -Os)
endif()

# Makes `target` (the client's executable) the browser's parley.js, parley.wasm and
# parley.data in ${CMAKE_BINARY_DIR}/web, with `font` preloaded as /fonts/parley-ui.ttf.
# Natively it does nothing. Sets PARLEY_WEB_DIR for the bundle step that follows.
function(parley_web_page target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FONT" "")
  if(NOT EMSCRIPTEN)
    return()
  endif()
  set(web_dir "${CMAKE_BINARY_DIR}/web")
  set(PARLEY_WEB_DIR "${web_dir}" PARENT_SCOPE)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${web_dir}" SUFFIX ".js")
  target_link_libraries(${target} PRIVATE parley::web_small)
  target_link_options(${target} PRIVATE
    -Os
    -sENVIRONMENT=web
    -sALLOW_MEMORY_GROWTH=1
    # 100,000 messages with their layout fit in the first 64 MiB; growth covers the rest.
    -sINITIAL_MEMORY=67108864
    -sEXPORTED_FUNCTIONS=_main,_malloc,_free
    # allocateUTF8: the token store's EM_JS hands localStorage strings to C++.
    -sEXPORTED_RUNTIME_METHODS=UTF8ToString,allocateUTF8
    # The page's own message replaces Emscripten's default "abort" text.
    -sEXIT_RUNTIME=0
    "--preload-file" "${arg_FONT}@/fonts/parley-ui.ttf")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${arg_FONT}")
endfunction()
