#include "config/source.h"

namespace halo::config {

std::uint32_t SourceSet::add(std::string name, std::string text) {
  files_.push_back(File{std::move(name), std::move(text)});
  return static_cast<std::uint32_t>(files_.size() - 1);
}

std::string_view SourceSet::line(std::uint32_t file, std::uint32_t line) const {
  if (file >= files_.size() || line == 0) return {};
  std::string_view text = files_[file].text;
  // Lines are only looked up to print a diagnostic, so a linear scan is fine.
  for (std::uint32_t n = 1; n < line; ++n) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
  }
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace halo::config
