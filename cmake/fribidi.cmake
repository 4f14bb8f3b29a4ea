# GNU FriBidi 1.0.8 for the client's text: the Unicode bidirectional algorithm and Arabic
# joining. WebAssembly cannot link Debian's libfribidi, so both targets build the same
# Debian sources (cmake/apt_source.cmake; their Unicode tables come generated), which
# also makes the native tests test what the browser runs.
#
# Defines parley::fribidi: the library's bidi, joining and shaping parts (no charset
# converters: the client hands it code points).

include("${CMAKE_CURRENT_LIST_DIR}/apt_source.cmake")
set(PARLEY_FRIBIDI_VERSION "1.0.8-2.1" CACHE STRING "Debian source version of fribidi to build")
set(PARLEY_FRIBIDI_DIR "${CMAKE_BINARY_DIR}/_deps/fribidi")
parley_apt_source(fribidi "${PARLEY_FRIBIDI_VERSION}" "${PARLEY_FRIBIDI_DIR}" lib/fribidi-bidi.c)

# What meson would write into fribidi-config.h (lib/meson.build).
set(fribidi_generated "${CMAKE_BINARY_DIR}/_deps/fribidi-config")
file(MAKE_DIRECTORY "${fribidi_generated}")
set(PACKAGE fribidi)
set(PACKAGE_NAME "GNU FriBidi")
set(PACKAGE_BUGREPORT "https://github.com/fribidi/fribidi/issues/new")
set(FRIBIDI_VERSION 1.0.8)
set(FRIBIDI_MAJOR_VERSION 1)
set(FRIBIDI_MINOR_VERSION 0)
set(FRIBIDI_MICRO_VERSION 8)
set(FRIBIDI_INTERFACE_VERSION 4)
set(SIZEOF_INT 4)
set(FRIBIDI_MSVC_BUILD_PLACEHOLDER "#undef FRIBIDI_BUILT_WITH_MSVC")
configure_file("${PARLEY_FRIBIDI_DIR}/lib/fribidi-config.h.in" "${fribidi_generated}/fribidi-config.h" @ONLY)

set(fribidi_lib "${PARLEY_FRIBIDI_DIR}/lib")
add_library(parley_fribidi STATIC
  "${fribidi_lib}/fribidi.c"
  "${fribidi_lib}/fribidi-arabic.c"
  "${fribidi_lib}/fribidi-bidi.c"
  "${fribidi_lib}/fribidi-bidi-types.c"
  "${fribidi_lib}/fribidi-brackets.c"
  "${fribidi_lib}/fribidi-deprecated.c"
  "${fribidi_lib}/fribidi-joining.c"
  "${fribidi_lib}/fribidi-joining-types.c"
  "${fribidi_lib}/fribidi-mirroring.c"
  "${fribidi_lib}/fribidi-run.c"
  "${fribidi_lib}/fribidi-shape.c")
add_library(parley::fribidi ALIAS parley_fribidi)
# Its headers include each other as <fribidi-...h> and "fribidi-config.h".
target_include_directories(parley_fribidi SYSTEM PUBLIC "${fribidi_lib}" "${fribidi_generated}")
target_compile_definitions(parley_fribidi
  PRIVATE HAVE_STDLIB_H=1 HAVE_STRING_H=1 HAVE_MEMORY_H=1 STDC_HEADERS=1 HAVE_STRINGIZE=1)
target_compile_options(parley_fribidi PRIVATE -w)
target_link_libraries(parley_fribidi PRIVATE parley::web_small)
