// A depth check run on scorecard YAML before yaml-cpp parses it. yaml-cpp
// parses recursively: Debian's 0.7.0 stops at about 500 levels, but with a
// bare "bad file" message, and only after using some 200 KB of stack, more than
// a small thread has. A scorecard needs fewer than 10 levels, so text nested
// deeper than a few dozen is refused here, cheaply and with a clear message.
#ifndef HEALTHSCORE_SERVER_CONFIG_YAML_DEPTH_H_
#define HEALTHSCORE_SERVER_CONFIG_YAML_DEPTH_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace healthscore {

// Deep enough for any scorecard (dimensions > name > params > rules > a rule
// is 6), shallow enough to parse in a few KB of stack.
inline constexpr int kMaxYamlDepth = 64;

// Returns INVALID_ARGUMENT, "<source>:<line>: nesting: more than <max_depth>
// levels deep; the limit is <max_depth> ...", when `text` nests collections
// (block mappings and sequences by indentation, "- - -" chains, flow [ ] and
// { }) deeper than `max_depth`. Quoted scalars, comments and block scalars
// (| and >) are skipped. It is not a YAML parser: odd layouts may count a
// level or two more than yaml-cpp would, never fewer for the forms above.
absl::Status CheckYamlDepth(absl::string_view text, absl::string_view source,
                            int max_depth = kMaxYamlDepth);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_CONFIG_YAML_DEPTH_H_
