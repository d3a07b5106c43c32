// The control socket's protocol, and the parser of its command lines. Pure.
//
// Protocol (HAProxy's CLI, which operators already script against):
//   - The client sends lines ending in '\n'. A line holds one or more commands separated by
//     ';'. A command is words separated by spaces or tabs; the first word is the verb.
//   - Each command's reply is zero or more lines followed by one empty line. A failed command
//     replies with a line starting "error: " (`reload` adds one line per configuration error
//     after it), then the empty line. JSON forms (a last word `json`) reply with one line of
//     JSON.
//   - Without `prompt`, the server closes the connection after answering the first line (so
//     `echo 'show info' | socat - UNIX-CONNECT:/run/halo/halo.sock` works; a last line
//     without its '\n' before the client's EOF counts). `prompt` turns on interactive mode:
//     the connection stays open and the replies to each line are followed by "> " (`prompt`
//     itself replies with nothing but that, as HAProxy's does; an empty line just prompts).
//     `quit` closes it.
//   - Lines are bounded (kMaxLineBytes): a longer one gets an error line and the connection
//     is closed. Control characters other than tab (binary input) are refused with an error
//     line; the connection stays usable.
//   - `show events follow` turns the connection into a stream of event lines (JSON, one per
//     line) until the client closes it (its EOF: a client must keep its sending side open).
//   - The server itself may say, before closing: "closing: …" (idle timeout, evicted to admit
//     a newcomer, command deadline) or, to a newcomer it cannot admit, "busy: …".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace halo::control {

inline constexpr std::size_t kMaxLineBytes = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxWords = 32;

struct Command {
  std::vector<std::string> words;  // never empty
  bool json = false;               // the last word was `json` (removed from `words`)

  const std::string& verb() const { return words.front(); }
};

// One line (without its '\n'; a trailing '\r' is ignored) into its commands. Empty commands
// (";;", a blank line) are skipped. Errors: control characters, more than kMaxWords words.
Result<std::vector<Command>> parse_line(std::string_view line);

}  // namespace halo::control
