# Runs one libFuzzer harness for a bounded time over a fresh copy of its seed corpus, so
# the seeds (and any reproducer committed among them) are replayed first and the source
# tree is never written. Fails when the fuzzer reports anything: a crash, a broken
# property (trap), a leak, a timeout of one input or memory over the limit.
#
#   cmake -DFUZZER=<binary> -DSEEDS=<dir> -DWORK=<dir> -DSECONDS=<n> [-DDICT=<file>] [-DMAX_LEN=<bytes>] -P run_fuzzer.cmake
#
# The environment variable PARLEY_FUZZ_SECONDS, when set, overrides SECONDS.

foreach(required FUZZER SEEDS WORK SECONDS)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${required}= is required")
  endif()
endforeach()
if(DEFINED ENV{PARLEY_FUZZ_SECONDS} AND NOT "$ENV{PARLEY_FUZZ_SECONDS}" STREQUAL "")
  set(SECONDS "$ENV{PARLEY_FUZZ_SECONDS}")
endif()
if(NOT SECONDS MATCHES "^[0-9]+$" OR SECONDS EQUAL 0)
  message(FATAL_ERROR "run_fuzzer.cmake: PARLEY_FUZZ_SECONDS must be a positive number of seconds, not '${SECONDS}'")
endif()
if(NOT IS_DIRECTORY "${SEEDS}")
  message(FATAL_ERROR "run_fuzzer.cmake: no seed corpus at ${SEEDS}")
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds "${SEEDS}/*")
file(COPY ${seeds} DESTINATION "${WORK}/corpus")

# -timeout: one input taking 10 s is a hang (the slowest seed takes milliseconds).
# -rss_limit_mb: 2 GiB, libFuzzer's default, stated so it is not lost; a frame that makes
#  the decoders use that much is a finding.
# -max_len: libFuzzer's default (4 KiB, or the largest seed) unless MAX_LEN is given; short
#  inputs mutate fastest, and the harnesses scale the limits down to reach them.
set(args
  -max_total_time=${SECONDS}
  -timeout=10
  -rss_limit_mb=2048
  -print_final_stats=1
  "-artifact_prefix=${WORK}/artifacts/")
if(DICT)
  list(APPEND args "-dict=${DICT}")
endif()
if(MAX_LEN)
  list(APPEND args "-max_len=${MAX_LEN}")
endif()

math(EXPR bound "${SECONDS} + 300")
execute_process(
  COMMAND "${FUZZER}" ${args} "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  TIMEOUT ${bound}
  RESULT_VARIABLE result)

file(GLOB artifacts "${WORK}/artifacts/*")
if(NOT result EQUAL 0 OR artifacts)
  message(FATAL_ERROR "fuzzer ${FUZZER} failed (exit ${result}); reproducers: ${artifacts}\n"
                      "replay one with: ${FUZZER} <file>")
endif()
