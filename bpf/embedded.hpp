// A BPF ELF object compiled in this build and embedded into the binary (scxlab_add_bpf).
#pragma once

#include <cstddef>

#define SCXLAB_EMBEDDED_BPF(symbol)                                   \
  extern "C" const unsigned char symbol[];                            \
  extern "C" const unsigned char symbol##_end[];                      \
  inline scxlab::bpf::Embedded symbol##_object() {                    \
    return {symbol, static_cast<std::size_t>(symbol##_end - symbol)}; \
  }

namespace scxlab::bpf {

struct Embedded {
  const unsigned char* data;
  std::size_t size;
};

}  // namespace scxlab::bpf
