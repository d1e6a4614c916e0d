// The tune report: the recommendation first (verdict, validated change, knob values next to
// their defaults, snippets to copy), then how the search converged, what each knob did, every
// explored configuration, how evaluations failed, and the A/B validation as distributions.
// The evaluations are configurations of one search, never "schedulers": they appear only as
// numbered evaluations. Reads the run's outcome ({"tune": ...}, harness/recommendation.hpp's
// tune_outcome_json); an interrupted tune has none and says so.
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "reports/charts.hpp"
#include "reports/format.hpp"
#include "reports/html_parts.hpp"

namespace scxlab::reports {
namespace {

using namespace html_detail;
constexpr std::size_t kEffectCharts = 3;  // partial dependence drawn for the most important knobs

const nlohmann::json& tune_of(const ReportInput& in) {
  static const nlohmann::json none = nlohmann::json::object();
  return in.run.outcome.is_object() && in.run.outcome.contains("tune") ? in.run.outcome["tune"] : none;
}

std::string text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();  // a knob's integer value exactly as set
  if (v.is_number()) return format_number(v.get<double>());
  return v.is_null() ? "" : v.dump();
}

std::optional<double> number(const nlohmann::json& v) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  return std::isfinite(d) ? std::optional(d) : std::nullopt;
}

const nlohmann::json& options_of(const ReportInput& in) {
  static const nlohmann::json none = nlohmann::json::object();
  return in.run.plan.is_object() && in.run.plan.contains("options") ? in.run.plan["options"] : none;
}

// What the search optimised: the outcome's objective, else the option asked for, else the
// validation's headline metric.
std::string objective_of(const ReportInput& in) {
  const auto& t = tune_of(in);
  if (t.contains("objective")) return t["objective"].get<std::string>();
  const auto& o = options_of(in);
  for (const char* key : {"minimize", "maximize"}) {
    if (!o.value(key, std::string()).empty()) return o[key].get<std::string>();
  }
  for (const auto& w : in.analysis.workloads) {
    const auto columns = column_metrics(w);
    if (!columns.empty()) return columns.front();
  }
  return "";
}

bool lower_is_better(const ReportInput& in) {
  const auto& t = tune_of(in);
  // Stored as to_string(Direction): "lower" (comparing with "lower_is_better" made every tune
  // with a stored direction read as maximised, its best-so-far line tracking the worst).
  if (t.contains("direction")) return direction_from_string(t["direction"].get<std::string>()) == Direction::lower_is_better;
  return options_of(in).value("maximize", std::string()).empty();
}

std::optional<double> metric_of(const store::TrialRecord& t, const std::string& name) {
  for (const auto& m : t.metrics) {
    if (m.name == name && std::isfinite(m.value)) return m.value;
  }
  return std::nullopt;
}

std::string unit_of(const ReportInput& in, const std::string& metric) {
  for (const auto& t : in.trials) {
    for (const auto& m : t.metrics) {
      if (m.name == metric) return m.unit;
    }
  }
  return "";
}

std::vector<const store::TrialRecord*> evaluations(const ReportInput& in) {
  std::vector<const store::TrialRecord*> out;
  for (const auto& t : in.trials) {
    if (t.kind == store::TrialKind::tune && t.status != store::TrialStatus::interrupted) out.push_back(&t);
  }
  return out;
}

std::string what_was_tuned(const ReportInput& in) {
  const auto& o = options_of(in);
  if (!o.value("command", std::string()).empty()) {
    return fmt::format("the knobs of {} in the command {}", o.value("space_file", std::string("a space file")),
                       o["command"].get<std::string>());
  }
  return fmt::format("the knobs of {} on {}", o.value("scheduler", std::string("?")),
                     o.value("workload", std::string("?")));
}

std::string plan_line(const ReportInput& in) {
  const auto evals = evaluations(in);
  std::size_t validation = 0;
  for (const auto& t : in.trials) validation += t.kind == store::TrialKind::validate ? 1 : 0;
  const auto& o = options_of(in);
  return fmt::format("{} evaluation{} of a budget of {}, then {} validation trial{} of the default against the tuned "
                     "configuration, interleaved",
                     evals.size(), evals.size() == 1 ? "" : "s", o.value("budget", 0), validation,
                     validation == 1 ? "" : "s");
}

std::string header(const ReportInput& in) {
  const auto& r = in.run;
  const auto objective = objective_of(in);
  return "<header><h1>scxlab tune report</h1>" +
         facts({{"Tuned", what_was_tuned(in)},
                {"Objective", fmt::format("{} ({})", objective, lower_is_better(in) ? "minimised" : "maximised")},
                {"Plan", plan_line(in)},
                {"Run", r.uuid},
                {"Date", r.created_utc},
                {"Status", r.status},
                {"scxlab version", r.scxlab_version},
                {"Seed", std::to_string(r.seed)},
                {"Host", host_summary(r.host)}}) +
         "</header>";
}

std::string nav() {
  std::string items;
  const std::pair<const char*, const char*> sections[] = {
      {"recommendation", "Recommendation"}, {"convergence", "Convergence"}, {"effects", "Knob effects"},
      {"explored", "Explored configurations"}, {"validation", "Validation"}, {"warnings", "Warnings and notes"},
      {"trials", "Trials"}, {"host", "Host and plan"}};
  for (const auto& [id, title] : sections) items += fmt::format("<li><a href=\"#{}\">{}</a></li>", id, title);
  return "<nav aria-label=\"Contents\"><ul>" + items + "</ul></nav>";
}

// `recommended`: the tuned values are the recommendation; otherwise they are only the best
// the search found, and the table says so (the verdict above keeps the default).
std::string knob_table(const nlohmann::json& knobs, bool recommended) {
  std::string body;
  for (const auto& k : knobs) {
    const auto value = text_of(k.value("value", nlohmann::json())), def = text_of(k.value("default", nlohmann::json()));
    const bool changed = value != def;
    body += fmt::format("<tr data-knob=\"{0}\" class=\"{1}\"><th scope=\"row\"><code>{0}</code></th><td>{2}</td>"
                        "<td>{3}</td><td>{4}</td></tr>",
                        esc(k.value("name", std::string())), changed ? "changed" : "", esc(value), esc(def),
                        changed ? "changed" : "as default");
  }
  const char* caption = recommended ? "Every knob of the space: the recommended value next to its default"
                                    : "Every knob of the space: the best configuration the search found (not "
                                      "recommended: it did not validate) next to the default";
  return fmt::format("<div class=\"table-wrap\"><table class=\"knobs\"><caption>{}</caption><thead><tr><th "
                     "scope=\"col\">Knob</th><th scope=\"col\">{}</th><th scope=\"col\">Default</th><th scope=\"col\">"
                     "</th></tr></thead><tbody>",
                     caption, recommended ? "Recommended" : "Best found") +
         body + "</tbody></table></div>";
}

std::string snippets(const nlohmann::json& use) {
  const std::pair<const char*, const char*> kinds[] = {{"command", "Command line"},
                                                       {"etc_default_scx", "/etc/default/scx"},
                                                       {"scx_loader", "scx_loader configuration (TOML)"},
                                                       {"shootout", "Compare it again with scxlab"}};
  std::string out;
  for (const auto& [key, title] : kinds) {
    const auto text = use.value(key, std::string());
    if (!text.empty())
      out += fmt::format("<figure class=\"snippet\" data-use=\"{}\"><figcaption>{}</figcaption><pre><code>{}</code>"
                         "</pre></figure>",
                         key, title, esc(text));
  }
  return out;
}

std::string recommendation(const ReportInput& in) {
  const auto& t = tune_of(in);
  std::string out = "<section id=\"recommendation\" aria-labelledby=\"recommendation-h\"><h2 id=\"recommendation-h\">"
                    "Recommendation</h2>";
  if (!t.contains("verdict")) {
    return out + "<p class=\"verdict\">No recommendation: the tune did not finish (status " + esc(in.run.status) +
           "). Resume it with <code>scxlab tune --resume DIR</code>; what it explored so far is below.</p></section>";
  }
  const bool recommend = t.value("recommend", false);
  out += fmt::format("<p class=\"verdict {}\" data-recommend=\"{}\"><strong>{}</strong></p>",
                     recommend ? "better" : "keep", recommend ? "yes" : "no", esc(t["verdict"].get<std::string>()));
  if (t.contains("validation")) {
    const auto& v = t["validation"];
    out += fmt::format("<p class=\"validated-change\" data-call=\"{}\">Validated change of {}, tuned against the "
                       "default: {} <span class=\"muted\">({})</span></p>",
                       esc(v.value("call", std::string())), esc(objective_of(in)), esc(v.value("text", std::string())),
                       esc(v.value("reason", std::string())));
  }
  if (const auto bounds = t.value("bounds", std::vector<std::string>{}); !bounds.empty())
    out += "<ul class=\"bounds\">" + list_items(bounds) + "</ul>";
  out += knob_table(t.value("knobs", nlohmann::json::array()), recommend);
  if (recommend) out += snippets(t.value("use", nlohmann::json::object()));
  return out + "</section>";
}

// The objective of each evaluation (from the store), feasibility from the search's trace,
// the best feasible so far.
ConvergenceChart convergence(const ReportInput& in, const std::string& objective) {
  const auto& trace = tune_of(in).value("trace", nlohmann::json::array());
  const bool lower = lower_is_better(in);
  ConvergenceChart c;
  std::optional<double> best;
  for (const auto* t : evaluations(in)) {
    ConvergenceChart::Point p{t->seq + 1, t->status == store::TrialStatus::ok ? metric_of(*t, objective) : std::nullopt, true, best};
    for (const auto& tp : trace) {
      if (tp.value("index", 0) == p.index) p.feasible = tp.value("feasible", true) && tp.value("ok", true);
    }
    if (p.value && p.feasible && (!best || (lower ? *p.value < *best : *p.value > *best))) best = p.value;
    p.best = best;
    if (t->seq == 0 && p.value) c.default_level = p.value;
    c.points.push_back(p);
  }
  for (const auto& w : in.analysis.workloads) {
    for (const auto& s : w.schedulers) {
      if (s.scheduler != "tuned") continue;
      if (const auto* m = find_metric(s, objective)) c.validated = m->summary;
    }
  }
  return c;
}

std::string direction_words(const ReportInput& in) { return lower_is_better(in) ? "lower is better" : "higher is better"; }

std::string axis_unit(const ReportInput& in, const std::string& objective) {
  const auto unit = unit_of(in, objective);
  return fmt::format("{}{} ({})", objective, unit.empty() ? "" : " (" + unit + ")", direction_words(in));
}

std::string convergence_section(const ReportInput& in) {
  const auto objective = objective_of(in);
  const ChartText text{"convergence", fmt::format("{} of each evaluation, and the best so far", objective),
                       axis_unit(in, objective)};
  return fmt::format("<section id=\"convergence\" aria-labelledby=\"convergence-h\"><h2 id=\"convergence-h\">"
                     "Convergence</h2><figure class=\"convergence\">{}<figcaption>{} ({}) of each evaluation in the "
                     "order the search ran them: dots measured, open dots broke a bound, &#215; failed or refused; "
                     "the line is the best feasible so far; dashed: the default configuration (evaluation 1); the "
                     "band at the right: the validated tuned configuration's median and 95% interval.</figcaption>"
                     "</figure></section>",
                     convergence_svg(text, convergence(in, objective)), esc(objective), direction_words(in));
}

// Each measured evaluation's objective against its value of `knob`, on the effect's scale
// (a categorical knob's value is the index of its label).
std::vector<std::pair<double, double>> evaluation_points(const ReportInput& in, const std::string& knob,
                                                         const std::string& objective,
                                                         const std::vector<std::string>& labels) {
  std::vector<std::pair<double, double>> out;
  for (const auto* t : evaluations(in)) {
    std::optional<double> value;
    if (t->status == store::TrialStatus::ok) value = metric_of(*t, objective);
    const auto& tuner = t->scheduler_config.value("tuner", nlohmann::json::object());
    if (!value || !tuner.contains(knob)) continue;
    const auto& k = tuner[knob];
    if (k.is_number()) {
      out.emplace_back(k.get<double>(), *value);
    } else {
      const auto label = text_of(k);
      const auto it = std::find(labels.begin(), labels.end(), label);
      if (it != labels.end()) out.emplace_back(static_cast<double>(it - labels.begin()), *value);
    }
  }
  return out;
}

std::vector<double> numbers_of(const nlohmann::json& a) {
  std::vector<double> out;
  for (const auto& v : a) out.push_back(number(v).value_or(NAN));
  return out;
}

std::string effect_figure(const ReportInput& in, const nlohmann::json& e, std::size_t index) {
  const auto objective = objective_of(in);
  const auto knob = e.value("knob", std::string());
  EffectChart chart{numbers_of(e.value("at", nlohmann::json::array())), numbers_of(e.value("mean", nlohmann::json::array())),
                    numbers_of(e.value("low", nlohmann::json::array())), numbers_of(e.value("high", nlohmann::json::array())),
                    e.value("labels", std::vector<std::string>{}), {}};
  // Categorical labels name the choices by index; the chart's positions are those indexes.
  chart.evaluations = evaluation_points(in, knob, objective, chart.labels);
  const ChartText text{fmt::format("effect-{}", index), knob, axis_unit(in, objective)};
  return fmt::format("<figure class=\"effect\" data-knob=\"{}\">{}<figcaption>{} against <code>{}</code>: the line is "
                     "the model's mean with the other knobs as evaluated (partial dependence), the band its 95% "
                     "range; dots: each measured evaluation.</figcaption></figure>",
                     esc(knob), effect_svg(text, chart), esc(objective), esc(knob));
}

std::string effects_section(const ReportInput& in) {
  const auto& t = tune_of(in);
  std::string out = "<section id=\"effects\" aria-labelledby=\"effects-h\"><h2 id=\"effects-h\">Knob effects</h2>";
  const auto& importance = t.value("importance", nlohmann::json::array());
  if (importance.empty()) return out + "<p>No model was fitted (too few measured evaluations).</p></section>";
  std::string rows;
  for (const auto& k : importance) {
    const double share = number(k.value("share", nlohmann::json())).value_or(0);
    rows += fmt::format("<tr data-knob=\"{0}\"><th scope=\"row\"><code>{0}</code></th><td class=\"num\" "
                        "data-share=\"{1}\">{2}</td><td><span class=\"bar\" style=\"width:{3:.0f}%\"></span></td></tr>",
                        esc(k.value("knob", std::string())), exact(share), format_percent(share), 100 * share);
  }
  out += "<div class=\"table-wrap\"><table class=\"importance\"><caption>Importance: each knob's share of the model's "
         "sensitivity (from its length-scales); a knob with a small share barely moved the objective</caption>"
         "<thead><tr><th scope=\"col\">Knob</th><th scope=\"col\">Share</th><th scope=\"col\"></th></tr></thead><tbody>" +
         rows + "</tbody></table></div>";
  const auto& effects = t.value("effects", nlohmann::json::array());
  for (std::size_t i = 0; i < effects.size() && i < kEffectCharts; ++i) out += effect_figure(in, effects[i], i);
  return out + "</section>";
}

std::vector<std::string> knob_names(const std::vector<const store::TrialRecord*>& evals) {
  std::vector<std::string> names;
  for (const auto* t : evals) {
    const auto tuner = t->scheduler_config.value("tuner", nlohmann::json::object());
    for (const auto& [k, v] : tuner.items()) {
      if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
    }
  }
  return names;
}

std::string explored_row(const store::TrialRecord& t, const std::vector<std::string>& knobs,
                         const std::string& objective) {
  const auto& tuner = t.scheduler_config.value("tuner", nlohmann::json::object());
  std::string cells;
  for (const auto& k : knobs) cells += "<td>" + esc(tuner.contains(k) ? text_of(tuner[k]) : "") + "</td>";
  const auto value = t.status == store::TrialStatus::ok ? metric_of(t, objective) : std::nullopt;
  const auto value_cell = value ? fmt::format("<td class=\"num\" data-value=\"{}\">{}</td>", exact(*value),
                                              format_number(*value))
                                : std::string("<td class=\"num missing\" data-value=\"\">&ndash;</td>");
  const bool refused = t.reason.rfind("not run: ", 0) == 0;
  const auto outcome = t.status == store::TrialStatus::ok ? std::string("measured") : refused ? "refused before running" : std::string(to_string(t.status));
  return fmt::format("<tr class=\"{}\" data-evaluation=\"{}\"><td class=\"num\" data-value=\"{}\">{}</td><td>{}</td>{}{}"
                     "<td class=\"status-{}\">{}</td><td class=\"reason\">{}</td></tr>",
                     t.status == store::TrialStatus::ok ? "" : "left-out", t.seq + 1, t.seq + 1, t.seq + 1,
                     esc(t.scheduler_config.value("proposed_because", std::string())), cells, value_cell,
                     esc(std::string(to_string(t.status))), esc(outcome), esc(t.reason));
}

std::string explored_section(const ReportInput& in) {
  const auto evals = evaluations(in);
  const auto knobs = knob_names(evals);
  const auto objective = objective_of(in);
  std::string head = "<th scope=\"col\" data-sort=\"number\">#</th><th scope=\"col\">proposed because</th>";
  for (const auto& k : knobs) head += "<th scope=\"col\"><code>" + esc(k) + "</code></th>";
  head += fmt::format("<th scope=\"col\" data-sort=\"number\">{} ({})</th><th scope=\"col\">outcome</th>"
                      "<th scope=\"col\">reason</th>",
                      esc(objective), direction_words(in));
  std::string body;
  for (const auto* t : evals) body += explored_row(*t, knobs, objective);
  std::string out = fmt::format(
      "<section id=\"explored\" aria-labelledby=\"explored-h\"><h2 id=\"explored-h\">Explored configurations</h2>"
      "<p>Every evaluation of the search, evaluation 1 being the default configuration. Sort by a column with its "
      "button.</p><div class=\"table-wrap\"><table class=\"explored sortable\"><caption>{} evaluations: knob values "
      "and {}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
      evals.size(), esc(objective), head, body);
  const auto lines = tune_of(in).value("evaluation_lines", std::vector<std::string>{});
  if (!lines.empty()) out += "<h3>How the evaluations ended</h3><ul class=\"evaluation-outcomes\">" + list_items(lines) + "</ul>";
  return out + "</section>";
}

std::string validation_section(const ReportInput& in) {
  const Colors colors(in);
  std::string out = "<section id=\"validation\" aria-labelledby=\"validation-h\"><h2 id=\"validation-h\">Validation"
                    "</h2><p>The default and the tuned configuration in interleaved A/B rounds: the evidence behind "
                    "the recommendation.</p>";
  if (in.analysis.workloads.empty()) return out + "<p>No validation trial was measured.</p></section>";
  for (std::size_t i = 0; i < in.analysis.workloads.size(); ++i) out += workload_section(in, i, colors);
  return out + "</section>";
}

}  // namespace

bool is_tune_report(const ReportInput& in) { return in.run.kind == "tune"; }

std::string render_tune_html(const ReportInput& in) {
  std::string out = page_open(in) + header(in) + nav() + "<main id=\"main\">";
  out += recommendation(in) + convergence_section(in) + effects_section(in) + explored_section(in);
  out += validation_section(in) + warnings_section(in) + trials_section(in) + host_section(in) + "</main>";
  return out + page_close(in);
}

}  // namespace scxlab::reports
