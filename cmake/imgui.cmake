# Dear ImGui 1.86 for the client: the same sources for native and WebAssembly.
# Debian's libimgui-dev ships headers without the core .cpp files, so the full sources
# come from `apt-get source imgui` (which needs a deb-src entry: scripts/lib.sh
# ensure_deb_src), unpacked once into the build tree at configure time. Never committed.
#
# Defines parley::imgui: the core plus the GLFW and OpenGL 3 backends.

set(PARLEY_IMGUI_VERSION "1.86+ds-1" CACHE STRING "Debian source version of imgui to build")
set(PARLEY_IMGUI_DIR "${CMAKE_BINARY_DIR}/_deps/imgui")

if(NOT EXISTS "${PARLEY_IMGUI_DIR}/imgui.cpp")
  set(download_dir "${CMAKE_BINARY_DIR}/_deps/imgui-download")
  file(REMOVE_RECURSE "${download_dir}")
  file(MAKE_DIRECTORY "${download_dir}")
  message(STATUS "Fetching Dear ImGui sources: apt-get source imgui=${PARLEY_IMGUI_VERSION}")
  execute_process(
    COMMAND apt-get source -qq "imgui=${PARLEY_IMGUI_VERSION}"
    WORKING_DIRECTORY "${download_dir}"
    RESULT_VARIABLE fetch_result
    OUTPUT_VARIABLE fetch_output
    ERROR_VARIABLE fetch_output)
  file(GLOB unpacked LIST_DIRECTORIES true "${download_dir}/imgui-*")
  list(FILTER unpacked EXCLUDE REGEX "\\.(xz|gz|dsc)$")
  if(NOT fetch_result EQUAL 0 OR NOT unpacked)
    message(FATAL_ERROR
      "Could not fetch the Dear ImGui sources with `apt-get source imgui=${PARLEY_IMGUI_VERSION}`:\n"
      "${fetch_output}\n"
      "It needs a deb-src entry (scripts/lib.sh: ensure_deb_src) and dpkg-dev. "
      "Or configure with -DPARLEY_BUILD_GUI=OFF.")
  endif()
  list(GET unpacked 0 unpacked_dir)
  file(RENAME "${unpacked_dir}" "${PARLEY_IMGUI_DIR}")
  file(REMOVE_RECURSE "${download_dir}")
endif()

add_library(parley_imgui STATIC
  "${PARLEY_IMGUI_DIR}/imgui.cpp"
  "${PARLEY_IMGUI_DIR}/imgui_draw.cpp"
  "${PARLEY_IMGUI_DIR}/imgui_tables.cpp"
  "${PARLEY_IMGUI_DIR}/imgui_widgets.cpp"
  "${PARLEY_IMGUI_DIR}/backends/imgui_impl_glfw.cpp"
  "${PARLEY_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp")
add_library(parley::imgui ALIAS parley_imgui)
# SYSTEM: third-party headers do not take part in Parley's warnings.
target_include_directories(parley_imgui SYSTEM PUBLIC "${PARLEY_IMGUI_DIR}" "${PARLEY_IMGUI_DIR}/backends")
target_compile_definitions(parley_imgui PUBLIC
  IMGUI_DISABLE_OBSOLETE_FUNCTIONS
  # The demo and the metrics window are never shown; leaving them out trims the web bundle.
  IMGUI_DISABLE_DEMO_WINDOWS
  IMGUI_DISABLE_METRICS_WINDOW)
target_compile_options(parley_imgui PRIVATE -w)

# The web's GLFW and WebGL2 (empty natively); smaller code on the web.
target_link_libraries(parley_imgui PUBLIC parley::web_gl PRIVATE parley::web_small)
if(PARLEY_PLATFORM STREQUAL "native")
  find_package(glfw3 3.3 REQUIRED)
  find_package(OpenGL REQUIRED)
  # The OpenGL 3 backend loads its functions itself (its bundled gl3w loader uses dlopen).
  target_link_libraries(parley_imgui PUBLIC glfw OpenGL::GL ${CMAKE_DL_LIBS})
endif()
