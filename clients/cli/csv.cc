// RFC 4180 record splitting and the portfolio (customers x signals) reader.
#include "clients/cli/csv.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/dates.h"

namespace healthscore::cli {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr absl::string_view kCustomerIdColumn = "customer_id";
constexpr absl::string_view kSegmentColumn = "segment";
constexpr absl::string_view kAsOfColumn = "as_of";
// Columns sent as the row's attributes (the account hierarchy), not signals.
constexpr absl::string_view kAttributeColumns[] = {"parent_id",
                                                   "contract_value"};

bool IsBlank(absl::string_view s) {
  return absl::StripAsciiWhitespace(s).empty();
}

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsvRecords(
    absl::string_view text, absl::string_view source) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    text.remove_prefix(kUtf8Bom.size());
  }
  std::vector<CsvRecord> records;
  CsvRecord record{.line = 1, .fields = {}};
  std::string field;
  bool in_quotes = false;
  bool after_quote = false;  // between a closing quote and the next separator
  bool any_quoted = false;   // the current record has a quoted field
  int line = 1;
  int quote_line = 0;

  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_record = [&] {
    // A line with nothing on it is skipped rather than read as a customer
    // with an empty id: trailing blank lines are common in edited files.
    const bool blank =
        record.fields.size() == 1 && IsBlank(record.fields[0]) && !any_quoted;
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord{.line = line, .fields = {}};
    any_quoted = false;
  };

  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      continue;
    }
    if (c == ',') {
      end_field();
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      ++line;
      end_record();
      continue;
    }
    if (after_quote) {
      if (c == ' ' || c == '\t') continue;
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", line,
          ": text after the closing quote of a field; a quoted field must end "
          "at a comma or the end of the line"));
    }
    if (c == '"' && IsBlank(field)) {
      // Spaces before an opening quote are dropped, as spreadsheets do. A
      // quote later in an unquoted field is kept as a literal character.
      field.clear();
      in_quotes = true;
      any_quoted = true;
      quote_line = line;
      continue;
    }
    field += c;
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", quote_line,
                     ": a quoted field is never closed (missing '\"')"));
  }
  // The last line may lack a line break.
  if (!field.empty() || after_quote || !record.fields.empty()) {
    end_field();
    end_record();
  }
  return records;
}

absl::StatusOr<Portfolio> ParsePortfolioCsv(absl::string_view text,
                                            absl::string_view source,
                                            PortfolioKind kind) {
  const bool timeline = kind == PortfolioKind::kTimeline;
  absl::StatusOr<std::vector<CsvRecord>> records =
      ParseCsvRecords(text, source);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the file is empty; expected a header row naming ",
        kCustomerIdColumn, ", optionally segment, and one column per signal"));
  }

  const CsvRecord& header = records->front();
  std::vector<std::string> columns;
  absl::flat_hash_map<std::string, int> column_index;
  int id_column = -1;
  int segment_column = -1;
  int as_of_column = -1;
  std::vector<int> attribute_columns;
  Portfolio portfolio;
  std::vector<int> signal_columns;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const int column = static_cast<int>(i);
    std::string name(absl::StripAsciiWhitespace(header.fields[i]));
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", header.line, ": column ", column + 1,
                       " of the header has no name"));
    }
    auto [it, inserted] = column_index.emplace(name, column);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", header.line, ": column ", column + 1, " (",
                       name, ") repeats the name of column ", it->second + 1,
                       "; every column name must be unique"));
    }
    if (name == kCustomerIdColumn) {
      id_column = column;
    } else if (name == kSegmentColumn) {
      segment_column = column;
    } else if (timeline && name == kAsOfColumn) {
      as_of_column = column;
    } else if (absl::c_linear_search(kAttributeColumns, name)) {
      attribute_columns.push_back(column);
    } else {
      signal_columns.push_back(column);
      portfolio.signal_names.push_back(name);
    }
    columns.push_back(std::move(name));
  }
  if (id_column < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", header.line, ": the header has no ", kCustomerIdColumn,
        " column (it has: ", absl::StrJoin(columns, ", "), ")"));
  }
  if (timeline && as_of_column < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", header.line, ": the header has no ", kAsOfColumn,
        " column (it has: ", absl::StrJoin(columns, ", "),
        "); a timeline has customer_id, segment, as_of, then the signals"));
  }
  // (customer_id, as_of) -> the line that has it.
  absl::flat_hash_map<std::pair<std::string, absl::Time>, int> points;

  portfolio.rows.reserve(records->size() - 1);
  portfolio.row_lines.reserve(records->size() - 1);
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    if (record.fields.size() != columns.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", record.line, ": the row has ", record.fields.size(),
          " cells; the header has ", columns.size()));
    }
    healthscore::v1::Row row;
    row.set_customer_id(
        std::string(absl::StripAsciiWhitespace(record.fields[id_column])));
    if (row.customer_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", record.line, ": ", kCustomerIdColumn, " is empty"));
    }
    if (segment_column >= 0) {
      row.set_segment(std::string(
          absl::StripAsciiWhitespace(record.fields[segment_column])));
    }
    for (int column : attribute_columns) {
      // An empty cell sends nothing: the stored value stays.
      const absl::string_view cell =
          absl::StripAsciiWhitespace(record.fields[column]);
      if (!cell.empty()) {
        (*row.mutable_attributes())[columns[column]] = std::string(cell);
      }
    }
    if (timeline) {
      const absl::string_view cell =
          absl::StripAsciiWhitespace(record.fields[as_of_column]);
      absl::StatusOr<absl::Time> as_of = ParseTime(cell);
      if (!as_of.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", record.line, ": column ",
                         as_of_column + 1, " (", kAsOfColumn, "): ",
                         cell.empty() ? "the cell is empty; every row needs "
                                        "one (2025-12-07 or "
                                        "2025-12-07T00:00:00Z)"
                                      : as_of.status().message()));
      }
      auto [it, inserted] =
          points.try_emplace({row.customer_id(), *as_of}, record.line);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", record.line, ": customer ", row.customer_id(), " at ",
            DisplayTime(*as_of), " is already on line ", it->second,
            "; a point is one customer at one time"));
      }
      portfolio.as_of.push_back(*as_of);
    }
    row.mutable_values()->Reserve(static_cast<int>(signal_columns.size()));
    for (int column : signal_columns) {
      absl::string_view cell =
          absl::StripAsciiWhitespace(record.fields[column]);
      if (cell.empty()) {
        row.add_values(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      double value = 0;
      if (!absl::SimpleAtod(cell, &value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", record.line, ": column ", column + 1, " (",
            columns[column], "): \"", cell, "\" is not a number"));
      }
      if (!std::isfinite(value)) {
        // NaN is how a batch says "missing", so a literal NaN in the file
        // would be silently read as missing; make the author say so.
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", record.line, ": column ", column + 1, " (",
            columns[column], "): \"", cell,
            "\" is not a finite number; leave the cell empty when the value "
            "is missing"));
      }
      row.add_values(value);
    }
    portfolio.rows.push_back(std::move(row));
    portfolio.row_lines.push_back(record.line);
  }
  return portfolio;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  return std::move(contents).str();
}

absl::StatusOr<Portfolio> ReadPortfolioCsv(const std::string& path,
                                           PortfolioKind kind) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParsePortfolioCsv(*text, path, kind);
}

}  // namespace healthscore::cli
