# scxlab_library(<name> [PUBLIC_HEADERS ...] [DEPS ...]): folder <name>/ is library
# scxlab_<name>, built from the folder's *.cpp files (a header-only folder becomes an INTERFACE
# library). PUBLIC_HEADERS: the headers other libraries may include; the others are internal
# to it (scxlab_check_internal_headers).
function(scxlab_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;PUBLIC_HEADERS" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY SCXLAB_LIBRARIES ${name})
  set_property(GLOBAL PROPERTY SCXLAB_PUBLIC_HEADERS_${name} ${ARG_PUBLIC_HEADERS})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(scxlab_${name} STATIC ${sources})
    target_link_libraries(scxlab_${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(scxlab_${name} INTERFACE)
    target_link_libraries(scxlab_${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# scxlab_embed_text(<target> <function> FILES ...): adds to <target> a generated source that
# defines `std::vector<scxlab::EmbeddedText> <function>()` (see stats/embedded_text.hpp) with
# the files' names and contents, so the binary carries its built-in manifests and suites
# (it also runs inside the VM's initramfs, far from this source tree). Editing a file
# re-runs CMake.
function(scxlab_embed_text target function)
  cmake_parse_arguments(ARG "" "" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${function}.embedded.cpp)
  set(body "#include \"stats/embedded_text.hpp\"\nnamespace scxlab {\nstd::vector<EmbeddedText> ${function}() {\n  return {\n")
  foreach(f ${ARG_FILES})
    get_filename_component(fname ${f} NAME)
    file(READ ${f} text)
    string(APPEND body "    {\"${fname}\", R\"scxlab_embed(${text})scxlab_embed\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  string(APPEND body "  };\n}\n}  // namespace scxlab\n")
  file(GENERATE OUTPUT ${out} CONTENT "${body}")
  target_sources(${target} PRIVATE ${out})
endfunction()

# A library's sources and headers include only the public headers of the other libraries: an
# internal header changes with its library's insides. Every library includes from the one
# repository root ("stats/histogram.hpp"), so the compiler cannot refuse an internal header;
# this check, run at configure time, does. Tests and fuzz targets may look inside.
function(scxlab_check_internal_headers)
  get_property(libraries GLOBAL PROPERTY SCXLAB_LIBRARIES)
  foreach(user ${libraries})
    file(GLOB_RECURSE files ${PROJECT_SOURCE_DIR}/${user}/*.cpp ${PROJECT_SOURCE_DIR}/${user}/*.hpp)
    foreach(file ${files})
      file(STRINGS ${file} includes REGEX "^#include \"[a-z_]+/[a-z0-9_]+\\.hpp\"")
      foreach(line ${includes})
        string(REGEX REPLACE "^#include \"([a-z_]+)/([a-z0-9_]+\\.hpp)\".*" "\\1;\\2" parts "${line}")
        list(GET parts 0 library)
        list(GET parts 1 header)
        if(library STREQUAL user OR NOT library IN_LIST libraries)
          continue()
        endif()
        get_property(public GLOBAL PROPERTY SCXLAB_PUBLIC_HEADERS_${library})
        if(NOT header IN_LIST public)
          file(RELATIVE_PATH where ${PROJECT_SOURCE_DIR} ${file})
          list(JOIN public ", " public_list)
          message(FATAL_ERROR "${where} includes ${library}/${header}, which is internal to the ${library} library "
                              "(its public headers: ${public_list}): use those, or make it public in "
                              "${library}/CMakeLists.txt (PUBLIC_HEADERS) if others should rely on it")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()
