// The HTML report: one self-contained file (inline CSS, a little inline JS, SVG charts drawn
// here, the run's data embedded as JSON; nothing fetched from anywhere), readable when
// printed. Structure, top to bottom:
//   header     run, date, status, scxlab version, seed, baseline, host summary
//   summary    overall ranking with the headline calls behind each score; the method
//   warnings   trials left out (ejected, failed, ...), noisy metrics, harness notes
//   workloads  per workload: the results table (median [interval], change with ratio
//              interval and p-values, call, rank), every metric in a collapsed table, strip
//              plots of every repetition, latency percentile curves from the histograms,
//              metrics this host could not give and why
//   trials     every trial with its status and reason (stderr tail collapsed)
//   host       the full host fingerprint and plan
// Every number shown carries its exact value in a data-* attribute (data-median,
// data-ci-low, data-value, ...), and the text is reports/format.hpp's rendering of it.
#pragma once

#include <string>

#include "reports/model.hpp"

namespace scxlab::reports {

std::string render_html(const ReportInput& input);

// Renders and writes atomically (base::write_file_atomically); FileError names the path.
void write_html_report(const std::string& path, const ReportInput& input);

}  // namespace scxlab::reports
