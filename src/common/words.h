// Operator-facing words for failure reasons, shared by the health checkers and the alert
// mailer: an I/O error as a phrase ("connection refused") and a timeout as a duration
// ("3 s", "500 ms", "1.5 s").
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>

namespace halo {

// The error's words with a lower-case initial: "connection refused", "no route to host".
std::string error_words(const boost::system::error_code& ec);

// Whole seconds as "3 s", less than a second as "500 ms", else "1.5 s" (milliseconds shown).
std::string duration_text(std::chrono::microseconds d);

}  // namespace halo
