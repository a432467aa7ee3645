// SPDX-License-Identifier: BSD-3-Clause
// The command line of every benchmark and example, a thin layer over CLI11: `--key value` and
// `--key=value`, --help with the defaults, bad input rejected in one line with exit status 2.
// Header-only, for host .cpp files only: .cu mains call a parser compiled from a .cpp (no nvcc).
#pragma once

#include "chroma2/config/data_dir.hpp"
#include "chroma2/config/error.hpp"

#include <CLI/CLI.hpp>

#include <concepts>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace chroma2::bench {

// A check for an integer option: the value lies in [min, max].
template <std::integral T>
CLI::Validator in_range(T min, T max = std::numeric_limits<T>::max()) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        T value{};
        if (!CLI::detail::lexical_cast(text, value)) return text + " is not a whole number";
        if (value < min) return text + " is below " + std::to_string(min);
        if (value > max) return text + " is above " + std::to_string(max);
        return {};
      },
      "");
}

// The demo detectors' data folder for a benchmark of Chroma's demo detectors: `data` if given,
// else the shared data folder; with no data anywhere there is nothing to measure, not a failure:
// it says so and exits 0. Checks the detector names ('tiny', 'full').
inline std::filesystem::path demo_data_or_skip(const std::string& data,
                                               const std::vector<std::string>& detectors) {
  for (const std::string& d : detectors)
    if (d != "tiny" && d != "full")
      fail("unknown detector '" + d + "'", "the demo has 'tiny' and 'full'", "ask for those");
  if (!data.empty()) return data;
  const auto d = find_data_dir();
  if (!d) {  // as the tests do
    std::printf("# skipped: %s\n", data_dir_absent_message().c_str());
    std::exit(0);
  }
  return *d;
}

// One program's options. Each option writes into a variable whose value before parse() is the
// default that --help shows.
class CommandLine {
 public:
  // `about` heads --help: what the program measures or shows.
  explicit CommandLine(std::string about) : app_(std::move(about)) {
    app_.option_defaults()->always_capture_default()->multi_option_policy(
        CLI::MultiOptionPolicy::TakeLast);
  }

  // `--name VALUE` (or a positional argument where `name` has no dashes); given twice, the
  // last one counts.
  template <class T>
  CLI::Option* option(const std::string& name, T& value, const std::string& help) {
    return app_.add_option(name, value, help);
  }

  // `--name A --name B ...`, one value each time; given at all, the values replace the defaults.
  template <class T>
  CLI::Option* repeatable(const std::string& name, std::vector<T>& values,
                          const std::string& help) {
    return app_.add_option(name, values, help)->allow_extra_args(false);
  }

  // A switch without a value.
  CLI::Option* flag(const std::string& name, bool& value, const std::string& help) {
    return app_.add_flag(name, value, help);
  }

  // Fills the variables from argv. --help prints the options and exits with status 0; an
  // unknown option, a missing or malformed value or a failed check exits through fail().
  void parse(int argc, char** argv) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) std::exit(app_.exit(e));  // --help
      fail(e.what());
    }
  }

  // Whether the command line named this option (to tell a default from a given value).
  bool given(const std::string& name) const { return app_.count(name) > 0; }

  // Rejects the command line, as a parse error does: for checks across options after parse().
  [[noreturn]] void fail(const std::string& problem) const {
    const std::string program = std::filesystem::path(app_.get_name()).filename().string();
    std::fprintf(stderr, "%s: %s \u2014 see --help\n", program.c_str(), problem.c_str());
    std::exit(2);
  }

 private:
  CLI::App app_;
};

}  // namespace chroma2::bench
