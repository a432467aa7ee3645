// SPDX-License-Identifier: BSD-3-Clause
// The scene-file reader (scene_file.hpp, docs/scene-format.md). One pass over the TOML document:
// every table's keys are checked against the keys it may have before any is read, names are
// resolved to ids in the order the materials and surfaces are written, and every file named is
// read through the library's own loaders, whose errors are prefixed with the scene's file, line
// and key.
#include "tools/sim/scene_file.hpp"

#include "chroma2/config/data_dir.hpp"
#include "chroma2/geometry/arrays.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/pmt.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"  // detail::trim
#include "chroma2/io/default_detector.hpp"
#include "chroma2/io/npy.hpp"
#include "chroma2/io/obj.hpp"
#include "chroma2/io/stl.hpp"
#include "chroma2/physics/material.hpp"
#include "chroma2/physics/pure_water.hpp"
#include "chroma2/physics/sources.hpp"
#include "chroma2/physics/surface.hpp"
#include "chroma2/physics/surface_library.hpp"
#include "chroma2/physics/wavelength_spec.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>

namespace chroma2::sim {

std::string closest_key(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_d = std::string::npos;
  for (std::string_view c : candidates) {
    // Levenshtein distance, one row at a time
    std::vector<std::size_t> row(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (word[i - 1] == c[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[c.size()] < best_d) best_d = row[c.size()], best = c;
  }
  // close: at most a third of the word's letters wrong (and at least one allowed)
  if (best_d == std::string::npos || best_d > std::max<std::size_t>(1, word.size() / 3)) return "";
  return std::string(best);
}

namespace {

using Path = std::filesystem::path;
using Keys = std::vector<std::string_view>;

struct Ctx {
  Path file;  // as the user named it
  Path dir;   // relative paths start here
  SceneLimits limits;
};

std::string line_of(const toml::node* n) {
  if (!n || !n->source().begin) return "1";
  return std::to_string(n->source().begin.line);
}

// "scene.toml:12: solid 'tank' radius_mm: <problem>"
[[noreturn]] void bad(const Ctx& c, const toml::node* n, const std::string& where,
                      const std::string& problem, const std::string& why, const std::string& todo) {
  fail(c.file.string() + ":" + line_of(n) + ": " + where + ": " + problem, why, todo);
}

std::string join(const Keys& keys) {
  std::string s;
  for (auto k : keys) s += (s.empty() ? "" : ", ") + std::string(k);
  return s;
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// One TOML table of the scene, its label ("solid 'tank'") and the keys it may have. Unknown keys
// are refused on construction, with the closest valid key suggested.
class Section {
 public:
  Section(const Ctx& c, const toml::table& t, std::string label, const Keys& allowed)
      : c_(c), t_(t), label_(std::move(label)) {
    for (const auto& [k, v] : t) {
      const std::string_view key = k.str();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const std::string near = closest_key(key, allowed);
      bad(c, &v, label_, "unknown key '" + std::string(key) + "'",
          "the keys of " + kind_of(label_) + " are: " + join(allowed),
          near.empty() ? "remove it or use one of those keys" : "did you mean '" + near + "'?");
    }
  }
  const Ctx& ctx() const { return c_; }
  const std::string& label() const { return label_; }
  const toml::table& table() const { return t_; }
  const toml::node* node() const { return &t_; }
  const toml::node* get(std::string_view key) const { return t_.get(key); }
  bool has(std::string_view key) const { return t_.contains(key); }
  std::string where(std::string_view key) const { return label_ + " " + std::string(key); }

  [[noreturn]] void wrong(std::string_view key, const std::string& problem, const std::string& why,
                          const std::string& todo) const {
    const toml::node* n = get(key);
    bad(c_, n ? n : &t_, where(key), problem, why, todo);
  }
  [[noreturn]] void missing(std::string_view key, const std::string& why) const {
    bad(c_, &t_, label_, "the key '" + std::string(key) + "' is missing", why,
        "add " + std::string(key) + " = ...");
  }
  [[noreturn]] void wrong_type(std::string_view key, const char* wanted) const {
    wrong(key, "is " + std::string(type_name(*get(key))) + ", not " + wanted,
          "see docs/scene-format.md for the form of " + std::string(key),
          "write " + std::string(key) + " as " + wanted);
  }

  std::optional<double> number(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto i = n->value_exact<std::int64_t>()) return double(*i);
    if (auto f = n->value_exact<double>()) {
      if (!std::isfinite(*f))
        wrong(key, "is not a finite number", "inf and nan are not lengths, times or counts",
              "give a finite value");
      return *f;
    }
    wrong_type(key, "a number");
  }
  double number(std::string_view key, double fallback) const {
    return number(key).value_or(fallback);
  }
  double positive(std::string_view key, double fallback) const {
    const double v = number(key, fallback);
    if (!(v > 0))
      wrong(key, "is " + detail::format_number(v) + ", not positive", "it is a size",
            "give a value above 0");
    return v;
  }
  double required_positive(std::string_view key, const std::string& why) const {
    if (!has(key)) missing(key, why);
    return positive(key, 0);
  }
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t lo,
                       std::int64_t hi) const {
    const toml::node* n = get(key);
    if (!n) return fallback;
    const auto i = n->value_exact<std::int64_t>();
    if (!i) wrong_type(key, "an integer");
    if (*i < lo || *i > hi)
      wrong(key, std::to_string(*i) + " is out of range",
            "it must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
            "give a value in that range");
    return *i;
  }
  bool boolean(std::string_view key, bool fallback) const {
    const toml::node* n = get(key);
    if (!n) return fallback;
    const auto b = n->value_exact<bool>();
    if (!b) wrong_type(key, "true or false");
    return *b;
  }
  std::optional<std::string> string(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    const auto s = n->value_exact<std::string>();
    if (!s) wrong_type(key, "a string");
    return *s;
  }
  std::string required_string(std::string_view key, const std::string& why) const {
    auto s = string(key);
    if (!s) missing(key, why);
    return *s;
  }
  // One of `choices`.
  std::string choice(std::string_view key, const Keys& choices, std::string_view fallback) const {
    const auto s = string(key);
    if (!s) return std::string(fallback);
    if (std::find(choices.begin(), choices.end(), *s) == choices.end()) {
      const std::string near = closest_key(*s, choices);
      wrong(key, "'" + *s + "' is not a valid value", "it is one of: " + join(choices),
            near.empty() ? "use one of those" : "did you mean '" + near + "'?");
    }
    return *s;
  }
  std::vector<double> numbers(std::string_view key, std::size_t min_count) const {
    const toml::node* n = get(key);
    const toml::array* a = n ? n->as_array() : nullptr;
    if (!a) wrong_type(key, "an array of numbers");
    std::vector<double> v;
    for (const toml::node& e : *a) {
      if (auto i = e.value_exact<std::int64_t>())
        v.push_back(double(*i));
      else if (auto f = e.value_exact<double>(); f && std::isfinite(*f))
        v.push_back(*f);
      else
        bad(c_, &e, where(key), "entry " + std::to_string(v.size()) + " is not a finite number",
            "the array holds numbers only", "fix the entry");
    }
    if (v.size() < min_count)
      wrong(key, "has " + std::to_string(v.size()) + " entries",
            "at least " + std::to_string(min_count) + " are needed", "add entries");
    return v;
  }
  std::optional<Vec3> vec3(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    const auto v = numbers(key, 0);
    if (v.size() != 3)
      wrong(key, "has " + std::to_string(v.size()) + " entries", "a vector has x, y and z",
            "write " + std::string(key) + " = [x, y, z]");
    return Vec3{float(v[0]), float(v[1]), float(v[2])};
  }
  const toml::table* subtable(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (!n->is_table()) wrong_type(key, "a table");
    return n->as_table();
  }
  // A path: ${NAME} expanded, relative to the scene file's folder.
  std::optional<Path> path(std::string_view key) const {
    const auto s = string(key);
    if (!s) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < s->size();) {
      if (s->compare(i, 2, "${") != 0) {
        out += (*s)[i++];
        continue;
      }
      const std::size_t end = s->find('}', i + 2);
      if (end == std::string::npos)
        wrong(key, "'" + *s + "' has '${' without a closing '}'",
              "${NAME} stands for the environment variable NAME", "close the brace");
      const std::string name = s->substr(i + 2, end - i - 2);
      const char* env = std::getenv(name.c_str());
      if (env && *env) {
        out += env;
      } else if (name == "CHROMA2_DATA_DIR") {
        const auto dir = find_data_dir();
        if (!dir)
          wrong(key, "'" + *s + "' uses ${CHROMA2_DATA_DIR}, which is unset",
                "no shared data folder was found either",
                "set CHROMA2_DATA_DIR to the data folder");
        out += dir->string();
      } else {
        wrong(key, "'" + *s + "' uses ${" + name + "}, which is not set",
              "${NAME} stands for the environment variable NAME",
              "set " + name + " or write the path out");
      }
      i = end + 1;
    }
    Path p(out);
    if (!p.is_absolute()) p = c_.dir / p;
    std::error_code ec;
    if (std::filesystem::exists(p, ec) && !std::filesystem::is_regular_file(p, ec))
      wrong(key, "'" + p.string() + "' is not a regular file",
            "tables, meshes and arrays are read from files", "name a file");
    return p;
  }

 private:
  static std::string kind_of(const std::string& label) {
    const std::size_t space = label.find(' ');
    return "a [" + label.substr(0, space) + "]";
  }
  const Ctx& c_;
  const toml::table& t_;
  std::string label_;
};

// Refuses a solid that would have more triangles than the limits allow, before it is built.
void check_triangles(const Section& s, std::string_view key, double triangles) {
  const auto limit = s.ctx().limits.max_triangles_per_solid;
  if (triangles > double(limit))
    s.wrong(key, "makes a solid of " + detail::format_number(triangles) + " triangles",
            "a solid may have at most " + std::to_string(limit) + " (SceneLimits)",
            "use fewer subdivisions, segments or rings");
}

// Runs f, prefixing any chroma2::Error it throws with the scene's file, line and key.
template <class F>
auto within(const Section& s, std::string_view key, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    const toml::node* n = s.get(key);
    throw Error(s.ctx().file.string() + ":" + line_of(n ? n : s.node()) + ": " + s.where(key) +
                ": " + e.what());
  }
}

// Runs f, prefixing any chroma2::Error it throws with the scene's file and the entry's line and
// label (errors of a whole material or surface, found when its tables are built).
template <class F>
void within_entry(const Section& s, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    const std::string message = e.what();
    const bool named = message.rfind(s.label(), 0) == 0;  // the library named the entry itself
    throw Error(s.ctx().file.string() + ":" + line_of(s.node()) + ": " +
                (named ? "" : s.label() + ": ") + message);
  }
}

// Refuses the keys of `s` that belong to another variant of it: `specific` lists every key that
// only some variants take, `taken` those the chosen `variant` ("a sphere") takes.
void refuse_foreign_keys(const Section& s, const Keys& specific, const Keys& taken,
                         const std::string& variant) {
  for (std::string_view key : specific)
    if (s.has(key) && std::find(taken.begin(), taken.end(), key) == taken.end())
      s.wrong(key, "does not apply to " + variant,
              variant + " takes: " + (taken.empty() ? std::string("none of them") : join(taken)),
              "remove " + std::string(key) + " or change the kind");
}

// ---- tables --------------------------------------------------------------------------------

// A CSV table: a header line naming the columns, then rows of numbers. The first column is the
// wavelength (wavelength_nm) or photon energy (energy_ev); `column` names the values.
SpectralTable read_csv_column(const Path& file, const std::string& column) {
  std::ifstream in(file);
  if (!in)
    fail("cannot open '" + file.string() + "'", "it does not exist or is not readable",
         "check the path (relative to the scene file)");
  auto split = [](const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.emplace_back(detail::trim(x));
    return f;
  };
  std::string line;
  if (!std::getline(in, line))
    fail("'" + file.string() + "' is empty", "a table starts with a header line",
         "write a header such as 'wavelength_nm,value'");
  const auto header = split(line);
  SpectralTable t;
  if (header.empty() || (header[0] != "wavelength_nm" && header[0] != "energy_ev"))
    fail("'" + file.string() + "' line 1: the first column is '" +
             (header.empty() ? "" : header[0]) + "'",
         "it must be wavelength_nm or energy_ev", "name the first column so");
  t.unit = header[0] == "energy_ev" ? SpectralUnit::electronvolt : SpectralUnit::nanometre;
  std::size_t col = 0;
  for (std::size_t k = 1; k < header.size() && !col; ++k)
    if (header[k] == column || header[k].rfind(column + " (", 0) == 0) col = k;
  if (!col) {
    Keys names;
    for (std::size_t k = 1; k < header.size(); ++k)
      names.push_back(std::string_view(header[k]).substr(0, header[k].find(" (")));
    const std::string near = closest_key(column, names);
    fail("'" + file.string() + "' has no column '" + column + "'",
         "its columns are: " + join(names),
         near.empty() ? "name one of those" : "did you mean '" + near + "'?");
  }
  for (std::size_t n = 2; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // a blank line
    const auto f = split(line);
    double x = 0, y = 0;
    auto num = [](const std::string& s, double& v) {
      const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(v);
    };
    if (f.size() != header.size() || !num(f[0], x) || !num(f[col], y))
      fail("'" + file.string() + "' line " + std::to_string(n) + " is malformed: '" + line + "'",
           "each row has " + std::to_string(header.size()) + " finite numbers", "repair the row");
    t.x.push_back(x);
    t.y.push_back(y);
  }
  if (t.x.size() < 2)
    fail("'" + file.string() + "' has " + std::to_string(t.x.size()) + " rows",
         "a table needs at least 2", "add rows");
  return t;
}

// A table value: a number (constant over 100-2000 nm), {nm = [...], values = [...]},
// {ev = [...], values = [...]} or {csv = "file", column = "name"}. `label` names it in messages
// ("material 'water' absorption_length_mm").
SpectralTable read_table_at(const Ctx& c, const toml::node& n, const std::string& label) {
  if (auto i = n.value_exact<std::int64_t>())
    return {{100, 2000}, {double(*i), double(*i)}, SpectralUnit::nanometre};
  if (auto f = n.value_exact<double>()) {
    if (!std::isfinite(*f))
      bad(c, &n, label, "is not a finite number", "a table's values are finite",
          "give a finite value");
    return {{100, 2000}, {*f, *f}, SpectralUnit::nanometre};
  }
  if (!n.is_table())
    bad(c, &n, label, "is " + std::string(type_name(n)) + ", not a table",
        "a table is a number, {nm = [...], values = [...]}, {ev = [...], values = [...]} or "
        "{csv = \"file\", column = \"name\"}",
        "write it in one of those forms");
  const Section t(c, *n.as_table(), label, {"nm", "ev", "values", "csv", "column"});
  SpectralTable out;
  const auto prefixed = [&](auto&& f) {
    try {
      return f();
    } catch (const Error& e) {
      throw Error(c.file.string() + ":" + line_of(&n) + ": " + label + ": " + e.what());
    }
  };
  if (t.has("csv")) {
    if (t.has("nm") || t.has("ev") || t.has("values"))
      t.wrong("csv", "is given with inline values", "a table comes from one place",
              "keep either csv and column or the inline arrays");
    const Path file = *t.path("csv");
    const std::string column = t.required_string("column", "a CSV table names its column");
    out = prefixed([&] { return read_csv_column(file, column); });
  } else {
    if (t.has("nm") == t.has("ev"))
      bad(c, &n, label, "needs exactly one of nm and ev",
          "they give the table's wavelengths or energies", "write nm = [...] or ev = [...]");
    const std::string_view axis = t.has("nm") ? "nm" : "ev";
    out.x = t.numbers(axis, 2);
    if (!t.has("values"))
      t.missing("values", "the table's values go with its " + std::string(axis));
    out.y = t.numbers("values", 2);
    if (out.y.size() != out.x.size())
      t.wrong("values",
              "has " + std::to_string(out.y.size()) + " entries but " + std::string(axis) +
                  " has " + std::to_string(out.x.size()),
              "one value per node", "give as many values as nodes");
    out.unit = axis == "ev" ? SpectralUnit::electronvolt : SpectralUnit::nanometre;
  }
  prefixed([&] {
    validate_spectral_table(out, {label, "table", ""});
    return 0;
  });
  return out;
}

SpectralTable read_table(const Section& s, std::string_view key) {
  return read_table_at(s.ctx(), *s.get(key), s.where(key));
}

std::vector<ReemissionComponent> read_reemission(const Section& s) {
  const toml::node* n = s.get("reemission");
  const toml::array* a = n->as_array();
  if (!a) s.wrong_type("reemission", "an array of tables");
  std::vector<ReemissionComponent> out;
  for (const toml::node& e : *a) {
    if (!e.is_table())
      bad(s.ctx(), &e, s.where("reemission"), "an entry is not a table",
          "each component is {share, spectrum, time_constant_ns}", "write it as a table");
    const Section c(s.ctx(), *e.as_table(),
                    s.where("reemission") + "[" + std::to_string(out.size()) + "]",
                    {"share", "spectrum", "time_constant_ns"});
    ReemissionComponent r;
    r.share = c.positive("share", 1);
    if (!c.has("spectrum")) c.missing("spectrum", "re-emitted wavelengths are drawn from it");
    r.spectrum = read_table(c, "spectrum");
    r.time_constant_ns = c.number("time_constant_ns", 0);
    if (r.time_constant_ns < 0)
      c.wrong("time_constant_ns", "is negative", "it is a decay time", "give 0 or more");
    out.push_back(std::move(r));
  }
  return out;
}

// The keys each kind of table may have (docs/scene-format.md).
// clang-format off
const Keys material_keys = {
    "name", "preset", "refractive_index", "absorption_length_mm", "scattering_length_mm",
    "reemission_probability", "reemission", "reemission_conserves_energy"};
const Keys surface_keys = {
    "name", "preset", "model", "one_sided", "detect", "absorb", "reemit", "reflect_diffuse",
    "reflect_specular", "transmit", "reflectivity", "efficiency", "finish", "layer_index",
    "index_real", "index_imag", "sigma_alpha_rad", "spike", "lobe", "backscatter",
    "dichroic_angles_deg", "dichroic_reflectance", "dichroic_transmittance", "reemission",
    "reemission_conserves_energy"};
const Keys solid_keys = {
    "name", "shape", "place", "inner", "outer", "surface", "channel", "position_mm",
    "rotation_deg", "radius_mm", "subdivisions", "half_extent_mm", "half_height_mm", "segments",
    "rings", "profile_mm", "file", "scale", "vertices_npy", "triangles_npy", "triangle_inner_npy",
    "triangle_outer_npy", "triangle_surface_npy", "pmt", "glass", "vacuum", "photocathode", "back"};
const Keys array_keys = {
    "solid", "solids", "solid_npy", "layout", "count", "radius_mm", "half_height_mm",
    "standoff_mm", "centre_mm", "first_channel", "rotation_npy", "translation_npy", "channel_npy"};
// clang-format on

// ---- the scene -----------------------------------------------------------------------------

struct Names {
  std::map<std::string, std::int32_t, std::less<>> materials, surfaces, solids;
};

std::string join_names(const std::map<std::string, std::int32_t, std::less<>>& m) {
  Keys k;
  for (const auto& [name, id] : m) k.push_back(name);
  return join(k);
}

const toml::array* array_of_tables(const Ctx& c, const toml::table& root, std::string_view key) {
  const toml::node* n = root.get(key);
  if (!n) return nullptr;
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables())
    bad(c, n, std::string(key), "is not an array of tables",
        "write each entry as [[" + std::string(key) + "]]", "use [[" + std::string(key) + "]]");
  return a;
}

std::string entry_label(std::string_view kind, const toml::table& t, std::size_t i) {
  if (auto name = t["name"].value<std::string>()) return std::string(kind) + " '" + *name + "'";
  return std::string(kind) + " " + std::to_string(i);
}

void read_materials(const Ctx& c, const toml::table& root, DetectorSpec& d, Names& names) {
  const toml::array* a = array_of_tables(c, root, "material");
  if (!a) return;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const Section s(c, *a->get(i)->as_table(), entry_label("material", *a->get(i)->as_table(), i),
                    material_keys);
    MaterialSpec m;
    const std::string name = s.required_string("name", "surfaces, solids and the world name it");
    if (const auto preset = s.string("preset")) {
      const std::string p = s.choice("preset", {"pure_water", "pmt_glass", "vacuum"}, "");
      if (p == "pure_water") m = pure_water(name);
      if (p == "pmt_glass") m = default_pmt_glass();
      if (p == "vacuum") m.refractive_index = {{100, 2000}, {1, 1}, SpectralUnit::nanometre};
    }
    m.name = name;
    if (s.has("refractive_index")) m.refractive_index = read_table(s, "refractive_index");
    if (s.has("absorption_length_mm")) m.absorption_length = read_table(s, "absorption_length_mm");
    if (s.has("scattering_length_mm")) m.scattering_length = read_table(s, "scattering_length_mm");
    if (s.has("reemission_probability"))
      m.reemission_probability = read_table(s, "reemission_probability");
    if (s.has("reemission")) m.reemission = read_reemission(s);
    m.reemission_conserves_energy = s.boolean("reemission_conserves_energy", true);
    if (m.refractive_index.x.empty())
      s.missing("refractive_index", "every material needs its index (or a preset)");
    if (!names.materials.emplace(name, std::int32_t(d.materials.size())).second)
      s.wrong("name", "'" + name + "' is defined twice", "material names are unique",
              "rename one of them");
    within_entry(s, [&] { MaterialSet<Host> built(std::vector<MaterialSpec>{m}); });
    d.materials.push_back(std::move(m));
  }
}

void read_surfaces(const Ctx& c, const toml::table& root, DetectorSpec& d, Names& names) {
  const toml::array* a = array_of_tables(c, root, "surface");
  if (!a) return;
  static const Keys models = {"chroma",  "specular",      "lambertian",
                              "unified", "front_painted", "back_painted",
                              "metal",   "dichroic",      "wavelength_shifting"};
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::table& t = *a->get(i)->as_table();
    const Section s(c, t, entry_label("surface", t, i), surface_keys);
    const std::string name = s.required_string("name", "solids name their surface");
    SurfaceSpec f;
    if (s.has("preset")) {
      const std::string p = s.choice("preset", {"photocathode", "black"}, "");
      f = p == "photocathode" ? default_photocathode() : default_black(name, 1.0);
    }
    f.name = name;
    if (s.has("model")) {
      const std::string m = s.choice("model", models, "chroma");
      f.model = std::uint32_t(std::find(models.begin(), models.end(), m) - models.begin());
    }
    f.one_sided = s.boolean("one_sided", false);
    const std::pair<std::string_view, SpectralTable*> tables[] = {
        {"detect", &f.detect},
        {"absorb", &f.absorb},
        {"reemit", &f.reemit},
        {"reflect_diffuse", &f.reflect_diffuse},
        {"reflect_specular", &f.reflect_specular},
        {"transmit", &f.transmit},
        {"reflectivity", &f.reflectivity},
        {"efficiency", &f.efficiency},
        {"layer_index", &f.layer_index},
        {"index_real", &f.index_real},
        {"index_imag", &f.index_imag}};
    for (const auto& [key, table] : tables)
      if (s.has(key)) *table = read_table(s, key);
    if (s.has("finish"))
      f.finish = s.choice("finish", {"polished", "ground"}, "polished") == "ground"
                     ? ReflectorFinish::ground
                     : ReflectorFinish::polished;
    f.sigma_alpha = s.number("sigma_alpha_rad", 0);
    f.spike = s.number("spike", 0);
    f.lobe = s.number("lobe", 0);
    f.backscatter = s.number("backscatter", 0);
    if (s.has("dichroic_angles_deg")) {
      f.dichroic_angles_deg = s.numbers("dichroic_angles_deg", 1);
      for (auto [key, out] :
           {std::pair{std::string_view("dichroic_reflectance"), &f.dichroic_reflectance},
            std::pair{std::string_view("dichroic_transmittance"), &f.dichroic_transmittance}}) {
        const toml::node* n = s.get(key);
        const toml::array* arr = n ? n->as_array() : nullptr;
        if (!arr) s.missing(key, "a dichroic surface gives one table per angle");
        if (arr->size() != f.dichroic_angles_deg.size())
          s.wrong(key,
                  "has " + std::to_string(arr->size()) + " tables for " +
                      std::to_string(f.dichroic_angles_deg.size()) + " angles",
                  "one table per angle", "give as many tables as angles");
        for (std::size_t k = 0; k < arr->size(); ++k)
          out->push_back(
              read_table_at(c, *arr->get(k), s.where(key) + "[" + std::to_string(k) + "]"));
      }
    }
    if (s.has("reemission")) f.reemission = read_reemission(s);
    f.reemission_conserves_energy = s.boolean("reemission_conserves_energy", true);
    if (!names.surfaces.emplace(name, std::int32_t(d.surfaces.size())).second)
      s.wrong("name", "'" + name + "' is defined twice", "surface names are unique",
              "rename one of them");
    within_entry(s, [&] {
      check_surface_models<StandardSurfaceModels>({f});
      SurfaceSet<Host> built(std::vector<SurfaceSpec>{f});
    });
    d.surfaces.push_back(std::move(f));
  }
}

using NameMap = std::map<std::string, std::int32_t, std::less<>>;

// The id of `name` among the defined `kind`s ("material"), or an error naming the closest.
std::int32_t resolve(const Section& s, std::string_view key, const std::string& name,
                     const NameMap& defined, const std::string& kind, const std::string& why) {
  if (auto it = defined.find(name); it != defined.end()) return it->second;
  Keys known;
  for (const auto& [k, v] : defined) known.push_back(k);
  const std::string near = closest_key(name, known);
  s.wrong(key, "names " + kind + " '" + name + "', which is not defined", why,
          near.empty() ? "define it with [[" + kind + "]]" : "did you mean '" + near + "'?");
}

std::int32_t material_id(const Section& s, std::string_view key, const Names& names,
                         const std::string& why = "a solid names the materials on its sides") {
  const std::string name = s.required_string(key, why);
  return resolve(s, key, name, names.materials, "material",
                 names.materials.empty() ? "the scene defines no [[material]]"
                                         : "the materials are: " + join_names(names.materials));
}

std::int32_t surface_id(const Section& s, std::string_view key, const Names& names) {
  if (!s.has(key)) return -1;
  return resolve(s, key, *s.string(key), names.surfaces, "surface",
                 names.surfaces.empty() ? "the scene defines no [[surface]]"
                                        : "the surfaces are: " + join_names(names.surfaces));
}

// Row-major product a·b of two rotations.
RigidTransform compose(const RigidTransform& a, const RigidTransform& b) {
  RigidTransform r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      float v = 0;
      for (int k = 0; k < 3; ++k) v += a.r[3 * i + k] * b.r[3 * k + j];
      r.r[3 * i + j] = v;
    }
  return r;
}

// position_mm and rotation_deg = [about x, about y, about z], applied in that order.
RigidTransform read_transform(const Section& s) {
  RigidTransform t = RigidTransform::identity();
  if (const auto rot = s.vec3("rotation_deg")) {
    const float k = std::numbers::pi_v<float> / 180.0f;
    t = compose(
        rotation_about({0, 0, 1}, rot->z * k),
        compose(rotation_about({0, 1, 0}, rot->y * k), rotation_about({1, 0, 0}, rot->x * k)));
  }
  t.t = s.vec3("position_mm").value_or(Vec3{0, 0, 0});
  return t;
}

// Per-triangle ids from an .npy array of `n` integers, each in [lo, hi).
std::vector<std::int32_t> read_ids(const Section& s, std::string_view key, std::size_t n,
                                   std::int32_t lo, std::int32_t hi, const char* what) {
  const Path file = *s.path(key);
  const NpyArray a = within(s, key, [&] { return read_npy(file, {n}); });
  std::vector<std::int32_t> ids = a.as<std::int32_t>();
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < lo || ids[i] >= hi)
      s.wrong(
          key,
          "entry " + std::to_string(i) + " of '" + file.string() + "' is " + std::to_string(ids[i]),
          std::string(what) + " ids run from " + std::to_string(lo) + " to " +
              std::to_string(hi - 1),
          "fix the array or the scene's list");
  return ids;
}

Mesh read_solid_mesh(const Section& s, const Names& names, std::int32_t materials,
                     std::int32_t surfaces) {
  static const Keys shapes = {"sphere", "box", "cylinder", "revolution", "pmt", "mesh"};
  const std::string shape = s.choice("shape", shapes, "");
  if (shape.empty()) s.missing("shape", "it says how the solid is made: " + join(shapes));
  {
    static const Keys specific = {"radius_mm",
                                  "subdivisions",
                                  "half_extent_mm",
                                  "half_height_mm",
                                  "segments",
                                  "rings",
                                  "profile_mm",
                                  "file",
                                  "scale",
                                  "vertices_npy",
                                  "triangles_npy",
                                  "triangle_inner_npy",
                                  "triangle_outer_npy",
                                  "triangle_surface_npy",
                                  "pmt",
                                  "glass",
                                  "vacuum",
                                  "photocathode",
                                  "back",
                                  "inner",
                                  "surface"};
    static const std::map<std::string, Keys, std::less<>> taken = {
        {"sphere", {"radius_mm", "subdivisions", "inner", "surface"}},
        {"box", {"half_extent_mm", "subdivisions", "inner", "surface"}},
        {"cylinder", {"radius_mm", "half_height_mm", "segments", "rings", "inner", "surface"}},
        {"revolution", {"profile_mm", "segments", "inner", "surface"}},
        {"pmt", {"pmt", "glass", "vacuum", "photocathode", "back"}},
        {"mesh",
         {"file", "scale", "vertices_npy", "triangles_npy", "triangle_inner_npy",
          "triangle_outer_npy", "triangle_surface_npy", "inner", "surface"}}};
    refuse_foreign_keys(s, specific, taken.find(shape)->second, "a " + shape);
  }
  if (shape == "pmt") {
    PmtShape p;
    if (const toml::table* t = s.subtable("pmt")) {
      const Section q(s.ctx(), *t, s.where("pmt"),
                      {"bulb_radius_mm", "glass_mm", "neck_radius_mm", "neck_length_mm", "segments",
                       "bulb_steps"});
      p.bulb_radius_mm = float(q.positive("bulb_radius_mm", p.bulb_radius_mm));
      p.glass_mm = float(q.positive("glass_mm", p.glass_mm));
      p.neck_radius_mm = float(q.positive("neck_radius_mm", p.neck_radius_mm));
      p.neck_length_mm = float(q.positive("neck_length_mm", p.neck_length_mm));
      p.segments = int(q.integer("segments", p.segments, 3, 1024));
      p.bulb_steps = int(q.integer("bulb_steps", p.bulb_steps, 2, 1024));
      check_triangles(s, "pmt", 4.0 * p.segments * (p.bulb_steps + 4));
    }
    const PmtMaterials m{material_id(s, "outer", names), material_id(s, "glass", names),
                         material_id(s, "vacuum", names), surface_id(s, "photocathode", names),
                         surface_id(s, "back", names)};
    return within(s, "pmt", [&] { return make_pmt(p, m); });
  }
  Mesh mesh;
  const bool per_triangle =
      s.has("triangle_inner_npy") || s.has("triangle_outer_npy") || s.has("triangle_surface_npy");
  if (shape == "sphere") {
    const float r = float(s.required_positive("radius_mm", "a sphere has a radius"));
    const int sub = int(s.integer("subdivisions", 4, 0, 9));
    check_triangles(s, "subdivisions", 20 * std::pow(4.0, sub));
    mesh = make_geodesic_sphere(r, sub);
  } else if (shape == "box") {
    const auto h = s.vec3("half_extent_mm");
    if (!h) s.missing("half_extent_mm", "a box has half extents [x, y, z]");
    const int sub = int(s.integer("subdivisions", 1, 1, 1000));
    check_triangles(s, "subdivisions", 12.0 * sub * sub);
    mesh = within(s, "half_extent_mm", [&] { return make_box(*h, sub); });
  } else if (shape == "cylinder") {
    const float r = float(s.required_positive("radius_mm", "a cylinder has a radius"));
    const float hh = float(s.required_positive("half_height_mm", "a cylinder has a half height"));
    const int segments = int(s.integer("segments", 64, 3, 100000));
    const int rings = int(s.integer("rings", 1, 1, 100000));
    check_triangles(s, "segments", 2.0 * segments * (rings + 2));
    mesh = make_cylinder(r, hh, segments, rings);
  } else if (shape == "revolution") {
    const toml::node* n = s.get("profile_mm");
    const toml::array* a = n ? n->as_array() : nullptr;
    if (!a) s.missing("profile_mm", "a solid of revolution has a profile [[r, z], ...]");
    std::vector<ProfilePoint> profile;
    for (const toml::node& e : *a) {
      const toml::array* pair = e.as_array();
      const auto r = pair && pair->size() == 2 ? pair->get(0)->value<double>() : std::nullopt;
      const auto z = pair && pair->size() == 2 ? pair->get(1)->value<double>() : std::nullopt;
      if (!r || !z)
        bad(s.ctx(), &e, s.where("profile_mm"),
            "point " + std::to_string(profile.size()) + " is not [r, z]",
            "each profile point is two numbers in mm", "write it as [r, z]");
      profile.push_back({float(*r), float(*z)});
    }
    const int segments = int(s.integer("segments", 64, 3, 100000));
    check_triangles(s, "segments", 2.0 * segments * double(profile.size()));
    mesh = within(s, "profile_mm", [&] { return make_revolution(profile, segments); });
  } else {  // mesh
    if (s.has("file") == s.has("vertices_npy"))
      s.wrong(s.has("file") ? "file" : "shape", "needs exactly one of file and vertices_npy",
              "a mesh comes from an STL or OBJ file, or from .npy vertices and triangles",
              "give file = \"...\" or vertices_npy and triangles_npy");
    if (s.has("file")) {
      const Path file = *s.path("file");
      std::string ext = file.extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      if (ext == ".stl")
        mesh = within(s, "file", [&] { return load_stl(file).mesh; });
      else if (ext == ".obj")
        mesh = within(s, "file", [&] { return load_obj(file).mesh; });
      else
        s.wrong("file", "'" + file.string() + "' is neither .stl nor .obj",
                "meshes are read from STL or OBJ files", "convert it or use vertices_npy");
    } else {
      if (!s.has("triangles_npy")) s.missing("triangles_npy", "vertices_npy goes with it");
      const Path vf = *s.path("vertices_npy"), tf = *s.path("triangles_npy");
      const NpyArray v = within(s, "vertices_npy", [&] { return read_npy(vf, {0, 3}); });
      const NpyArray t = within(s, "triangles_npy", [&] { return read_npy(tf, {0, 3}); });
      const auto xyz = v.as<double>();
      for (std::size_t i = 0; i < v.shape[0]; ++i)
        mesh.add_vertex({float(xyz[3 * i]), float(xyz[3 * i + 1]), float(xyz[3 * i + 2])});
      const auto idx = t.as<std::int64_t>();
      for (std::size_t i = 0; i < t.shape[0]; ++i) {
        for (int k = 0; k < 3; ++k)
          if (idx[3 * i + k] < 0 || std::size_t(idx[3 * i + k]) >= v.shape[0])
            s.wrong("triangles_npy",
                    "row " + std::to_string(i) + " of '" + tf.string() + "' uses vertex " +
                        std::to_string(idx[3 * i + k]),
                    "there are " + std::to_string(v.shape[0]) + " vertices",
                    "fix the triangles or the vertices");
        mesh.triangles.push_back({std::uint32_t(idx[3 * i]), std::uint32_t(idx[3 * i + 1]),
                                  std::uint32_t(idx[3 * i + 2])});
      }
    }
    if (const auto scale = s.number("scale")) {
      if (!(*scale > 0))
        s.wrong("scale", "is not positive", "it multiplies every vertex", "give a value above 0");
      for (Vec3& v : mesh.vertices) v = float(*scale) * v;
    }
  }
  mesh.name = *s.string("name");
  const std::size_t n = mesh.size();
  if (per_triangle) {
    for (const char* k : {"triangle_inner_npy", "triangle_outer_npy", "triangle_surface_npy"})
      if (!s.has(k))
        s.missing(k, "per-triangle ids come as three arrays: inner, outer and surface");
    for (const char* k : {"inner", "outer", "surface"})
      if (s.has(k))
        s.wrong(k, "is given with per-triangle arrays", "the arrays set every triangle",
                "remove " + std::string(k));
    const auto in = read_ids(s, "triangle_inner_npy", n, 0, materials, "material");
    const auto out = read_ids(s, "triangle_outer_npy", n, 0, materials, "material");
    const auto sf = read_ids(s, "triangle_surface_npy", n, -1, surfaces, "surface");
    mesh.materials.resize(n);
    for (std::size_t i = 0; i < n; ++i) mesh.materials[i] = {in[i], out[i], sf[i]};
  } else {
    mesh.set_solid(material_id(s, "inner", names), material_id(s, "outer", names),
                   surface_id(s, "surface", names));
  }
  within(s, "shape", [&] { mesh.validate(mesh.name); });
  return mesh;
}

void read_solids(const Ctx& c, const toml::table& root, DetectorSpec& d, Names& names) {
  const toml::array* a = array_of_tables(c, root, "solid");
  if (!a) return;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::table& t = *a->get(i)->as_table();
    const Section s(c, t, entry_label("solid", t, i), solid_keys);
    const std::string name = s.required_string("name", "arrays name the solid they place");
    Mesh mesh = read_solid_mesh(s, names, std::int32_t(d.materials.size()),
                                std::int32_t(d.surfaces.size()));
    const std::uint32_t id = d.scene.add_mesh(std::move(mesh));
    if (!names.solids.emplace(name, std::int32_t(id)).second)
      s.wrong("name", "'" + name + "' is defined twice", "solid names are unique",
              "rename one of them");
    if (s.boolean("place", true))
      d.scene.add_placement(id, read_transform(s),
                            std::int32_t(s.integer("channel", -1, -1, (1ll << 31) - 1)));
    else if (s.has("position_mm") || s.has("rotation_deg") || s.has("channel"))
      s.wrong(s.has("channel") ? "channel" : "position_mm",
              "is given for a solid with place = false", "only an [[array]] places it",
              "remove it or set place = true");
  }
}

void read_arrays(const Ctx& c, const toml::table& root, DetectorSpec& d, const Names& names) {
  const toml::array* a = array_of_tables(c, root, "array");
  if (!a) return;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::table& t = *a->get(i)->as_table();
    const Section s(c, t, "array " + std::to_string(i), array_keys);
    // the solid placed: one `solid`, or (npy layout) a list `solids` indexed per row by solid_npy
    const auto solid_id = [&](std::string_view key, const std::string& solid) {
      return std::uint32_t(resolve(s, key, solid, names.solids, "solid",
                                   "an array places a solid defined by a [[solid]] of that name"));
    };
    std::vector<std::uint32_t> solids;
    if (s.has("solids")) {
      if (s.has("solid"))
        s.wrong("solids", "is given with solid",
                "an array places one solid, or a list of them "
                "chosen per row by solid_npy",
                "keep one of them");
      const toml::array* list = s.get("solids")->as_array();
      if (!list || list->empty()) s.wrong_type("solids", "a non-empty array of solid names");
      for (const toml::node& e : *list) {
        const auto name = e.value_exact<std::string>();
        if (!name) s.wrong_type("solids", "an array of solid names");
        solids.push_back(solid_id("solids", *name));
      }
    } else {
      solids.push_back(
          solid_id("solid", s.required_string("solid", "an array places copies of a solid")));
    }
    const std::string layout = s.choice("layout", {"sphere", "cylinder", "npy"}, "");
    if (layout.empty()) s.missing("layout", "sphere, cylinder or npy");
    {
      static const Keys specific = {"count",           "radius_mm",   "half_height_mm",
                                    "standoff_mm",     "centre_mm",   "rotation_npy",
                                    "translation_npy", "channel_npy", "solid_npy"};
      static const std::map<std::string, Keys, std::less<>> taken = {
          {"sphere", {"count", "radius_mm", "standoff_mm", "centre_mm"}},
          {"cylinder", {"count", "radius_mm", "half_height_mm", "standoff_mm", "centre_mm"}},
          {"npy", {"rotation_npy", "translation_npy", "channel_npy", "solid_npy"}}};
      refuse_foreign_keys(s, specific, taken.find(layout)->second, "a " + layout + " layout");
    }
    std::int64_t first =
        s.integer("first_channel", std::int64_t(count_channels(d.scene)), 0, (1ll << 31) - 1);
    std::vector<RigidTransform> placed;
    std::vector<std::int32_t> channels, which;
    if (solids.size() > 1 && layout != "npy")
      s.wrong("solids", "lists several solids for a " + layout + " layout",
              "only an npy layout chooses a solid per row (solid_npy)", "give one solid");
    if (s.has("solid_npy") && !s.has("solids"))
      s.wrong("solid_npy", "is given without solids", "it indexes the list of solids",
              "add solids = [\"...\", ...]");
    if (layout == "npy") {
      for (const char* k : {"rotation_npy", "translation_npy"})
        if (!s.has(k))
          s.missing(k, "an npy layout reads rotations (n, 3, 3) and translations (n, 3)");
      const Path tf = *s.path("translation_npy"), rf = *s.path("rotation_npy");
      const NpyArray tr = within(s, "translation_npy", [&] { return read_npy(tf, {0, 3}); });
      const std::size_t n = tr.shape[0];
      const auto rot = within(s, "rotation_npy", [&] {
                         return read_npy(rf, {n, 3, 3});
                       }).as<float>();
      const auto xyz = tr.as<double>();
      for (std::size_t k = 0; k < n; ++k) {
        RigidTransform x;
        for (int j = 0; j < 9; ++j) x.r[j] = rot[9 * k + j];
        x.t = {float(xyz[3 * k]), float(xyz[3 * k + 1]), float(xyz[3 * k + 2])};
        placed.push_back(x);
      }
      if (s.has("channel_npy")) {
        if (s.has("first_channel"))
          s.wrong("first_channel", "is given with channel_npy", "the array gives every channel",
                  "remove one of them");
        channels =
            read_ids(s, "channel_npy", n, -1, std::numeric_limits<std::int32_t>::max(), "channel");
      }
      if (solids.size() > 1 || s.has("solid_npy")) {
        if (!s.has("solid_npy"))
          s.missing("solid_npy", "with several solids each row says which it places");
        which = read_ids(s, "solid_npy", n, 0, std::int32_t(solids.size()),
                         "solid (index into solids)");
      }
    } else {
      const auto count =
          std::uint32_t(s.integer("count", 0, 1, std::int64_t(c.limits.max_placements)));
      if (!s.has("count")) s.missing("count", "how many copies the array places");
      const float radius =
          float(s.required_positive("radius_mm", "the array lines a surface of this radius"));
      const float standoff = float(s.number("standoff_mm", 0));
      const Vec3 centre = s.vec3("centre_mm").value_or(Vec3{0, 0, 0});
      placed = within(s, "layout", [&] {
        if (layout == "sphere") return sphere_array(count, radius, standoff, centre);
        const float hh =
            float(s.required_positive("half_height_mm", "a cylinder array has a half height"));
        return cylinder_array(count, radius, hh, standoff, centre);
      });
    }
    for (std::size_t k = 0; k < placed.size(); ++k)
      d.scene.add_placement(which.empty() ? solids[0] : solids[std::size_t(which[k])], placed[k],
                            channels.empty() ? std::int32_t(first + std::int64_t(k)) : channels[k]);
  }
}

void read_source(const Ctx& c, const toml::table& root, DetectorSpec& d) {
  const toml::table* t = root["source"].as_table();
  if (!t) {
    if (root.contains("source"))
      bad(c, root.get("source"), "source", "is not a table", "write it as [source]",
          "use a [source] table");
    return;  // the default: 1e6 photons at 420 nm from the origin
  }
  const Section s(c, *t, "source",
                  {"kind", "position_mm", "direction", "radius_mm", "time_ns", "wavelength_nm",
                   "spectrum", "photons_npy"});
  SourceSpec& src = d.source;
  const std::string kind = s.choice("kind", {"point", "beam", "list"}, "point");
  src.kind = kind == "beam"   ? SourceSpec::Kind::beam
             : kind == "list" ? SourceSpec::Kind::list
                              : SourceSpec::Kind::point;
  if (src.kind == SourceSpec::Kind::list)
    for (const char* k : {"position_mm", "time_ns"})
      if (s.has(k))
        s.wrong(k, "is given for a list source", "each listed photon has its own position and time",
                "remove it");
  src.position = s.vec3("position_mm").value_or(Vec3{0, 0, 0});
  src.time_ns = float(s.number("time_ns", 0));
  if (src.kind == SourceSpec::Kind::beam) {
    const auto dir = s.vec3("direction");
    if (!dir) s.missing("direction", "a beam goes one way");
    if (!(norm(*dir) > 0))
      s.wrong("direction", "is the zero vector", "a beam goes one way", "give a direction");
    src.direction = normalize(*dir);
    src.radius_mm = float(s.number("radius_mm", 0));
    if (src.radius_mm < 0)
      s.wrong("radius_mm", "is negative", "it is the beam's radius", "give 0 or more");
  } else {
    for (const char* k : {"direction", "radius_mm"})
      if (s.has(k))
        s.wrong(k, "is given for a " + kind + " source", "only a beam has it", "remove it");
  }
  if (s.has("wavelength_nm") && s.has("spectrum"))
    s.wrong("spectrum", "is given with wavelength_nm", "a source has one wavelength rule",
            "keep one of them");
  WavelengthChoice& w = src.wavelength;
  if (s.has("spectrum")) {
    w.kind = WavelengthChoice::Kind::spectrum;
    w.spectrum = read_table(s, "spectrum");
    within(s, "spectrum", [&] { Spectrum<Host> check(w.spectrum, "spectrum"); });
  } else if (s.has("wavelength_nm")) {
    if (s.get("wavelength_nm")->is_array()) {
      const auto r = s.numbers("wavelength_nm", 2);
      if (r.size() != 2 || !(r[0] > 0) || !(r[1] >= r[0]))
        s.wrong("wavelength_nm", "is not a range [lo, hi] with 0 < lo <= hi",
                "an array is a uniform range in nm", "write wavelength_nm = [300, 600]");
      w.kind = WavelengthChoice::Kind::uniform;
      w.lo_nm = r[0], w.hi_nm = r[1];
    } else {
      w.kind = WavelengthChoice::Kind::fixed;
      w.lo_nm = w.hi_nm = s.positive("wavelength_nm", 420);
    }
  }
  if (src.kind == SourceSpec::Kind::list) {
    if (!s.has("photons_npy")) s.missing("photons_npy", "a list source reads its photons");
    if (s.has("wavelength_nm") || s.has("spectrum"))
      s.wrong(s.has("spectrum") ? "spectrum" : "wavelength_nm", "is given for a list source",
              "each listed photon has its own wavelength", "remove it");
    const Path f = *s.path("photons_npy");
    const NpyArray a = within(s, "photons_npy", [&] { return read_npy(f, {0, 0}); });
    const std::size_t cols = a.shape[1];
    if (cols != 10 && cols != 11)
      s.wrong("photons_npy", "'" + f.string() + "' has " + std::to_string(cols) + " columns",
              "a photon row is x y z (mm), dx dy dz, px py pz (polarisation), wavelength (nm) "
              "and optionally time (ns)",
              "write an (n, 10) or (n, 11) array");
    const auto v = a.as<double>();
    for (std::size_t i = 0; i < a.shape[0]; ++i) {
      const double* r = &v[i * cols];
      Photon p{};
      p.position = {float(r[0]), float(r[1]), float(r[2])};
      p.direction = {float(r[3]), float(r[4]), float(r[5])};
      p.polarisation = {float(r[6]), float(r[7]), float(r[8])};
      p.wavelength = float(r[9]);
      p.time = cols == 11 ? float(r[10]) : 0.0f;
      p.weight = 1;
      within(s, "photons_npy",
             [&] { validate_photon(p, "row " + std::to_string(i) + " of '" + f.string() + "'"); });
      src.photons.push_back(p);
    }
  } else if (s.has("photons_npy")) {
    s.wrong("photons_npy", "is given for a " + kind + " source", "only a list source reads photons",
            "set kind = \"list\" or remove it");
  }
}

void read_run(const Ctx& c, const toml::table& root, DetectorSpec& d) {
  const toml::table* t = root["run"].as_table();
  if (!t) {
    if (root.contains("run"))
      bad(c, root.get("run"), "run", "is not a table", "write it as [run]", "use a [run] table");
    return;
  }
  const Section s(c, *t, "run", {"photons", "events", "seed", "max_steps", "output"});
  RunSpec& r = d.run;
  r.photons = std::uint64_t(s.integer("photons", std::int64_t(r.photons), 1, 1ll << 40));
  r.events = std::uint32_t(s.integer("events", r.events, 1, 1'000'000));
  r.seed = std::uint64_t(
      s.integer("seed", std::int64_t(r.seed), 0, std::numeric_limits<std::int64_t>::max()));
  r.max_steps = std::uint32_t(s.integer("max_steps", r.max_steps, 1, 65535));
  const std::string out = s.choice("output", {"hits", "photons", "history", "channels"}, "hits");
  r.output = out == "photons"    ? OutputTier::photons
             : out == "history"  ? OutputTier::history
             : out == "channels" ? OutputTier::channels
                                 : OutputTier::hits;
}

// Checks what the TOML library must not be given: a NUL byte anywhere, and a non-ASCII character
// outside strings and comments (not TOML, and toml++ 3.3's whitespace test reaches an
// "unreachable" branch for U+00A1-U+0499 and U+2C4E-U+3047 there, or after a line-ending
// backslash in a multi-line string). Strings (opened where a key or value starts) and comments
// may hold any UTF-8.
void check_scene_text(std::string_view text, const Path& origin) {
  std::size_t line = 1;
  const auto refuse = [&](const std::string& what, const std::string& why) {
    fail(origin.string() + ":" + std::to_string(line) + ": " + what, why,
         "check that the file is the scene file, and write keys and values in ASCII (any "
         "character may go in a \"string\" or after #)");
  };
  enum class In { code, comment, basic, literal, multi_basic, multi_literal } in = In::code;
  bool trimming = false;  // after a line-ending backslash in a multi-line basic string
  // A quote opens a string where a key or a value starts: at the start of a line or after
  // '=', '[', ',', '{' or '.' (spaces and tabs between).
  const auto opens_string = [&](std::size_t i) {
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
    return i == 0 || std::string_view("\n=[,{.").find(text[i - 1]) != std::string_view::npos;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto at = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    if (ch == '\0') refuse("a NUL byte", "scene files are TOML text");
    if (ch == '\n') ++line;
    switch (in) {
      case In::code:
        if (static_cast<unsigned char>(ch) >= 0x80)
          refuse("a non-ASCII character outside a string or comment",
                 "TOML keys and values other than strings are ASCII");
        if (ch == '#') {
          in = In::comment;
        } else if ((ch == '"' || ch == '\'') && !opens_string(i)) {
          // a quote inside a bare value ("0\"..."): not a string to TOML, so neither here
        } else if (at("\"\"\"")) {
          in = In::multi_basic, i += 2;
        } else if (at("'''")) {
          in = In::multi_literal, i += 2;
        } else if (ch == '"') {
          in = In::basic;
        } else if (ch == '\'') {
          in = In::literal;
        }
        break;
      case In::comment:
        if (ch == '\n') in = In::code;
        break;
      case In::basic:
        if (ch == '\\')
          ++i;
        else if (ch == '"' || ch == '\n')
          in = In::code;
        break;
      case In::literal:
        if (ch == '\'' || ch == '\n') in = In::code;
        break;
      case In::multi_basic:
        if (trimming && static_cast<unsigned char>(ch) >= 0x80)
          refuse("a non-ASCII character after a line-ending backslash",
                 "the backslash trims the whitespace that follows it");
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') trimming = false;
        if (ch == '\\') {
          std::size_t j = i + 1;
          while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
          trimming = j < text.size() && text[j] == '\n';
          if (!trimming) ++i;  // an escape: skip the escaped character
        } else if (at("\"\"\"")) {
          in = In::code, i += 2;
        }
        break;
      case In::multi_literal:
        if (at("'''")) in = In::code, i += 2;
        break;
    }
  }
}

}  // namespace

DetectorSpec parse_scene(std::string_view text, const std::filesystem::path& origin,
                         const SceneLimits& limits) {
  const Ctx c{origin, origin.parent_path(), limits};
  check_scene_text(text, origin);
  toml::table root;
  try {
    root = toml::parse(text, origin.string());
  } catch (const toml::parse_error& e) {
    fail(origin.string() + ":" + std::to_string(e.source().begin.line) +
             ": not valid TOML: " + std::string(e.description()),
         "scene files are TOML (docs/scene-format.md)", "fix the syntax at that line");
  }
  const Section top(c, root, "scene",
                    {"detector", "material", "surface", "solid", "array", "source", "run"});
  DetectorSpec d;
  Names names;
  read_materials(c, root, d, names);
  read_surfaces(c, root, d, names);
  std::string world;
  if (const toml::table* t = top.subtable("detector")) {
    const Section s(c, *t, "detector", {"name", "world"});
    d.name = s.string("name").value_or(origin.stem().string());
    d.scene.world_material =
        material_id(s, "world", names, "the world is the material outside every solid");
  } else {
    bad(c, &root, "scene", "has no [detector] table",
        "it names the world material, the medium outside every solid",
        "add [detector] with world = \"<material name>\"");
  }
  read_solids(c, root, d, names);
  read_arrays(c, root, d, names);
  if (d.scene.placements.empty())
    bad(c, &root, "scene", "places no solid", "a detector needs at least one placed solid",
        "add a [[solid]] (or an [[array]])");
  d.channels = count_channels(d.scene);
  read_source(c, root, d);
  read_run(c, root, d);
  return d;
}

DetectorSpec load_scene(const std::filesystem::path& file, const SceneLimits& limits) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    fail("cannot open scene file '" + file.string() + "'", "it does not exist or is not readable",
         "check the path");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_scene(ss.str(), file, limits);
}

}  // namespace chroma2::sim
