// The HTML report of a study (see report_html.h). Charts are plain SVG built here; a tiny inline
// script marks the page as rendered (body data-ok=1) so that tests can check it in a headless browser.
#include "diff/report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace fs {
namespace {

using nlohmann::json;

std::string esc(const std::string& s) {
  std::string r;
  for (char c : s) {
    switch (c) {
      case '<':
        r += "&lt;";
        break;
      case '>':
        r += "&gt;";
        break;
      case '&':
        r += "&amp;";
        break;
      case '"':
        r += "&quot;";
        break;
      default:
        r += c;
    }
  }
  return r;
}

std::string base64(const std::vector<uchar>& b) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string r;
  size_t i = 0;
  for (; i + 2 < b.size(); i += 3) {
    uint32_t v = (uint32_t{b[i]} << 16) | (uint32_t{b[i + 1]} << 8) | b[i + 2];
    r += t[v >> 18];
    r += t[(v >> 12) & 63];
    r += t[(v >> 6) & 63];
    r += t[v & 63];
  }
  if (i < b.size()) {
    uint32_t v = uint32_t{b[i]} << 16;
    if (i + 1 < b.size()) v |= uint32_t{b[i + 1]} << 8;
    r += t[v >> 18];
    r += t[(v >> 12) & 63];
    r += i + 1 < b.size() ? t[(v >> 6) & 63] : '=';
    r += '=';
  }
  return r;
}

std::string thumbnail(const Dataset& d, size_t i) {
  auto px = d.pixels(i);
  if (!px || px->width == 0) return "";
  cv::Mat m(px->height, px->width, px->channels == 1 ? CV_8UC1 : CV_8UC3, px->px.data());
  cv::Mat bgr;
  if (px->channels == 3)
    cv::cvtColor(m, bgr, cv::COLOR_RGB2BGR);
  else
    bgr = m;
  double s = 64.0 / std::max(px->width, px->height);
  cv::Mat small;
  cv::resize(bgr, small, cv::Size(), s, s, s > 1 ? cv::INTER_NEAREST : cv::INTER_AREA);
  std::vector<uchar> png;
  cv::imencode(".png", small, png);
  return "data:image/png;base64," + base64(png);
}

// Horizontal bars, one per variant: value, optional [lo, hi] whiskers, label text.
struct Bar {
  std::string name;
  double value = 0, lo = -1, hi = -1;
  std::string text;
};

std::string bar_chart(const std::string& id, const std::string& title, const std::vector<Bar>& bars) {
  const int row = 22, left = 150, width = 420, top = 24;
  double mx = 0;
  for (const auto& b : bars) mx = std::max({mx, b.value, b.hi});
  if (mx <= 0) mx = 1;
  int h = top + row * static_cast<int>(bars.size()) + 10;
  std::string s = fmt::format(
      "<svg id=\"{}\" class=\"chart\" width=\"{}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">"
      "<text x=\"4\" y=\"16\" class=\"title\">{}</text>",
      id, left + width + 280, h, esc(title));
  for (size_t k = 0; k < bars.size(); ++k) {
    const Bar& b = bars[k];
    int y = top + row * static_cast<int>(k);
    double w = width * b.value / mx;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 6, y + 14, esc(b.name));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"bar\"/>", left, y + 3, w, row - 8);
    if (b.hi >= 0) {
      double x0 = left + width * b.lo / mx, x1 = left + width * b.hi / mx;
      s += fmt::format(
          "<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2}\" y2=\"{2}\" class=\"ci\"/>"
          "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{3}\" y2=\"{4}\" class=\"ci\"/>"
          "<line x1=\"{1:.1f}\" x2=\"{1:.1f}\" y1=\"{3}\" y2=\"{4}\" class=\"ci\"/>",
          x0, x1, y + row / 2, y + 5, y + row - 5);
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>", left + std::max(w, b.hi >= 0 ? width * b.hi / mx : 0) + 6,
                     y + 14, esc(b.text));
  }
  return s + "</svg>\n";
}

std::string margin_histogram(const json& variants) {
  std::vector<double> m;
  for (const auto& v : variants)
    if (v["status"] == "ok")
      for (const auto& x : v["metrics"]["flip_margins"]) m.push_back(x);
  const int bins = 20, W = 560, H = 160, left = 40, top = 24;
  double mx = 0;
  for (double x : m) mx = std::max(mx, x);
  if (mx <= 0) mx = 1;
  std::vector<int> cnt(bins, 0);
  for (double x : m) cnt[std::min(bins - 1, static_cast<int>(bins * x / mx))]++;
  int cmax = std::max(1, *std::max_element(cnt.begin(), cnt.end()));
  std::string s = fmt::format(
      "<svg id=\"chart-margins\" class=\"chart\" width=\"{}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">"
      "<text x=\"4\" y=\"16\" class=\"title\">Reference top-1 margin of flipped inputs ({} flips, all variants; 0 to "
      "{:.3g})</text>",
      W + left + 20, H + top + 30, m.size(), mx);
  double bw = static_cast<double>(W) / bins;
  for (int k = 0; k < bins; ++k) {
    double h = static_cast<double>(H) * cnt[k] / cmax;
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" class=\"bar\"><title>{}</title></rect>",
        left + k * bw, top + H - h, bw - 1, h, cnt[k]);
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\">0</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}</text>", left,
                   top + H + 16, left + W, top + H + 16, mx);
  return s + "</svg>\n";
}

std::string top5_cell(const json& t, const json& results) {
  const json& names = results["dataset"]["class_names"];
  int64_t off = results["dataset"]["label_offset"];
  std::string s = "<ol>";
  for (size_t k = 0; k < t["top"].size(); ++k) {
    int64_t c = t["top"][k];
    int64_t i = c - off;
    std::string n =
        i >= 0 && i < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(i)].get<std::string>() : "";
    s += fmt::format("<li>{} {} <span class=\"s\">{:.4g}</span></li>", c, esc(n), t["scores"][k].get<double>());
  }
  return s + "</ol>";
}

}  // namespace

std::string render_report_html(const json& results, const Dataset& data) {
  const json& vars = results["variants"];
  std::vector<Bar> flips, acc, times;
  for (const auto& v : vars) {
    if (v["status"] != "ok") continue;
    const json& m = v["metrics"];
    std::string n = v["name"];
    flips.push_back({n, 100 * m["flip_rate"].get<double>(), 100 * m["flip_rate_ci95"][0].get<double>(),
                     100 * m["flip_rate_ci95"][1].get<double>(),
                     fmt::format("{:.2f}% ({} flips)", 100 * m["flip_rate"].get<double>(), m["flips"].get<int64_t>())});
    if (!m["accuracy"].is_null()) {
      const json& a = m["accuracy"];
      acc.push_back({n, 100 * a["variant"].get<double>(), 100 * a["variant_ci95"][0].get<double>(),
                     100 * a["variant_ci95"][1].get<double>(),
                     fmt::format("{:.2f}% (Δ {:+.2f}, p={:.3g})", 100 * a["variant"].get<double>(),
                                 100 * a["delta"].get<double>(), a["mcnemar_p"].get<double>())});
    }
    if (!m["time_ms_median"].is_null())
      times.push_back(
          {n, m["time_ms_median"].get<double>(), m["time_ms_median"].get<double>(), m["time_ms_p90"].get<double>(),
           fmt::format("{:.3f} ms (p90 {:.3f})", m["time_ms_median"].get<double>(), m["time_ms_p90"].get<double>())});
  }
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>flipscope study</title>\n<style>"
      "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;vertical-align:top}th{background:#f3f3f3}"
      ".chart text{font-size:12px}.chart .title{font-weight:bold}.bar{fill:#4a7fb5}.ci{stroke:#222;stroke-width:1.5}"
      "ol{margin:0;padding-left:1.4em}.s{color:#888}.err{color:#a00}img{image-rendering:pixelated}"
      "</style></head>\n<body>\n";
  h += fmt::format(
      "<h1>flipscope study</h1>\n<p>Model <code>{}</code> (fnv1a64 {}), dataset <code>{}</code> ({} inputs, "
      "{}), preprocessing <code>{}</code>. Reference: naive <code>reference</code> backend, original "
      "graph, fp32{}.</p>\n",
      esc(results["model"]["path"]), results["model"]["fnv1a64"].get<std::string>(), esc(results["dataset"]["source"]),
      results["dataset"]["items"].get<int64_t>(), esc(results["dataset"]["kind"]), esc(results["config"]["preprocess"]),
      results["reference"]["accuracy"].is_null()
          ? std::string()
          : fmt::format(", accuracy {:.2f}%", 100 * results["reference"]["accuracy"].get<double>()));
  // Summary table.
  h += "<h2>Variants</h2>\n<table id=\"summary\"><tr><th>variant</th><th>spec</th><th>flips</th><th>rate [95% CI]</th>"
       "<th>near-tie / large</th><th>acc</th><th>Δacc</th><th>McNemar p</th><th>top-5 overlap</th><th>KL mean</th>"
       "<th>max abs</th><th>cos min</th><th>median ms</th><th>ratio</th></tr>\n";
  for (const auto& v : vars) {
    if (v["status"] != "ok") {
      h += fmt::format("<tr><td>{}</td><td>{}</td><td colspan=\"12\" class=\"err\">{}</td></tr>\n", esc(v["name"]),
                       esc(v["spec"]), esc(v.value("error", std::string("error"))));
      continue;
    }
    const json& m = v["metrics"];
    const json& a = m["accuracy"];
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}% [{:.2f}, {:.2f}]</td><td>{} / {}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{:.4f}</td><td>{:.3g}</td><td>{:.3g}</td><td>{:.6f}</td><td>{}</td><td>{}</td></tr>\n",
        esc(v["name"]), esc(v["spec"]), m["flips"].get<int64_t>(), 100 * m["flip_rate"].get<double>(),
        100 * m["flip_rate_ci95"][0].get<double>(), 100 * m["flip_rate_ci95"][1].get<double>(),
        m["flips_near_tie"].get<int64_t>(), m["flips_large_margin"].get<int64_t>(),
        a.is_null() ? "-" : fmt::format("{:.2f}%", 100 * a["variant"].get<double>()),
        a.is_null() ? "-" : fmt::format("{:+.2f}", 100 * a["delta"].get<double>()),
        a.is_null() ? "-" : fmt::format("{:.3g}", a["mcnemar_p"].get<double>()), m["top5_overlap_mean"].get<double>(),
        m["kl_mean"].get<double>(), m["max_abs"].get<double>(), m["cosine_min"].get<double>(),
        m["time_ms_median"].is_null() ? "-" : fmt::format("{:.3f}", m["time_ms_median"].get<double>()),
        m["time_ratio"].is_null() ? "-" : fmt::format("{:.2f}x", m["time_ratio"].get<double>()));
  }
  h += "</table>\n<h2>Charts</h2>\n";
  h += bar_chart("chart-flip-rate", "Top-1 flip rate vs the reference (%, 95% Wilson interval)", flips);
  h += bar_chart("chart-accuracy", "Accuracy (%, 95% Wilson interval)", acc);
  h += bar_chart("chart-time", "Time per inference (ms, median; whisker to p90)", times);
  h += margin_histogram(vars);
  // Flipped inputs.
  h += "<h2>Flipped inputs</h2>\n<table id=\"flips\"><tr><th>variant</th><th>input</th><th>image</th><th>label</th>"
       "<th>margin</th><th>reference top-5</th><th>variant top-5</th></tr>\n";
  size_t shown = 0, total = 0;
  for (const auto& v : vars) {
    if (v["status"] != "ok") continue;
    for (const auto& f : v["metrics"]["flip_list"]) {
      ++total;
      if (shown >= 200) continue;
      ++shown;
      size_t idx = f["index"];
      std::string img = idx < data.size() ? thumbnail(data, idx) : "";
      h += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4g}{}</td><td>{}</td><td>{}</td></tr>\n",
          esc(v["name"]), esc(f["id"]), img.empty() ? "" : "<img src=\"" + img + "\" alt=\"input\">",
          f["label"].get<int64_t>() >= 0 ? std::to_string(f["label"].get<int64_t>()) : "-", f["margin"].get<double>(),
          f["near_tie"].get<bool>() ? " (near tie)" : "",
          f.contains("ref_top5") ? top5_cell(f["ref_top5"], results) : std::to_string(f["ref_top1"].get<int64_t>()),
          f.contains("var_top5") ? top5_cell(f["var_top5"], results) : std::to_string(f["var_top1"].get<int64_t>()));
    }
  }
  h += "</table>\n";
  if (total > shown) h += fmt::format("<p>{} more flips in flips.csv.</p>\n", total - shown);
  // Errors.
  h += "<h2>Errors</h2>\n<table id=\"errors\"><tr><th>kind</th><th>what</th><th>reason</th></tr>\n";
  for (const auto& e : results["errors"])
    h += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"err\">{}</td></tr>\n", esc(e["kind"]),
                     esc(e.contains("variant") ? e["variant"].get<std::string>() : e.value("path", std::string())),
                     esc(e["reason"]));
  h += "</table>\n";
  const json& env = results["environment"];
  h +=
      fmt::format("<h2>Environment</h2>\n<p>{}; {} ({}); OpenBLAS {} core {}; fp32 GEMM {}; {} hardware threads.</p>\n",
                  esc(env["compiler"]), esc(env["cpu_model"]), esc(env["cpu_features"]), esc(env["openblas_config"]),
                  esc(env["openblas_core"]), esc(env.value("gemm_library", std::string("not recorded"))),
                  env["hardware_threads"].get<int64_t>());
  h += "<script>document.addEventListener('DOMContentLoaded',function(){"
       "var n=document.querySelectorAll('svg.chart').length;if(n>=4){document.body.dataset.ok='1';}});</script>\n";
  h += "</body></html>\n";
  return h;
}

}  // namespace fs
