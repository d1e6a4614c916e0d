# Third-party libraries, all from the distribution's packages (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf>=1.2)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(NLopt REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(SQLite3 REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx>=6.4)  # the shared PostgreSQL store
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(Threads REQUIRED)

find_library(PFM_LIBRARY NAMES pfm REQUIRED)
find_path(PFM_INCLUDE_DIR perfmon/pfmlib_perf_event.h REQUIRED)
add_library(scxlab_pfm INTERFACE)
target_link_libraries(scxlab_pfm INTERFACE ${PFM_LIBRARY})
target_include_directories(scxlab_pfm INTERFACE ${PFM_INCLUDE_DIR})

if(SCXLAB_TESTS)
  find_package(Catch2 REQUIRED)   # v2 on Debian 12, v3 on Ubuntu 24.04: tests/support/catch.hpp bridges
  find_package(benchmark REQUIRED)
endif()
