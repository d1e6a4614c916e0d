#include "workloads/measurements.hpp"

#include <nlohmann/json.hpp>

namespace scxlab::workloads {

std::string encode(const Measurements& m) {
  auto metrics = nlohmann::json::array();
  for (const auto& x : m.metrics) {
    metrics.push_back({{"name", x.name}, {"value", x.value}, {"unit", x.unit}, {"direction", to_string(x.direction)}});
  }
  auto histograms = nlohmann::json::array();
  for (const auto& h : m.histograms) {
    auto buckets = nlohmann::json::array();
    for (const auto& [i, c] : h.hist.nonzero_buckets()) buckets.push_back({i, c});
    histograms.push_back({{"name", h.name}, {"unit", h.unit}, {"buckets", buckets}});
  }
  return nlohmann::json{{"metrics", metrics}, {"histograms", histograms}}.dump();
}

std::string encode_failure(const std::string& reason) { return nlohmann::json{{"error", reason}}.dump(); }

Measurements decode(const std::string& payload) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(payload);
  } catch (const std::exception&) {
    throw WorkloadFailure(payload.empty() ? "the workload process ended without a result"
                                          : "the workload process sent an unreadable result");
  }
  if (j.contains("error")) throw WorkloadFailure(j["error"].get<std::string>());
  Measurements m;
  for (const auto& x : j.at("metrics")) {
    m.metrics.push_back({x.at("name"), x.at("value"), x.at("unit"),
                         direction_from_string(x.at("direction").get<std::string>()).value_or(Direction::informational),
                         "workload"});
  }
  for (const auto& h : j.at("histograms")) {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;
    for (const auto& b : h.at("buckets")) buckets.emplace_back(b.at(0), b.at(1));
    m.histograms.push_back({h.at("name"), h.at("unit"), stats::LogLinearHistogram::from_buckets(buckets)});
  }
  return m;
}

}  // namespace scxlab::workloads
