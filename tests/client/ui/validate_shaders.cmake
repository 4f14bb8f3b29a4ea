# Validates every shader in SHADER_DIR for one dialect, exactly as the client loads it:
# prelude_<DIALECT>.glsl, then the shader's source. Fails on the first compile error.
# cmake -DGLSLANG=<glslangValidator> -DSHADER_DIR=<dir> -DDIALECT=gl330|es300 -DWORK_DIR=<dir> -P validate_shaders.cmake

file(READ "${SHADER_DIR}/prelude_${DIALECT}.glsl" prelude)
file(GLOB shaders "${SHADER_DIR}/*.vert" "${SHADER_DIR}/*.frag")
if(NOT shaders)
  message(FATAL_ERROR "no shaders found in ${SHADER_DIR}")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(shader IN LISTS shaders)
  get_filename_component(name "${shader}" NAME)
  file(READ "${shader}" body)
  # glslangValidator infers the stage from the .vert/.frag extension.
  set(combined "${WORK_DIR}/${name}")
  file(WRITE "${combined}" "${prelude}${body}")
  execute_process(COMMAND "${GLSLANG}" "${combined}" RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${name} does not compile as ${DIALECT}:\n${output}")
  endif()
  message(STATUS "${name}: valid ${DIALECT}")
endforeach()
