// libFuzzer target for the control socket's line parser (control/command.h), the first code
// to touch what any local client sends.
//
// Beyond the sanitizers' checks: a line that parses gives commands whose words are non-empty,
// hold no blank, ';' or control character, number at most kMaxWords, and printing them back
// (words joined by one space, commands by ';', `json` appended) parses to the same commands.
#include <cstdint>
#include <string>
#include <string_view>

#include "control/command.h"

namespace {

bool word_ok(const std::string& word) {
  if (word.empty()) return false;
  for (const char c : word) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t' || c == ';' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace halo::control;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto commands = parse_line(line);
  if (!commands) return 0;
  std::string printed;
  for (const auto& command : *commands) {
    if (command.words.empty() || command.words.size() > kMaxWords) __builtin_trap();
    for (const auto& word : command.words) {
      if (!word_ok(word)) __builtin_trap();
    }
    if (!printed.empty()) printed += ';';
    for (std::size_t i = 0; i < command.words.size(); ++i) {
      if (i > 0) printed += ' ';
      printed += command.words[i];
    }
    if (command.json) printed += " json";
  }
  const auto again = parse_line(printed);
  if (!again || again->size() != commands->size()) __builtin_trap();
  for (std::size_t i = 0; i < again->size(); ++i) {
    if ((*again)[i].words != (*commands)[i].words || (*again)[i].json != (*commands)[i].json) {
      __builtin_trap();
    }
  }
  return 0;
}
