# Dear ImGui 1.86 for the client: the same sources for native and WebAssembly.
# Debian's libimgui-dev ships headers without the core .cpp files, so the full sources
# come from `apt-get source imgui` (cmake/apt_source.cmake), unpacked into the build tree.
#
# Defines parley::imgui: the core plus the GLFW and OpenGL 3 backends.

set(PARLEY_IMGUI_VERSION "1.86+ds-1" CACHE STRING "Debian source version of imgui to build")
set(PARLEY_IMGUI_DIR "${CMAKE_BINARY_DIR}/_deps/imgui")

include("${CMAKE_CURRENT_LIST_DIR}/apt_source.cmake")
parley_apt_source(imgui "${PARLEY_IMGUI_VERSION}" "${PARLEY_IMGUI_DIR}" imgui.cpp)

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
  # Code points above U+FFFF (emoji, rarer CJK) are characters, not U+FFFD, in input and text.
  IMGUI_USE_WCHAR32
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
