// Everything the harness needs from the reports library: the analysis input derived from
// stored trials, the terminal table, the HTML report and the analysis as JSON.
#pragma once

#include "reports/format.hpp"
#include "reports/html.hpp"
#include "reports/model.hpp"
#include "reports/terminal.hpp"
