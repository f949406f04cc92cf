// Recorded points: score -> row -> HistoryPoint.
#include "server/history/point.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

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

store::PointRow MakePointRow(const v1::CustomerScore& score,
                             const RowInputs& inputs, int64_t recorded_at_us) {
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
  // The inputs apart: read only when a point is asked for in full. Both
  // halves are HistoryPoint messages, so parsing one and merging the other
  // gives the whole point.
  v1::HistoryPoint inputs_only;
  for (size_t i = 0; i < inputs.names.size() && i < inputs.values.size(); ++i) {
    if (std::isnan(inputs.values[i])) continue;
    v1::SignalValue* s = inputs_only.add_inputs();
    s->set_name(inputs.names[i]);
    s->set_value(inputs.values[i]);
  }
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
  row.inputs = inputs_only.SerializeAsString();
  return row;
}

absl::StatusOr<v1::HistoryPoint> ReadPoint(const store::PointRow& row,
                                           bool full) {
  v1::HistoryPoint point;
  if ((!row.detail.empty() && !point.ParseFromString(row.detail)) ||
      (full && !row.inputs.empty() && !point.MergeFromString(row.inputs))) {
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
  if (!full) point.clear_inputs();
  return point;
}

}  // namespace healthscore::history
