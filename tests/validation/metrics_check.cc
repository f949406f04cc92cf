// metrics_check: the backtest metrics of "risk,label" lines on stdin, for
// sklearn_check.py to compare with scikit-learn. Prints
//   auc <value>|error <message>
//   average_precision <value>|error <message>
//   brier <value>|error <message>
// with %.17g, and exits 1 if any metric failed, 2 on unreadable input.
//
// `metrics_check --bench N` instead times every metric on N generated points
// (integer health scores, so many ties) and prints the figures.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/validation/metrics.h"

namespace {

namespace validation = ::healthscore::validation;

// Parses "risk,label" lines; false (with a message) on the first bad line.
bool ReadPoints(std::istream& in, std::vector<double>& risk,
                std::vector<uint8_t>& label) {
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    const char* begin = line.data();
    const char* end = line.data() + line.size();
    double r = 0;
    auto [comma, ec] = std::from_chars(begin, end, r);
    int l = -1;
    bool ok = ec == std::errc() && comma != end && *comma == ',';
    if (ok) {
      auto [rest, ec2] = std::from_chars(comma + 1, end, l);
      ok = ec2 == std::errc() && rest == end && (l == 0 || l == 1);
    }
    if (!ok) {
      std::fprintf(stderr, "stdin:%d: want \"risk,label\" (label 0 or 1): %s\n",
                   line_number, line.c_str());
      return false;
    }
    risk.push_back(r);
    label.push_back(static_cast<uint8_t>(l));
  }
  return true;
}

// Prints "name value" or "name error message"; false on error.
bool Print(const char* name, const absl::StatusOr<double>& value) {
  if (!value.ok()) {
    std::printf("%s error %s\n", name,
                std::string(value.status().message()).c_str());
    return false;
  }
  std::printf("%s %.17g\n", name, *value);
  return true;
}

int Check() {
  std::vector<double> risk;
  std::vector<uint8_t> label;
  if (!ReadPoints(std::cin, risk, label)) return 2;
  bool ok = Print("auc", validation::Auc(risk, label));
  ok = Print("average_precision", validation::AveragePrecision(risk, label)) &&
       ok;
  ok = Print("brier", validation::Brier(risk, label)) && ok;
  return ok ? 0 : 1;
}

// Runs `f` and prints how long it took.
template <typename F>
void Time(const char* name, F f, double& total_ms) {
  const auto start = std::chrono::steady_clock::now();
  const bool ok = f();
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  total_ms += ms;
  std::printf("%-16s %8.1f ms%s\n", name, ms, ok ? "" : "  (failed)");
}

int Bench(long n) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> score_of(0, 100);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> scores(n), risk(n);
  std::vector<uint8_t> label(n);
  for (long i = 0; i < n; ++i) {
    scores[i] = score_of(rng);
    risk[i] = 1 - scores[i] / 100;
    // Churn is likelier at low scores, with noise.
    label[i] = unit(rng) < 0.05 + 0.3 * risk[i] ? 1 : 0;
  }
  std::printf("%ld points, integer scores 0-100\n", n);
  double total = 0;
  Time(
      "Auc", [&] { return validation::Auc(risk, label).ok(); }, total);
  Time(
      "AveragePrecision",
      [&] { return validation::AveragePrecision(risk, label).ok(); }, total);
  Time(
      "Brier", [&] { return validation::Brier(risk, label).ok(); }, total);
  Time(
      "TopDecileLift",
      [&] { return validation::TopDecileLift(risk, label).ok(); }, total);
  Time(
      "RocCurve", [&] { return validation::RocCurve(risk, label).ok(); },
      total);
  Time(
      "Calibration",
      [&] { return validation::Calibration(scores, label).ok(); }, total);
  Time(
      "Median", [&] { return validation::Median(risk).ok(); }, total);
  Time(
      "Wilson", [&] { return validation::Wilson(n / 7, n).high > 0; }, total);

  // Distinct values: every threshold is its own run.
  for (long i = 0; i < n; ++i) risk[i] = unit(rng);
  std::printf("%ld points, distinct risks\n", n);
  Time(
      "Auc", [&] { return validation::Auc(risk, label).ok(); }, total);
  Time(
      "AveragePrecision",
      [&] { return validation::AveragePrecision(risk, label).ok(); }, total);
  Time(
      "RocCurve", [&] { return validation::RocCurve(risk, label).ok(); },
      total);
  std::printf("%-16s %8.1f ms\n", "total", total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--bench") {
    const long n = std::strtol(argv[2], nullptr, 10);
    if (n <= 0) {
      std::fprintf(stderr, "--bench wants a positive point count\n");
      return 2;
    }
    return Bench(n);
  }
  if (argc != 1) {
    std::fprintf(stderr,
                 "usage: metrics_check < risk_label.csv\n"
                 "       metrics_check --bench N\n");
    return 2;
  }
  return Check();
}
