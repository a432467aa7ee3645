// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target for the OBJ reader (chroma2/io/obj.hpp). Each input is the whole content of an OBJ
// file, handed to detail::parse_obj, the in-memory parser behind load_obj. The OBJ library is
// compiled into this target (its implementation is included below), so the sanitizers see its
// code too: whatever it mishandles, the reader's checks in front of it must refuse.
// A chroma2::Error is the expected answer to a bad file and is not a finding. A finding is any
// other exception, a crash, a hang, a sanitizer report, or a mesh returned that breaks what the
// loader promises: at least one triangle, finite coordinates, indices in range, the requested
// materials on every triangle and a summary that agrees with the mesh.
#if !__has_include(<tiny_obj_loader.h>)
#error "the OBJ fuzz target needs tinyobjloader's header (Debian: libtinyobjloader-dev)"
#endif
#define CHROMA2_HAS_TINYOBJLOADER 1
#define TINYOBJLOADER_IMPLEMENTATION
#include "chroma2/io/obj.hpp"

#include "mesh_check.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const chroma2::SolidMaterials m{1, 2, 3};
  try {
    chroma2::fuzz::check_loaded_mesh("fuzz_obj", chroma2::detail::parse_obj("fuzz.obj", text, m),
                                     m);
  } catch (const chroma2::Error&) {
    // a clear refusal of a bad file: the expected outcome
  }
  return 0;
}
