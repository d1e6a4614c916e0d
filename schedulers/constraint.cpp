#include "schedulers/constraint.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "schedulers/knob_values.hpp"

namespace scxlab::schedulers {

struct ConstraintExpr::Node {
  struct Operand {
    std::string text;    // a knob name, a number literal, true or false
    bool count = false;  // count(text): how many items the knob has
  };
  enum class Kind { any_of, all_of, compare };
  Kind kind = Kind::compare;
  std::vector<Node> children;      // any_of / all_of
  std::vector<Operand> operands;   // compare
  std::vector<std::string> ops;    // compare: operands.size() - 1 operators
};

namespace {

using Node = ConstraintExpr::Node;
using Measure = ConstraintExpr::Measure;

bool is_name(const std::string& t) { return !t.empty() && (std::isalpha(static_cast<unsigned char>(t[0])) || t[0] == '_'); }
bool is_literal_name(const std::string& t) { return t == "true" || t == "false"; }
bool is_comparison(const std::string& t) {
  return t == "<" || t == "<=" || t == ">" || t == ">=" || t == "==" || t == "!=";
}

std::vector<std::string> tokenize(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (std::isalnum(c) || c == '_' || c == '.' || c == '-') {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.')) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    } else {
      const std::string two = s.substr(i, 2);
      if (two == "<=" || two == ">=" || two == "==" || two == "!=" || two == "&&" || two == "||") {
        out.push_back(two);
        i += 2;
      } else if (c == '<' || c == '>' || c == '(' || c == ')') {
        out.push_back(std::string(1, s[i]));
        ++i;
      } else {
        throw std::invalid_argument(fmt::format("unexpected character '{}' at position {}", s[i], i + 1));
      }
    }
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<std::string> tokens) : t_(std::move(tokens)) {}

  Node parse() {
    Node n = any_of();
    if (pos_ != t_.size()) fail("an operator or the end");
    return n;
  }

 private:
  const std::string& peek() const {
    static const std::string end;
    return pos_ < t_.size() ? t_[pos_] : end;
  }
  [[noreturn]] void fail(const std::string& expected) const {
    throw std::invalid_argument(fmt::format("expected {} at '{}'", expected, pos_ < t_.size() ? t_[pos_] : "end"));
  }
  Node any_of() { return chain(Node::Kind::any_of, "||", [this] { return all_of(); }); }
  Node all_of() { return chain(Node::Kind::all_of, "&&", [this] { return primary(); }); }

  template <typename Next>
  Node chain(Node::Kind kind, const std::string& op, Next next) {
    Node first = next();
    if (peek() != op) return first;
    Node n;
    n.kind = kind;
    n.children.push_back(std::move(first));
    while (peek() == op) {
      ++pos_;
      n.children.push_back(next());
    }
    return n;
  }

  Node primary() {
    if (peek() == "(") {
      ++pos_;
      Node n = any_of();
      if (peek() != ")") fail("')'");
      ++pos_;
      return n;
    }
    Node n;
    n.operands.push_back(operand());
    while (is_comparison(peek())) {
      n.ops.push_back(t_[pos_++]);
      n.operands.push_back(operand());
    }
    if (n.ops.empty()) fail("a comparison (<, <=, >, >=, ==, !=)");
    return n;
  }

  Node::Operand operand() {
    const std::string t = peek();
    if (t.empty() || t == "(" || t == ")" || t == "&&" || t == "||" || is_comparison(t)) {
      fail("a knob name, count(knob) or a number");
    }
    ++pos_;
    if (t != "count" || peek() != "(") return {t};
    ++pos_;
    const std::string name = peek();
    if (!is_name(name) || is_literal_name(name)) fail("a knob name in count( )");
    ++pos_;
    if (peek() != ")") fail("')'");
    ++pos_;
    return {name, true};
  }

  std::vector<std::string> t_;
  size_t pos_ = 0;
};

std::optional<double> value_of(const Node::Operand& o, const ConstraintExpr::Lookup& lookup) {
  if (o.count) return lookup({o.text, Measure::count});
  if (o.text == "true") return 1.0;
  if (o.text == "false") return 0.0;
  if (is_name(o.text)) return lookup({o.text, Measure::value});
  return std::stod(o.text);
}

bool compare(double a, const std::string& op, double b) {
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "==") return a == b;
  return a != b;
}

std::optional<bool> eval_node(const Node& n, const ConstraintExpr::Lookup& lookup) {
  if (n.kind == Node::Kind::compare) {
    std::vector<double> v;
    for (const auto& o : n.operands) {
      const auto x = value_of(o, lookup);
      if (!x) return std::nullopt;
      v.push_back(*x);
    }
    for (size_t i = 0; i < n.ops.size(); ++i) {
      if (!compare(v[i], n.ops[i], v[i + 1])) return false;
    }
    return true;
  }
  // any_of is decided by a true child, all_of by a false one; otherwise unknown children win.
  const bool decisive = n.kind == Node::Kind::any_of;
  bool unknown = false;
  for (const auto& c : n.children) {
    const auto r = eval_node(c, lookup);
    if (!r) unknown = true;
    else if (*r == decisive) return decisive;
  }
  if (unknown) return std::nullopt;
  return !decisive;
}

void collect_refs(const Node& n, std::vector<ConstraintExpr::Ref>& out) {
  for (const auto& o : n.operands) {
    if (!is_name(o.text) || (!o.count && is_literal_name(o.text))) continue;
    const ConstraintExpr::Ref r{o.text, o.count ? Measure::count : Measure::value};
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  for (const auto& c : n.children) collect_refs(c, out);
}

void check_numbers(const Node& n) {
  for (const auto& o : n.operands) {
    if (is_name(o.text)) continue;
    size_t used = 0;
    try {
      std::stod(o.text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != o.text.size()) throw std::invalid_argument(fmt::format("'{}' is neither a knob name nor a number", o.text));
  }
  for (const auto& c : n.children) check_numbers(c);
}

// An operand once the known values are in: a number, or a free knob.
struct Operand {
  std::optional<double> number;
  std::string knob;
};

Residual holds() { return {}; }
Residual fails() { return {Residual::Kind::fails, {}}; }

// Both must hold: every linear part of either is needed.
Residual both(Residual a, const Residual& b) {
  using Kind = Residual::Kind;
  if (a.kind == Kind::fails || b.kind == Kind::fails) return fails();
  const bool nonlinear = a.kind == Kind::nonlinear || b.kind == Kind::nonlinear;
  a.all_of.insert(a.all_of.end(), b.all_of.begin(), b.all_of.end());
  a.kind = nonlinear ? Kind::nonlinear : (a.all_of.empty() ? Kind::holds : Kind::linear);
  return a;
}

// One must hold: no linear part of either alone is needed.
Residual either(const Residual& a, const Residual& b) {
  using Kind = Residual::Kind;
  if (a.kind == Kind::holds || b.kind == Kind::holds) return holds();
  if (a.kind == Kind::fails) return b;
  if (b.kind == Kind::fails) return a;
  return {Kind::nonlinear, {}};
}

void add_term(LinearComparison& c, const Operand& o, double sign) {
  if (o.number) {
    c.bound -= sign * *o.number;
    return;
  }
  const auto it = std::find_if(c.terms.begin(), c.terms.end(), [&](const auto& t) { return t.first == o.knob; });
  if (it == c.terms.end()) c.terms.emplace_back(o.knob, sign);
  else if ((it->second += sign) == 0) c.terms.erase(it);
}

// One link "a op b" of a chain.
Residual link(const Operand& a, const std::string& op, const Operand& b) {
  if (a.number && b.number) return compare(*a.number, op, *b.number) ? holds() : fails();
  if (op == "!=") return {Residual::Kind::nonlinear, {}};
  if (op == "==") return both(link(a, "<=", b), link(b, "<=", a));
  if (op == ">" || op == ">=") return link(b, op == ">" ? "<" : "<=", a);
  LinearComparison c;  // a - b < or <= 0, the numbers on the right
  add_term(c, a, 1);
  add_term(c, b, -1);
  c.strict = op == "<";
  if (c.terms.empty()) return compare(0, op, c.bound) ? holds() : fails();
  return {Residual::Kind::linear, {std::move(c)}};
}

using IsFree = std::function<bool(const std::string&)>;

Residual residual_of(const Node& n, const IsFree& is_free, const ConstraintExpr::Lookup& known) {
  if (n.kind == Node::Kind::compare) {
    std::vector<Operand> v;
    for (const auto& o : n.operands) {
      if (!o.count && is_name(o.text) && !is_literal_name(o.text) && is_free(o.text)) {
        v.push_back({std::nullopt, o.text});
      } else if (const auto x = value_of(o, known)) {
        v.push_back({x, ""});
      } else {
        return holds();  // no value: the chain is unknown, which eval() lets pass
      }
    }
    Residual r = holds();
    for (size_t i = 0; i < n.ops.size(); ++i) r = both(std::move(r), link(v[i], n.ops[i], v[i + 1]));
    return r;
  }
  const bool any = n.kind == Node::Kind::any_of;
  Residual r = any ? fails() : holds();
  for (const auto& c : n.children) {
    auto child = residual_of(c, is_free, known);
    r = any ? either(r, child) : both(std::move(r), child);
  }
  return r;
}

}  // namespace

std::optional<double> constraint_value(const Manifest& m, const std::map<std::string, std::string>& values,
                                       const ConstraintExpr::Ref& ref) {
  const Knob* k = m.find_knob(ref.name);
  if (!k) return std::nullopt;
  const auto it = values.find(ref.name);
  const std::string& v = it != values.end() ? it->second : k->default_value;
  if (v.empty()) return std::nullopt;
  if (ref.measure == ConstraintExpr::Measure::count) return static_cast<double>(repeated_items(v).size());
  if (is_boolean(k->type)) return v == "true" ? 1.0 : 0.0;
  if (!is_numeric(k->type)) return std::nullopt;
  return std::stod(v);
}

ConstraintExpr ConstraintExpr::parse(const std::string& text) {
  Node root = Parser(tokenize(text)).parse();
  check_numbers(root);
  ConstraintExpr e;
  e.root_ = std::make_shared<const Node>(std::move(root));
  return e;
}

std::vector<ConstraintExpr::Ref> ConstraintExpr::refs() const {
  std::vector<Ref> out;
  collect_refs(*root_, out);
  return out;
}

std::vector<std::string> ConstraintExpr::names() const {
  std::vector<std::string> out;
  for (const auto& r : refs()) {
    if (std::find(out.begin(), out.end(), r.name) == out.end()) out.push_back(r.name);
  }
  return out;
}

std::optional<bool> ConstraintExpr::eval(const Lookup& lookup) const { return eval_node(*root_, lookup); }

Residual ConstraintExpr::residual(const std::function<bool(const std::string&)>& is_free, const Lookup& known) const {
  return residual_of(*root_, is_free, known);
}

}  // namespace scxlab::schedulers
