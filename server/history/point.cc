// Recorded points: score -> row -> HistoryPoint.
#include "server/history/point.h"

#include <endian.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/config/scorecard.h"

namespace healthscore::history {

using google::protobuf::util::TimeUtil;

int64_t ToMicros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

std::string FormatMicros(int64_t micros) {
  const absl::Time t = absl::FromUnixMicros(micros);
  const absl::TimeZone utc = absl::UTCTimeZone();
  if (micros % (int64_t{86400} * 1000000) == 0) {
    return absl::FormatTime("%Y-%m-%d", t, utc);
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, utc);
}

SignalSet MakeSignalSet(std::span<const std::string> names) {
  v1::HistoryPoint holder;  // inputs[i].name only
  for (const std::string& name : names) holder.add_inputs()->set_name(name);
  SignalSet set;
  set.names_blob = holder.SerializeAsString();
  set.id = Sha256Hex(set.names_blob).substr(0, 32);
  return set;
}

absl::StatusOr<std::vector<std::string>> ParseSignalSet(
    absl::string_view names_blob) {
  v1::HistoryPoint holder;
  if (!holder.ParseFromArray(names_blob.data(),
                             static_cast<int>(names_blob.size()))) {
    return absl::DataLossError("a stored signal set does not parse");
  }
  std::vector<std::string> names;
  names.reserve(holder.inputs_size());
  for (const v1::SignalValue& s : holder.inputs()) names.push_back(s.name());
  return names;
}

std::string EncodeInputs(const std::string& set_id,
                         std::span<const double> values) {
  std::string out = set_id;
  out.resize(set_id.size() + values.size() * 8);
  char* at = out.data() + set_id.size();
  for (double v : values) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    bits = htole64(bits);
    std::memcpy(at, &bits, 8);
    at += 8;
  }
  return out;
}

std::string InputsSetId(absl::string_view encoded) {
  return std::string(encoded.substr(0, std::min<size_t>(32, encoded.size())));
}

absl::Status DecodeInputs(absl::string_view encoded,
                          const std::vector<std::string>& names,
                          v1::HistoryPoint& point) {
  if (encoded.empty()) return absl::OkStatus();
  if (encoded.size() != 32 + names.size() * 8) {
    return absl::DataLossError(
        absl::StrCat("the stored inputs of customer '", point.customer_id(),
                     "' hold ", encoded.size(), " bytes; their signal set of ",
                     names.size(), " names needs ", 32 + names.size() * 8));
  }
  const char* at = encoded.data() + 32;
  for (const std::string& name : names) {
    uint64_t bits;
    std::memcpy(&bits, at, 8);
    at += 8;
    bits = le64toh(bits);
    double v;
    std::memcpy(&v, &bits, 8);
    if (std::isnan(v)) continue;
    v1::SignalValue* s = point.add_inputs();
    s->set_name(name);
    s->set_value(v);
  }
  return absl::OkStatus();
}

store::PointRow MakePointRow(const v1::CustomerScore& score,
                             const std::string& set_id,
                             std::span<const double> values,
                             int64_t recorded_at_us) {
  v1::HistoryPoint point;
  point.set_customer_id(score.customer_id());
  point.set_segment(score.segment());
  *point.mutable_as_of() = score.as_of();
  point.set_score(score.score());
  point.set_band(score.band());
  point.set_grade(score.grade());
  point.set_coverage(score.coverage());
  point.set_variant(score.variant());
  for (const v1::DimensionResult& d : score.dimensions()) {
    v1::DimensionPoint* dp = point.add_dimensions();
    dp->set_name(d.name());
    dp->set_plugin(d.plugin());
    dp->set_status(d.status());
    dp->set_score(d.score());
    dp->set_weight(d.weight());
    dp->set_effective_weight(d.effective_weight());
    dp->set_contribution(d.contribution());
  }
  *point.mutable_gates() = score.gates();
  *point.mutable_provenance() = score.provenance();
  *point.mutable_recorded_at() = FromMicros(recorded_at_us);

  store::PointRow row;
  row.customer_id = score.customer_id();
  row.segment = score.segment();
  row.as_of_us = ToMicros(score.as_of());
  row.score = score.score();
  row.band = score.band();
  row.grade = score.grade();
  row.coverage = score.coverage();
  row.variant = score.variant();
  row.scorecard_hash = score.provenance().scorecard_hash();
  row.recorded_at_us = recorded_at_us;
  row.detail = point.SerializeAsString();
  // Apart: read only when a point is asked for in full.
  row.inputs = EncodeInputs(set_id, values);
  return row;
}

absl::StatusOr<v1::HistoryPoint> ReadPoint(const store::PointRow& row) {
  v1::HistoryPoint point;
  if (!row.detail.empty() && !point.ParseFromString(row.detail)) {
    return absl::DataLossError(
        absl::StrCat("the stored point of customer '", row.customer_id, "' at ",
                     FormatMicros(row.as_of_us), " does not parse"));
  }
  // The columns are the truth for what they hold.
  point.set_customer_id(row.customer_id);
  point.set_segment(row.segment);
  *point.mutable_as_of() = FromMicros(row.as_of_us);
  point.set_score(row.score);
  point.set_band(row.band);
  point.set_grade(row.grade);
  point.set_coverage(row.coverage);
  point.set_variant(row.variant);
  point.mutable_provenance()->set_scorecard_hash(row.scorecard_hash);
  *point.mutable_recorded_at() = FromMicros(row.recorded_at_us);
  return point;
}

}  // namespace healthscore::history
