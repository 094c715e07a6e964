// `flipscope run MODEL --input FILE...`: placeholder until image presets land.
#include "diff/cli/commands.h"

namespace fs::cli {
void add_run(CLI::App&, int&) {}
}  // namespace fs::cli
