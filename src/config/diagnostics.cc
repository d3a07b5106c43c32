#include "config/diagnostics.h"

#include <algorithm>

namespace halo::config {

void Diagnostics::add(Severity severity, Impact impact, SourceLoc loc, std::string message) {
  if (severity == Severity::Error) {
    ++errors_;
  } else {
    ++warnings_;
  }
  if (list_.size() < kMaxDiagnostics) {
    list_.push_back({severity, impact, loc, std::move(message)});
  } else if (list_.size() == kMaxDiagnostics) {
    // Counted above all the same; the note changes neither the counts nor the exit code.
    list_.push_back(
        {Severity::Warning,
         Impact::None,
         {},
         fmt::format("more than {} problems; the rest are counted, not listed", kMaxDiagnostics)});
  }
}

bool Diagnostics::has_fatal() const {
  return std::any_of(list_.begin(), list_.end(),
                     [](const Diagnostic& d) { return d.impact == Impact::Fatal; });
}

std::string Diagnostics::render(const Diagnostic& d, const SourceSet& sources) {
  std::string out;
  const char* kind = d.severity == Severity::Error ? "error" : "warning";
  if (d.loc.known() && d.loc.file < sources.size()) {
    out = fmt::format("{}:{}:{}: {}: {}\n", sources.name(d.loc.file), d.loc.line, d.loc.col, kind,
                      d.message);
    const auto line = sources.line(d.loc.file, d.loc.line);
    if (!line.empty()) {
      out += "    ";
      out += line;
      out += "\n    ";
      // Keep tabs so the caret lines up under the column whatever the tab width.
      for (std::uint32_t i = 1; i < d.loc.col && i <= line.size(); ++i) {
        out += line[i - 1] == '\t' ? '\t' : ' ';
      }
      out += "^\n";
    }
  } else if (sources.size() > 0) {
    out = fmt::format("{}: {}: {}\n", sources.name(0), kind, d.message);
  } else {
    out = fmt::format("{}: {}\n", kind, d.message);
  }
  return out;
}

std::string Diagnostics::render(const SourceSet& sources) const {
  std::string out;
  for (const auto& d : list_) out += render(d, sources);
  return out;
}

}  // namespace halo::config
