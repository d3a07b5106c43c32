// Where configuration text came from: the files read (main file and includes) and positions
// in them. Diagnostics print the source line under the message, so the text is kept.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace halo::config {

// A position in a config file. Line and column count from 1; 0 means "no position" (for
// example a problem with the configuration as a whole).
//
// Where a value was written is provenance, not part of the value: two configurations that say
// the same thing are equal wherever they say it, so every SourceLoc compares equal. This lets
// the model keep positions for later diagnostics (reload, cross-references) while `==` on the
// model stays a comparison of meaning.
struct SourceLoc {
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
  // The position of the logical line in reading order, across includes and expansions:
  // keepalived reads a file once, so some names must be defined before they are used.
  std::uint32_t order = 0;

  bool known() const { return line != 0; }
  bool before(const SourceLoc& other) const { return order < other.order; }
  friend bool operator==(const SourceLoc&, const SourceLoc&) { return true; }
};

class SourceSet {
 public:
  // Registers a file's text; returns its index for SourceLoc::file.
  std::uint32_t add(std::string name, std::string text);
  const std::string& name(std::uint32_t file) const { return files_.at(file).name; }
  const std::string& text(std::uint32_t file) const { return files_.at(file).text; }
  std::size_t size() const { return files_.size(); }
  // The text of one line, without its line end; empty when out of range.
  std::string_view line(std::uint32_t file, std::uint32_t line) const;

 private:
  struct File {
    std::string name;
    std::string text;
  };
  // A deque: texts are referenced by string_views while more files are added, and short
  // strings live inside their object, so elements must never move.
  std::deque<File> files_;
};

}  // namespace halo::config
