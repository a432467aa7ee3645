// SPDX-License-Identifier: BSD-3-Clause
// chroma2::Error, the one exception type of the library. Messages follow the form
// "problem (why) — what to do" and name the offending value, file, key or line.
#pragma once

#include <stdexcept>
#include <string>

namespace chroma2 {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Builds a message in the house form: "problem (why) — what to do".
inline std::string error_message(const std::string& problem, const std::string& why,
                                 const std::string& what_to_do) {
  std::string m = problem;
  if (!why.empty()) m += " (" + why + ")";
  if (!what_to_do.empty()) m += " \u2014 " + what_to_do;
  return m;
}

[[noreturn]] inline void fail(const std::string& problem, const std::string& why,
                              const std::string& what_to_do) {
  throw Error(error_message(problem, why, what_to_do));
}

}  // namespace chroma2
