# BPF objects: compiled with clang inside this build and embedded into the binaries that load
# them (bpf_object__open_mem), so scxlab carries its BPF programs with it and needs no skeleton
# generator whose version must match libbpf's headers.

find_program(SCXLAB_BPF_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14 REQUIRED)
find_program(SCXLAB_BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

# vmlinux.h of the running kernel, for CO-RE probes (the probes relocate onto any kernel).
set(SCXLAB_HOST_VMLINUX_DIR ${CMAKE_BINARY_DIR}/vmlinux/host)
if(NOT EXISTS ${SCXLAB_HOST_VMLINUX_DIR}/vmlinux.h)
  if(NOT EXISTS /sys/kernel/btf/vmlinux)
    message(FATAL_ERROR "/sys/kernel/btf/vmlinux is missing: this kernel has no BTF "
                        "(CONFIG_DEBUG_INFO_BTF), so scxlab's CO-RE BPF probes cannot be built here")
  endif()
  file(MAKE_DIRECTORY ${SCXLAB_HOST_VMLINUX_DIR})
  execute_process(
    COMMAND ${SCXLAB_BPFTOOL} btf dump file /sys/kernel/btf/vmlinux format c
    OUTPUT_FILE ${SCXLAB_HOST_VMLINUX_DIR}/vmlinux.h.tmp
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "bpftool could not dump /sys/kernel/btf/vmlinux (exit ${rc})")
  endif()
  file(RENAME ${SCXLAB_HOST_VMLINUX_DIR}/vmlinux.h.tmp ${SCXLAB_HOST_VMLINUX_DIR}/vmlinux.h)
endif()

# scxlab_add_bpf(<target> SOURCE <file.bpf.c> SYMBOL <c-symbol> [VMLINUX_DIR <dir>] [DEFINES NAME=VALUE...]
#                [DEPENDS ...])
# Makes static library <target> exporting
#   extern "C" const unsigned char <symbol>[], <symbol>_end[];
# the bytes of the compiled BPF ELF object (see bpf/embedded.hpp).
function(scxlab_add_bpf target)
  cmake_parse_arguments(ARG "" "SOURCE;SYMBOL;VMLINUX_DIR" "DEFINES;DEPENDS" ${ARGN})
  if(NOT ARG_VMLINUX_DIR)
    set(ARG_VMLINUX_DIR ${SCXLAB_HOST_VMLINUX_DIR})
  endif()
  get_filename_component(src ${ARG_SOURCE} ABSOLUTE)
  get_filename_component(src_dir ${src} DIRECTORY)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${ARG_SYMBOL}.bpf.o)
  list(TRANSFORM ARG_DEFINES PREPEND -D)
  set(asm ${CMAKE_CURRENT_BINARY_DIR}/${ARG_SYMBOL}.embed.S)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${SCXLAB_BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86
            -I${ARG_VMLINUX_DIR} -I${src_dir} -I${CMAKE_SOURCE_DIR}
            -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
            -Wall -Wno-unused-function -Wno-compare-distinct-pointer-types ${ARG_DEFINES}
            -c ${src} -o ${obj}
    DEPENDS ${src} ${ARG_DEPENDS} ${ARG_VMLINUX_DIR}/vmlinux.h
    IMPLICIT_DEPENDS C ${src}
    COMMENT "BPF ${ARG_SOURCE}"
    VERBATIM)
  file(WRITE ${asm}.in
    "    .section .rodata\n"
    "    .balign 8\n"
    "    .global ${ARG_SYMBOL}\n"
    "    .global ${ARG_SYMBOL}_end\n"
    "${ARG_SYMBOL}:\n"
    "    .incbin \"${obj}\"\n"
    "${ARG_SYMBOL}_end:\n"
    "    .section .note.GNU-stack,\"\",@progbits\n")
  configure_file(${asm}.in ${asm} COPYONLY)
  set_source_files_properties(${asm} PROPERTIES OBJECT_DEPENDS ${obj})
  add_library(${target} STATIC ${asm})
endfunction()
