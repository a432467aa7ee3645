// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target for the STL reader (chroma2/io/stl.hpp). Each input is the whole content of an STL
// file, binary or ASCII, handed to detail::parse_stl, the in-memory parser behind load_stl.
// A chroma2::Error is the expected answer to a bad file and is not a finding. A finding is any
// other exception, a crash, a hang, a sanitizer report, or a mesh returned that breaks what the
// loader promises: at least one triangle, finite coordinates, indices in range, the requested
// materials on every triangle and a summary that agrees with the mesh.
#include "chroma2/io/stl.hpp"

#include "mesh_check.hpp"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<unsigned char> bytes(data, data + size);
  const chroma2::SolidMaterials m{1, 2, 3};
  try {
    chroma2::fuzz::check_loaded_mesh("fuzz_stl", chroma2::detail::parse_stl("fuzz.stl", bytes, m),
                                     m);
  } catch (const chroma2::Error&) {
    // a clear refusal of a bad file: the expected outcome
  }
  return 0;
}
