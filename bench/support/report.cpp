// SPDX-License-Identifier: BSD-3-Clause
// The benchmarks' table and JSON-line output (report.hpp), compiled once into the support
// library that every benchmark links.
#include "bench/support/report.hpp"

#include "chroma2/config/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <system_error>

namespace chroma2::bench {

std::string str_printf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string s(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(s.data(), s.size() + 1, format, again);
  va_end(again);
  return s;
}

Table::Table(std::vector<Column> columns, std::FILE* out)
    : columns_(std::move(columns)), out_(out) {}

void Table::print_header() const {
  std::vector<std::string> titles;
  for (const Column& c : columns_) titles.push_back(c.title);
  print_row(titles);
}

void Table::print_row(const std::vector<std::string>& cells) const {
  if (cells.size() != columns_.size())
    fail("a table row has " + std::to_string(cells.size()) + " cells for " +
             std::to_string(columns_.size()) + " columns",
         "each row fills every column once", "fix the benchmark's print_row call");
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Column& c = columns_[i];
    const std::size_t pad =
        cells[i].size() < static_cast<std::size_t>(c.width) ? c.width - cells[i].size() : 0;
    if (i) line += ' ';
    if (c.align == Align::right) line.append(pad, ' ');
    line += cells[i];
    if (c.align == Align::left && i + 1 < cells.size()) line.append(pad, ' ');
  }
  std::fprintf(out_, "%s\n", line.c_str());
}

namespace {

// JSON string contents: quotes, backslashes and control characters escaped; other bytes (UTF-8
// included) as they are.
void append_escaped(std::string& out, std::string_view text) {
  for (const char ch : text) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20)
          out += str_printf("\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
        else
          out += ch;
    }
  }
}

template <class T>
void append_number(std::string& out, T value) {
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

}  // namespace

void JsonLine::add_key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  append_escaped(text_, key);
  text_ += "\":";
}

JsonLine& JsonLine::add(std::string_view key, std::string_view text) {
  add_key(key);
  text_ += '"';
  append_escaped(text_, text);
  text_ += '"';
  return *this;
}

JsonLine& JsonLine::add(std::string_view key, bool value) {
  add_key(key);
  text_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::add(std::string_view key, double value) {
  if (!std::isfinite(value)) return add_null(key);
  add_key(key);
  const std::size_t begin = text_.size();
  append_number(text_, value);
  // a whole double keeps a decimal point, so that readers see the same type on every line
  if (text_.find_first_of(".e", begin) == std::string::npos) text_ += ".0";
  return *this;
}

JsonLine& JsonLine::add_integer(std::string_view key, std::int64_t value) {
  add_key(key);
  append_number(text_, value);
  return *this;
}

JsonLine& JsonLine::add_integer(std::string_view key, std::uint64_t value) {
  add_key(key);
  append_number(text_, value);
  return *this;
}

JsonLine& JsonLine::add_null(std::string_view key) {
  add_key(key);
  text_ += "null";
  return *this;
}

void JsonLine::print(std::FILE* out) const {
  std::fprintf(out, "%s}\n", text_.c_str());
  std::fflush(out);
}

}  // namespace chroma2::bench
