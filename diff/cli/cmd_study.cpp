// `flipscope study`: compare variants of a model (backend x passes x precision x threads x model
// file x preprocessing) with the naive reference over a dataset, and report flips, errors and time.
#include <fmt/format.h>
#include <unistd.h>

#include "diff/cli/commands.h"
#include "diff/study.h"

namespace fs::cli {
namespace {

struct StudyArgs {
  StudyConfig c;
  std::vector<std::string> variants;
  std::string study_file;
  long limit = -1;
};

}  // namespace

void add_study(CLI::App& app, int& rc) {
  auto a = std::make_shared<StudyArgs>();
  CLI::App* s = app.add_subcommand(
      "study",
      "Run the reference (naive backend, original graph, fp32) and every variant over a dataset; report label flips "
      "(with 95% Wilson intervals), accuracy changes (McNemar's exact test), error norms and time per variant");
  CLI::Option* model = add_model_options(s, a->c.model, a->c.preset, a->c.sets);
  auto* images = s->add_option("--images", a->c.data.images,
                               "a folder of images (.jpg .png ..., sorted, not recursive) and/or tensors (.pb .npy), "
                               "one .pb/.npy file (split along dim 0), or an IDX images file such as "
                               "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz (labels read from the "
                               "matching labels-idx1 file)");
  s->add_option(
      "--labels", a->c.data.labels,
      "ground truth: CSV 'file,label' (header optional), ImageNet val.txt 'file label', or an IDX labels file");
  s->add_option("--classes", a->c.data.classes,
                "class names, one per line (line k = class k; 'index<TAB>...<TAB>name' too)");
  s->add_option("--label-offset", a->c.data.label_offset, "model class = label + K (e.g. 1 for 1001-class models)")
      ->check(CLI::NonNegativeNumber);
  s->add_option(
      "--variant", a->variants,
      "a variant, repeatable: [name=]backend:passes:precision[:threads=N][:model=PATH][:preset=P][:interp=X]");
  s->add_option("--study", a->study_file, "a study file (YAML or JSON) listing variants or a matrix");
  s->add_option("--limit", a->limit, "use the first N inputs only")->check(CLI::NonNegativeNumber);
  s->add_option("--batch", a->c.batch, "inputs per run (the model's batch dimension must be dynamic for B > 1)")
      ->default_val(1)
      ->check(CLI::PositiveNumber);
  s->add_option("--out", a->c.out,
                "output folder (records.jsonl, results.json, flips.csv, timing.csv, layers.csv, "
                "report.html)")
      ->required();
  s->add_flag("--resume", a->c.resume, "continue a killed study in --out: inputs already recorded are skipped");
  s->add_option("--cache", a->c.cache_dir,
                "reference output cache folder (default ~/.cache/flipscope/ref; 'off' disables it)");
  s->add_option("--max-flip-rate", a->c.max_flip_rate, "exit 1 when a variant's flip rate exceeds R (e.g. 0.01)");
  s->add_option("--max-abs-err", a->c.max_abs_err, "exit 1 when a variant's max abs output error exceeds E");
  s->add_option("--explain", a->c.explain,
                "explain the first K flips of each variant layer by layer into layers.csv (as `flipscope explain`)");
  s->add_option("--ref-threads", a->c.ref_threads,
                "threads computing reference outputs in parallel (one reference session each; 0 = one per "
                "hardware thread). Variants run afterwards, one at a time, so their timing is undisturbed")
      ->check(CLI::NonNegativeNumber);
  s->add_flag("--quiet", a->c.quiet, "no summary table");
  s->footer(
      "Variants: [name=]backend:passes:precision[:threads=N][:model=PATH][:preset=P][:interp=X]\n"
      "  backend    reference | cpu\n"
      "  passes     O0..O3, none, a comma list of pass names, or a preset minus passes (O2,-fuse-conv-add)\n"
      "  precision  fp32 | fp16 | bf16 | int8 (int8 calibrates on the first 16 inputs)\n"
      "  threads=N  threads of the variant's session (default 1)\n"
      "  model=PATH another model file of the same task (a quantized or reconverted model; no ':' in PATH)\n"
      "  preset=P, interp=X  the variant's own preprocessing (a preprocessing study)\n"
      "  Without a name the spec is the name. Default when none is given: cpu-O0=cpu:O0:fp32.\n"
      "  The time ratio is to the variant whose spec is cpu:O0:fp32, when there is one.\n"
      "  A variant that fails to prepare (e.g. an unknown pass) is recorded as an error; the others go on.\n"
      "\n"
      "Study file (YAML, or the same schema as JSON; .yaml/.yml/.json, else sniffed), e.g. docs/study-example.yaml:\n"
      "  model: default\n"
      "  images: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\n"
      "  preset: mnist\n"
      "  variants:                 # name: spec (or a list of name=spec)\n"
      "    O0: cpu:O0:fp32\n"
      "    fp16: cpu:O3:fp16\n"
      "  matrix:\n"
      "    backend: [cpu]\n"
      "    passes: [O0, O2, \"O2,-fuse-conv-add\"]   # quote a pass list: YAML splits [a, b] at commas\n"
      "    precision: [fp32, fp16]\n"
      "    threads: [1, 2]\n"
      "  JSON: {\"model\": \"default\", \"variants\": {\"O0\": \"cpu:O0:fp32\"}, \"matrix\": {\"threads\": [1, 2]}}\n"
      "  A matrix expands to every combination, named by the joined values: cpu-O2-fp16-t2.\n"
      "  Command-line --model/--images/--labels/--classes/--preset win over the file; variants add up.\n"
      "\n"
      "Examples:\n"
      "  flipscope study --images /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz --limit 1000 \\\n"
      "      --variant O0=cpu:O0:fp32 --variant fp16=cpu:O3:fp16 --variant t2=cpu:O2:fp32:threads=2 --out study-out\n"
      "  flipscope study --model ../shared/models/mobilenet_v2_1.0_224/model.onnx --preset inception --label-offset 1 "
      "\\\n"
      "      --images ../shared/images/imagenet-sample --classes ../shared/labels/imagenet-classes.txt \\\n"
      "      --variant O0=cpu:O0:fp32 --variant area=cpu:O0:fp32:interp=cv-area --out mnv2-study\n"
      "  flipscope study --study matrix.yaml --out out --max-flip-rate 0.01   (exit 1 above 1% flips: a CI gate)\n"
      "\n"
      "Outputs in --out: records.jsonl (one JSON line per input x variant, appended as they complete; --resume "
      "continues from it), results.json (docs/results-schema.md), flips.csv, timing.csv, layers.csv, report.html.\n"
      "Exit codes: 0 ok, 1 a threshold exceeded or bad input, 2 a bad or unsupported model.");
  s->callback([a, model, images, &rc] {
    StudyConfig c = a->c;
    c.data.limit = a->limit;
    for (const auto& v : a->variants) c.variants.push_back(parse_variant(v));
    if (!a->study_file.empty()) read_study_file(a->study_file, c, model->count() > 0, images->count() > 0);
    if (c.data.images.empty())
      fail(ErrorKind::InvalidInput, "study: --images (or \"images\" in the study file) is required");
    c.progress = isatty(2) != 0;
    rc = run_study(c);
  });
}

}  // namespace fs::cli
