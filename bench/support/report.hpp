// SPDX-License-Identifier: BSD-3-Clause
// What every benchmark prints: a Table of aligned rows for people and one JSON object per line
// (JsonLine) for bench/plot.py and docs/results/*.jsonl. Plain C++ without CLI11 or a JSON
// library, so the .cu mains include it too.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace chroma2::bench {

// printf into a string: the text of a Table cell.
[[gnu::format(printf, 1, 2)]] std::string str_printf(const char* format, ...);

enum class Align { left, right };

struct Column {
  std::string title;
  int width = 0;  // at least this many characters; a longer cell shifts the rest of the row
  Align align = Align::right;
};

// A table printed as it goes: print_header() once, then print_row() for each row. Columns are
// separated by one space; titles are aligned like their cells.
class Table {
 public:
  explicit Table(std::vector<Column> columns, std::FILE* out = stdout);
  void print_header() const;
  void print_row(const std::vector<std::string>& cells) const;  // one cell per column

 private:
  std::vector<Column> columns_;
  std::FILE* out_;
};

// One JSON object on one line: keys in the order added, strings escaped, numbers exact (the
// shortest text that reads back as the same double; NaN and infinities as null).
class JsonLine {
 public:
  JsonLine& add(std::string_view key, std::string_view text);
  JsonLine& add(std::string_view key, const char* text) { return add(key, std::string_view(text)); }
  JsonLine& add(std::string_view key, const std::string& text) {
    return add(key, std::string_view(text));
  }
  JsonLine& add(std::string_view key, bool value);
  JsonLine& add(std::string_view key, double value);
  template <std::integral T>  // (bool takes the overload above: a non-template wins a tie)
  JsonLine& add(std::string_view key, T value) {
    if constexpr (std::is_signed_v<T>)
      return add_integer(key, static_cast<std::int64_t>(value));
    else
      return add_integer(key, static_cast<std::uint64_t>(value));
  }
  JsonLine& add_null(std::string_view key);

  std::string text() const { return text_ + "}"; }
  // The line and a newline, flushed (a run that dies later keeps the lines printed so far).
  void print(std::FILE* out = stdout) const;

 private:
  JsonLine& add_integer(std::string_view key, std::int64_t value);
  JsonLine& add_integer(std::string_view key, std::uint64_t value);
  void add_key(std::string_view key);

  std::string text_ = "{";
};

}  // namespace chroma2::bench
