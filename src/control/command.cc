// The control socket's line parser: one request line into its ';'-separated commands.
//
// Pure and total: any byte string gives either commands or one error message, never a crash,
// which the fuzzer (tests/fuzz/control_fuzzer.cc) checks. There is no quoting, as in
// HAProxy's CLI for the verbs halo has: names and numbers never hold spaces or ';'.
#include "control/command.h"

#include <fmt/format.h>

namespace halo::control {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Splits one command (no ';' inside) into words; an empty command gives no words.
Result<std::vector<std::string>> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank(text[i])) ++i;
    if (i == text.size()) break;
    const std::size_t start = i;
    while (i < text.size() && !is_blank(text[i])) ++i;
    if (words.size() == kMaxWords) {
      return fail(fmt::format("too many words in one command (at most {})", kMaxWords));
    }
    words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

}  // namespace

Result<std::vector<Command>> parse_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kMaxLineBytes) {
    return fail(fmt::format("line longer than {} bytes", kMaxLineBytes));
  }
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return fail(
          fmt::format("control character 0x{:02x} at column {} (commands are text)", c, i + 1));
    }
  }
  std::vector<Command> commands;
  std::size_t start = 0;
  while (start <= line.size()) {
    auto end = line.find(';', start);
    if (end == std::string_view::npos) end = line.size();
    auto words = split_words(line.substr(start, end - start));
    if (!words) return tl::unexpected(words.error());
    if (!words->empty()) {
      Command command;
      command.words = std::move(*words);
      if (command.words.size() > 1 && command.words.back() == "json") {
        command.words.pop_back();
        command.json = true;
      }
      commands.push_back(std::move(command));
    }
    start = end + 1;
  }
  return commands;
}

}  // namespace halo::control
