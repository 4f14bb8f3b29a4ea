# Assembles the browser bundle after parley.js/.wasm/.data are linked into WEB_DIR:
# copies web/index.html and web/page.css, and web/boot.js with the files' sizes filled in
# (the page's progress bar needs the uncompressed sizes, since a gzip response's
# Content-Length is the compressed one), then writes a gzip -9 copy of each file for the
# server to send to browsers that accept it.
# cmake -DSOURCE=<web/index.html> -DWEB_DIR=<dir> -P web_bundle.cmake

foreach(name wasm data js)
  set(file "${WEB_DIR}/parley.${name}")
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "web_bundle: ${file} is missing")
  endif()
  file(SIZE "${file}" size)
  string(TOUPPER "${name}" upper)
  set(PARLEY_${upper}_BYTES "${size}")
endforeach()
get_filename_component(page_dir "${SOURCE}" DIRECTORY)
configure_file("${SOURCE}" "${WEB_DIR}/index.html" COPYONLY)
configure_file("${page_dir}/page.css" "${WEB_DIR}/page.css" COPYONLY)
configure_file("${page_dir}/boot.js" "${WEB_DIR}/boot.js" @ONLY)

find_program(GZIP gzip REQUIRED)
foreach(name index.html page.css boot.js parley.js parley.wasm parley.data)
  # -n: no name or time stamp inside, so an unchanged file gives the same bytes (and ETag).
  execute_process(COMMAND "${GZIP}" -9 -n -k -f "${WEB_DIR}/${name}" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "web_bundle: gzip ${name} failed")
  endif()
endforeach()
