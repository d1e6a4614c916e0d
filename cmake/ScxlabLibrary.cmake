# scxlab_library(<name> [DEPS ...]): folder <name>/ is library scxlab_<name>, built from the
# folder's *.cpp files (a header-only folder becomes an INTERFACE library).
function(scxlab_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
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
