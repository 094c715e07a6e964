// report.html: a self-contained page (no network) with inline SVG charts and a table of flipped
// inputs (thumbnails as base64 PNG, top-5 under the reference and the variant).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "importers/image/dataset.h"

namespace fs {

// Renders the page from results.json's content; `data` supplies the thumbnails.
std::string render_report_html(const nlohmann::json& results, const Dataset& data);

}  // namespace fs
