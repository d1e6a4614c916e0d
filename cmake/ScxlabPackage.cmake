# `cmake --install` and `cpack -G DEB`: the scxlab command, scxlab's own sched_ext schedulers
# beside it (find_binary looks next to the running program), the built-in manifests for
# reference (they are also compiled into the binary), the fleet worker's systemd unit and a
# man page made from --help.
include(GNUInstallDirs)

install(TARGETS scxlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(scheduler scxlab_fifo scxlab_vtime scxlab_faulty)
  if(TARGET ${scheduler})
    install(TARGETS ${scheduler} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(DIRECTORY ${CMAKE_SOURCE_DIR}/schedulers/manifests/ DESTINATION ${CMAKE_INSTALL_DATADIR}/scxlab/schedulers)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The fleet worker's unit, installed but not enabled (deploy/ansible/site.yml enables it). Its
# ExecStart names /usr/bin/scxlab: the package's prefix. A component of its own, in the one
# package all the same, so the deploy test installs it alone without building everything.
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/scxlab-worker.service DESTINATION lib/systemd/system COMPONENT fleet)

# The man page is scxlab's own --help (help2man runs the binary just built), so the two never
# disagree. Without help2man the package is built without it, and CMake says so.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/scxlab.1
                     COMMAND ${HELP2MAN} --no-info --no-discard-stderr
                             --name "benchmark, compare and tune Linux CPU schedulers"
                             --output ${CMAKE_BINARY_DIR}/scxlab.1 $<TARGET_FILE:scxlab>
                     DEPENDS scxlab VERBATIM)
  add_custom_target(man_page ALL DEPENDS ${CMAKE_BINARY_DIR}/scxlab.1)
  install(FILES ${CMAKE_BINARY_DIR}/scxlab.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (apt install help2man)")
endif()

# The package's version: the release, then the commit it was configured from (a Debian
# version allows letters, digits and . + ~ only after the release).
execute_process(COMMAND git describe --always --dirty --abbrev=12 WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE no_git)
set(SCXLAB_PACKAGE_VERSION ${PROJECT_VERSION})
if(NOT no_git AND commit)
  string(REGEX REPLACE "[^A-Za-z0-9.+~]" "." commit "${commit}")
  string(APPEND SCXLAB_PACKAGE_VERSION "+git.${commit}")
endif()

set(CPACK_PACKAGE_NAME scxlab)
set(CPACK_PACKAGE_VENDOR "scxlab")
set(CPACK_PACKAGE_CONTACT "scxlab developers <scxlab@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "benchmark, compare and auto-tune Linux CPU schedulers (sched_ext and EEVDF)")
set(CPACK_PACKAGE_VERSION ${SCXLAB_PACKAGE_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# The shared libraries' packages come from dpkg-shlibdeps; the tools the workloads run are
# recommended: a shootout says "not installed" for a workload whose tool is missing.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "rt-tests, stress-ng, linux-perf | linux-tools-generic, bpftool")
set(CPACK_STRIP_FILES ON)  # the build keeps debug info (RelWithDebInfo); the package does not
set(CPACK_GENERATOR DEB)
include(CPack)
