// The YAML depth check: one pass over the text, no recursion.
#include "server/config/yaml_depth.h"

#include <cstddef>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace healthscore {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

absl::Status CheckYamlDepth(absl::string_view text, absl::string_view source,
                            int max_depth) {
  std::vector<size_t> indents;  // columns of the open block collections
  int flow = 0;                 // open [ and {
  char quote = 0;               // inside a quoted scalar: ' or "
  // Inside a | or > block scalar: the indentation of the line that opened
  // it; its content is every following line indented further (or blank).
  std::ptrdiff_t block_scalar_indent = -1;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    size_t indent = 0;
    while (indent < line.size() && IsSpace(line[indent])) ++indent;
    const bool blank = indent == line.size();
    if (block_scalar_indent >= 0) {
      if (blank || static_cast<std::ptrdiff_t>(indent) > block_scalar_indent) {
        continue;
      }
      block_scalar_indent = -1;
    }
    const bool block_line = quote == 0 && flow == 0;
    if (block_line) {
      if (blank || line[indent] == '#') continue;
      while (!indents.empty() && indents.back() >= indent) indents.pop_back();
      indents.push_back(indent);
    }
    int dashes = 0;  // "- - x": sequences opened on this line
    auto too_deep = [&]() {
      return static_cast<int>(indents.size()) + dashes + flow > max_depth;
    };
    auto refuse = [&]() {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", line_number, ": nesting: more than ", max_depth,
          " levels deep; the limit is ", max_depth,
          " (a scorecard needs fewer than 10), so the text is refused before "
          "it is parsed"));
    };
    if (too_deep()) return refuse();
    // Whether a node may start here: only there do [ { ' " - ? | > act as
    // YAML indicators rather than as characters of a plain scalar.
    bool node_start = block_line || flow > 0;
    for (size_t i = block_line ? indent : 0; i < line.size(); ++i) {
      const char c = line[i];
      const bool space_after = i + 1 == line.size() || IsSpace(line[i + 1]);
      if (quote == '\'') {
        if (c == '\'') {
          if (i + 1 < line.size() && line[i + 1] == '\'') {
            ++i;  // '' is an escaped quote
          } else {
            quote = 0;
          }
        }
        continue;
      }
      if (quote == '"') {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quote = 0;
        }
        continue;
      }
      if (IsSpace(c)) continue;
      if (c == '#' && (i == 0 || IsSpace(line[i - 1]))) break;  // comment
      if (node_start) {
        if (c == '\'' || c == '"') {
          quote = c;
          node_start = false;
          continue;
        }
        if (c == '&' || c == '!') {  // an anchor or tag precedes the node
          while (i + 1 < line.size() && !IsSpace(line[i + 1])) ++i;
          continue;
        }
        if (flow == 0 && (c == '-' || c == '?') && space_after) {
          ++dashes;
          if (too_deep()) break;
          continue;
        }
        if (flow == 0 && (c == '|' || c == '>')) {
          block_scalar_indent = static_cast<std::ptrdiff_t>(indent);
          break;
        }
      }
      if (c == '[' || c == '{') {
        if (flow > 0 || node_start) {
          ++flow;
          if (too_deep()) break;
          node_start = true;
          continue;
        }
      } else if (flow > 0 && (c == ']' || c == '}')) {
        --flow;
        node_start = false;
        continue;
      } else if (flow > 0 && (c == ',' || c == ':')) {
        node_start = true;
        continue;
      } else if (flow == 0 && c == ':' && space_after) {
        node_start = true;  // a mapping value follows
        continue;
      }
      node_start = false;
    }
    if (too_deep()) return refuse();
  }
  return absl::OkStatus();
}

}  // namespace healthscore
