// Checks shared by the HTML test (the file as written) and the browser test (the DOM after
// Chromium parsed it and ran its script): the numbers shown are the numbers of the analysis
// and of the store, exactly.
#pragma once

#include <string>

#include "reports/model.hpp"

namespace scxlab::test {

// Every results-table cell: data-* equal the analysis bit for bit, text equals its format.
// Returns the number of cells checked.
int check_results_tables(const std::string& html, const reports::ReportInput& in);

// Every strip plot holds one dot per counted repetition, with the stored value.
int check_strip_plots(const std::string& html, const reports::ReportInput& in);

// Every percentile table equals the stored histograms, pooled; every distribution has a
// curve per scheduler.
int check_distributions(const std::string& html, const reports::ReportInput& in);

// No URL, no external resource: nothing to fetch.
void check_self_contained(const std::string& html);

}  // namespace scxlab::test
