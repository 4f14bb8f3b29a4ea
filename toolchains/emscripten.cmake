# Parley's WebAssembly toolchain: Debian's Emscripten platform file plus what
# Debian's emcc 3.1.6 needs to work here.
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

# emcc runs acorn (from Debian's node-acorn) at -O1 and up; it finds it only
# through NODE_PATH, so every compile and link is launched with it set.
set(CMAKE_C_COMPILER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs" CACHE STRING "")
set(CMAKE_CXX_COMPILER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs" CACHE STRING "")
set(CMAKE_C_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs" CACHE STRING "")
set(CMAKE_CXX_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs" CACHE STRING "")

# ctest runs WebAssembly tests under node. Node 20 rejects emcc 3.1.6's default
# emulator line, and its fetch breaks that version's loader.
set(CMAKE_CROSSCOMPILING_EMULATOR "/usr/bin/node;--no-experimental-fetch" CACHE STRING "" FORCE)
