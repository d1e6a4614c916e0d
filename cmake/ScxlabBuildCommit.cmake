# Run at build time (cmake -P) by harness/CMakeLists.txt: writes OUTPUT, the C++ source of
# scxlab::harness::build_commit(), from `git describe --always --dirty` of SOURCE_DIR.
# configure_file rewrites OUTPUT only when its text changes, so a build whose commit did not
# change compiles nothing. A source tree without git (a tarball) says "unknown".
execute_process(COMMAND git describe --always --dirty --abbrev=12
                WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE SCXLAB_COMMIT
                OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE status
                ERROR_QUIET)
if(NOT status EQUAL 0 OR SCXLAB_COMMIT STREQUAL "")
  set(SCXLAB_COMMIT "unknown")
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
