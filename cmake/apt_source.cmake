# Third-party sources that Debian packages without what Parley builds from them (ImGui's
# .cpp files, FriBidi for WebAssembly) come from `apt-get source` (which needs a deb-src
# entry: scripts/lib.sh ensure_deb_src, and dpkg-dev), unpacked once into the build tree
# at configure time. Never committed.
#
#   parley_apt_source(PACKAGE VERSION DESTINATION PROBE)
#     unpacks source package PACKAGE=VERSION into DESTINATION unless DESTINATION/PROBE
#     exists already (a file the unpacked tree always has).

function(parley_apt_source package version destination probe)
  if(EXISTS "${destination}/${probe}")
    return()
  endif()
  set(download_dir "${destination}-download")
  file(REMOVE_RECURSE "${download_dir}")
  file(MAKE_DIRECTORY "${download_dir}")
  message(STATUS "Fetching ${package} sources: apt-get source ${package}=${version}")
  execute_process(
    COMMAND apt-get source -qq "${package}=${version}"
    WORKING_DIRECTORY "${download_dir}"
    RESULT_VARIABLE fetch_result
    OUTPUT_VARIABLE fetch_output
    ERROR_VARIABLE fetch_output)
  file(GLOB unpacked LIST_DIRECTORIES true "${download_dir}/${package}-*")
  list(FILTER unpacked EXCLUDE REGEX "\\.(xz|gz|bz2|dsc)$")
  if(NOT fetch_result EQUAL 0 OR NOT unpacked)
    message(FATAL_ERROR
      "Could not fetch the ${package} sources with `apt-get source ${package}=${version}`:\n"
      "${fetch_output}\n"
      "It needs a deb-src entry (scripts/lib.sh: ensure_deb_src) and dpkg-dev. "
      "Or configure with -DPARLEY_BUILD_GUI=OFF.")
  endif()
  list(GET unpacked 0 unpacked_dir)
  file(REMOVE_RECURSE "${destination}")
  file(RENAME "${unpacked_dir}" "${destination}")
  file(REMOVE_RECURSE "${download_dir}")
endfunction()
