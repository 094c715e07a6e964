// Einsum equation parsing shared by the Einsum schema and reference kernel: explicit ("ij,jk->ik")
// and implicit ("ij,jk") outputs, ellipsis "...", repeated labels (diagonals), any operand count.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/tensor.h"

namespace fs::nn {

// Labels are ids: a letter is its character code (< 128); the e-th of the broadcast (ellipsis)
// dims, counted right-aligned over all operands, is kEllipsisLabel + e.
constexpr int kEllipsisLabel = 128;

struct EinsumSpec {
  std::vector<std::vector<int>> inputs;  // per operand: one label per dim
  std::vector<int> output;               // one label per output dim
  std::map<int, int64_t> size;           // every label's extent (after broadcasting size-1 dims)
};

namespace einsum_detail {

// Splits a term into letters and at most one "...", returning the letters and the ellipsis position
// (-1 when absent).
inline std::vector<int> parse_term(const Node& n, const std::string& term, int& ellipsis_at) {
  std::vector<int> labels;
  ellipsis_at = -1;
  for (size_t i = 0; i < term.size();) {
    char ch = term[i];
    if (ch == '.') {
      if (term.compare(i, 3, "...") != 0 || ellipsis_at >= 0)
        n.fail_attr("equation", "malformed ellipsis in term '" + term + "'");
      ellipsis_at = static_cast<int>(labels.size());
      i += 3;
      continue;
    }
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
      n.fail_attr("equation", std::string("unexpected character '") + ch + "' in term '" + term + "'");
    labels.push_back(ch);
    ++i;
  }
  return labels;
}

}  // namespace einsum_detail

inline EinsumSpec parse_einsum(const Node& n, const std::vector<Shape>& shapes) {
  std::string eq;
  for (char ch : n.attr_string("equation", "")) {
    if (ch != ' ') eq += ch;
  }
  if (!n.has_attr("equation")) n.fail_attr("equation", "required attribute is missing");
  size_t arrow = eq.find("->");
  bool explicit_out = arrow != std::string::npos;
  std::string lhs = explicit_out ? eq.substr(0, arrow) : eq;
  std::string rhs = explicit_out ? eq.substr(arrow + 2) : "";
  if (explicit_out && rhs.find("->") != std::string::npos) n.fail_attr("equation", "more than one '->'");
  std::vector<std::string> terms{""};
  for (char ch : lhs) {
    if (ch == ',')
      terms.emplace_back();
    else
      terms.back() += ch;
  }
  if (terms.size() != shapes.size())
    n.fail_attr("equation", "'" + eq + "' has " + std::to_string(terms.size()) + " operand terms but the node has " +
                                std::to_string(shapes.size()) + " inputs");
  EinsumSpec spec;
  // Rank of the broadcast (ellipsis) dims over all operands.
  std::vector<std::vector<int>> letters(terms.size());
  std::vector<int> ell_at(terms.size());
  int64_t ell_rank = 0;
  for (size_t t = 0; t < terms.size(); ++t) {
    letters[t] = einsum_detail::parse_term(n, terms[t], ell_at[t]);
    int64_t rank = static_cast<int64_t>(shapes[t].size()), nl = static_cast<int64_t>(letters[t].size());
    if (ell_at[t] < 0 ? rank != nl : rank < nl)
      n.fail_attr("equation", "term '" + terms[t] + "' does not match the rank " + std::to_string(rank) + " of input " +
                                  std::to_string(t));
    if (ell_at[t] >= 0) ell_rank = std::max(ell_rank, rank - nl);
  }
  std::map<int, int> count;  // occurrences of each letter over all operands
  for (size_t t = 0; t < terms.size(); ++t) {
    const Shape& s = shapes[t];
    int64_t e = static_cast<int64_t>(s.size() - letters[t].size());  // this operand's ellipsis dims
    std::vector<int> labels;
    for (size_t i = 0; i < letters[t].size(); ++i) {
      if (static_cast<int>(i) == ell_at[t])
        for (int64_t j = 0; j < e; ++j) labels.push_back(kEllipsisLabel + static_cast<int>(ell_rank - e + j));
      labels.push_back(letters[t][i]);
    }
    if (ell_at[t] == static_cast<int>(letters[t].size()))
      for (int64_t j = 0; j < e; ++j) labels.push_back(kEllipsisLabel + static_cast<int>(ell_rank - e + j));
    std::map<int, int64_t> own;  // a label repeated within one operand (diagonal) needs equal sizes
    for (size_t i = 0; i < labels.size(); ++i) {
      int l = labels[i];
      int64_t d = s[i];
      if (l < kEllipsisLabel) ++count[l];
      if (auto it = own.find(l); it != own.end() && it->second != d)
        n.fail_attr("equation", std::string("label '") + static_cast<char>(l) + "' is repeated in input " +
                                    std::to_string(t) + " with different sizes " + std::to_string(it->second) +
                                    " and " + std::to_string(d));
      own[l] = d;
      auto [it, fresh] = spec.size.emplace(l, d);
      if (!fresh && it->second != d) {
        if (it->second == 1)
          it->second = d;
        else if (d != 1)
          n.fail_attr("equation", (l < kEllipsisLabel ? std::string("label '") + static_cast<char>(l) + "'"
                                                      : std::string("a broadcast ('...') dimension")) +
                                      " has incompatible sizes " + std::to_string(it->second) + " and " +
                                      std::to_string(d));
      }
    }
    spec.inputs.push_back(labels);
  }
  if (explicit_out) {
    int at = -1;
    std::vector<int> out_letters = einsum_detail::parse_term(n, rhs, at);
    std::map<int, int> seen;
    for (int l : out_letters) {
      if (!count.count(l))
        n.fail_attr("equation",
                    std::string("output label '") + static_cast<char>(l) + "' does not occur in the inputs");
      if (seen[l]++) n.fail_attr("equation", std::string("output label '") + static_cast<char>(l) + "' is repeated");
    }
    for (size_t i = 0; i <= out_letters.size(); ++i) {
      if (static_cast<int>(i) == at)
        for (int64_t j = 0; j < ell_rank; ++j) spec.output.push_back(kEllipsisLabel + static_cast<int>(j));
      if (i < out_letters.size()) spec.output.push_back(out_letters[i]);
    }
  } else {  // implicit: the broadcast dims, then the letters occurring once, in alphabetical (ASCII) order
    for (int64_t j = 0; j < ell_rank; ++j) spec.output.push_back(kEllipsisLabel + static_cast<int>(j));
    for (const auto& [l, c] : count)
      if (c == 1) spec.output.push_back(l);
  }
  return spec;
}

}  // namespace fs::nn
