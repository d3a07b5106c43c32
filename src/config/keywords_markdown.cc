#include "config/keywords_markdown.h"

#include <fmt/format.h>

#include <map>

namespace halo::config {
namespace {

// Table cells must not break the Markdown table.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string code(std::string_view s) {
  return s.empty() ? "" : "`" + cell(s) + "`";
}

}  // namespace

std::string keywords_markdown(const std::vector<const TableInfo*>& tables) {
  std::string out;
  std::map<Support, int> totals;
  std::string body;
  for (const auto* t : tables) {
    body += fmt::format("\n#### `{}` — {}\n\n", t->name(), t->description());
    body += "| keyword | value | default | halo |\n|---|---|---|---|\n";
    for (const auto* k : t->keyword_infos()) {
      ++totals[k->support];
      std::string name = code(k->name);
      for (auto a : k->aliases) name += " (alias " + code(a) + ")";
      std::string status(to_string(k->support));
      if (!k->note.empty()) status += ": " + k->note;
      body += fmt::format("| {} | {} | {} | {} |\n", name, code(k->syntax), code(k->default_text),
                          cell(status));
    }
  }
  out += fmt::format(
      "{} keywords: {} acted on, {} parsed and validated but not yet acted on, {} accepted and "
      "ignored, {} refused.\n",
      totals[Support::Acted] + totals[Support::Parsed] + totals[Support::Ignored] +
          totals[Support::Refused],
      totals[Support::Acted], totals[Support::Parsed], totals[Support::Ignored],
      totals[Support::Refused]);
  return out + body;
}

}  // namespace halo::config
