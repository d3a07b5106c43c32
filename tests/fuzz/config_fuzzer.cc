// Fuzz target for the keepalived.conf reader: lexer, parser, keyword tables, validation and
// both dumps, on arbitrary bytes.
//
// Properties checked, beyond "never crash, never hang, never leak" (the sanitizers' part):
//   - rendering the diagnostics of any input works; the JSON dump is valid JSON;
//   - a configuration that loads with no error at all dumps (keepalived syntax) to text that
//     loads again with no error and gives an equal model: parse -> dump -> parse is the
//     identity on clean configurations. A failure traps, so libFuzzer keeps the input.
//
// The lexer stops expansion (~SEQ, ~LST, multi-line definitions) after 5,000,000 lines by
// default, which takes minutes under the sanitizers; the fuzzer lowers the limit to 20,000
// lines (LoadOptions::max_expanded_lines), so one `~SEQ(i, 1, 9999999)` costs milliseconds.
//
// `include` reads files. To keep fuzzing harmless the target refuses inputs with an include
// line whose pattern names a directory ('/'); every other pattern is relative to the current
// directory, and the fuzzer is run from an empty temporary directory (see README.md), so it
// matches nothing. With g++ this file is linked with replay_main.cc into config_fuzz_replay,
// which runs a corpus through the same entry point.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "config/dump.h"
#include "config/load.h"

namespace {

using halo::config::LoadOptions;

bool fake_interface_exists(std::string_view name) {
  return name == "eth0" || name == "eth1" || name == "eth2" || name == "eth3" || name == "lo";
}

LoadOptions fuzz_options() {
  LoadOptions o;
  o.config_id = "fuzz";  // fixed: the host name would make @conditionals machine-dependent
  o.keywords = halo::config::KeywordMode::Strict;
  o.interface_exists = fake_interface_exists;
  o.max_expanded_lines = 20'000;  // see above
  return o;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// True when some line is an include (include, includer, includem, ...) of a pattern with a
// '/', which could reach files outside the current directory. Errs on the side of refusing.
bool includes_paths(std::string_view text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (line.starts_with("include") && line.find('/') != std::string_view::npos) return true;
  }
  return false;
}

// A broken property: says which, shows the dump and the diagnostics, and traps so libFuzzer
// (or the replay test) stops here with the input saved.
[[noreturn]] void fail(const char* what, const halo::config::Loaded& loaded,
                       const std::string& dumped) {
  std::fprintf(stderr, "config_fuzzer: %s\n--- dump ---\n%s\n--- diagnostics ---\n%s", what,
               dumped.c_str(), loaded.diagnostics.render(loaded.sources).c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (includes_paths(text)) return -1;  // not added to the corpus

  static const LoadOptions options = fuzz_options();
  const auto first = halo::config::load_text("fuzz.conf", text, options);
  const std::string rendered = first.diagnostics.render(first.sources);
  (void)halo::config::config_test_exit_code(first.diagnostics);

  const std::string dumped = halo::config::dump_keepalived(*first.config);
  const std::string json = halo::config::dump_json(*first.config);
  const auto second = halo::config::load_text("dump.conf", dumped, options);

  if (!first.diagnostics.has_errors()) {
    // The dump of a clean configuration must load cleanly and mean the same.
    if (second.diagnostics.has_errors())
      fail("the dump of a clean config has errors", second, dumped);
    if (!(*first.config == *second.config))
      fail("the dump reloads to a different model", second, dumped);
    // And dumping is then a fixed point.
    if (halo::config::dump_keepalived(*second.config) != dumped) {
      fail("dumping the reloaded model gives different text", second, dumped);
    }
  }
  // The JSON dump is JSON, whatever the input.
  // Valid UTF-8 too: boost::json::parse rejects anything else.
  boost::system::error_code ec;
  (void)boost::json::parse(json, ec);
  if (ec) fail(("the JSON dump does not parse: " + ec.message()).c_str(), first, json);
  (void)rendered;
  return 0;
}
