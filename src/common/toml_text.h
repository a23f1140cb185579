// A check of TOML text before toml++ sees it (Debian's toml++ 3.3.0).
//
// TOML allows characters outside ASCII only inside strings and comments. A
// full-width space or 「 typed where a key belongs is a common slip in
// Japanese files, and it also reaches code paths of toml++ 3.3.0 that assert
// or misbehave, so every reader of TOML (the profile loader, the network
// check's address plan) reports it first, with its line.
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

namespace mamori {

// The 1-based line of the first character outside ASCII that is outside a
// string or comment, or 0 when there is none.
int LineOfNonAsciiOutsideStrings(std::string_view text);

}  // namespace mamori
