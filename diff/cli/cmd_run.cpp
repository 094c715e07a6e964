// `flipscope run MODEL --input FILE...`: feeds tensors (.pb, .npy) or preprocessed images (one batch)
// to a model on a backend and prints the top-K classes of each item, optionally saving the outputs.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "diff/cli/commands.h"
#include "diff/default_model.h"
#include "engine/kernel_registry.h"
#include "engine/session.h"
#include "importers/image/dataset.h"
#include "importers/image/npy.h"
#include "importers/image/preprocess.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/onnx/tensor_proto.h"

namespace fs::cli {
namespace {

struct RunArgs {
  PassArgs pass;
  std::string model;
  std::vector<std::string> inputs;
  std::string input_name;
  std::string preset = "imagenet";
  bool preset_given = false;  // otherwise the embedded default model gets `mnist`
  std::vector<std::string> sets;
  std::string labels;
  int label_offset = 0;
  int top = 5;
  std::string save_outputs;
  std::string backend = "reference";
};

// One run of the model: a tensor file, or all the images together.
struct Batch {
  std::string source;  // what the tensor came from (for messages and file names)
  Tensor tensor;
  std::vector<std::string> items;  // one name per entry along the batch dimension
};

std::string lower_ext(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

// Converts a tensor to the model input's dtype when both are numeric (e.g. a float64 .npy).
Tensor to_dtype(const Tensor& t, DType want, const std::string& what) {
  if (want == DType::Undefined || t.dtype() == want) return t;
  if (t.dtype() == DType::Bool || want == DType::Bool)
    fail(ErrorKind::InvalidInput, fmt::format("{}: dtype {} cannot be fed to an input of dtype {}", what,
                                              dtype_name(t.dtype()), dtype_name(want)));
  fmt::print(stderr, "note: {}: converting {} to the model input's {}\n", what, dtype_name(t.dtype()),
             dtype_name(want));
  Tensor r(want, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (is_float(want))
      r.set_f64(i, t.get_f64(i));
    else
      r.set_i64(i, t.get_i64(i));
  }
  return r;
}

std::string pick_input(const Graph& g, const Session& s, const std::string& requested) {
  auto names = s.input_names();
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (!requested.empty()) {
    if (std::find(names.begin(), names.end(), requested) == names.end())
      fail(ErrorKind::InvalidInput,
           fmt::format("--input-name {}: the model has no such input (inputs: {})", requested, list));
    return requested;
  }
  if (names.size() != 1)
    fail(ErrorKind::InvalidInput,
         fmt::format("{}: the model has {} inputs ({}); choose one with --input-name", g.name, names.size(), list));
  return names[0];
}

std::vector<Batch> load_batches(const RunArgs& a, const Value& input) {
  std::vector<Batch> batches;
  std::vector<std::string> images;
  for (const auto& f : a.inputs) {
    std::string ext = lower_ext(f);
    if (ext == ".pb" || ext == ".npy") {
      Batch b;
      b.source = f;
      b.tensor = to_dtype(ext == ".pb" ? load_tensor_pb(f) : load_npy(f), input.dtype, f);
      int64_t n = b.tensor.rank() > 0 ? b.tensor.dim(0) : 1;
      for (int64_t i = 0; i < n; ++i) b.items.push_back(n == 1 ? f : fmt::format("{}[{}]", f, i));
      batches.push_back(std::move(b));
    } else if (looks_like_image(f)) {
      images.push_back(f);
    } else {
      fail(ErrorKind::InvalidInput,
           f + ": unknown input type (expected a tensor .pb, a .npy or an image: .jpg .jpeg .png .bmp .webp .tif)");
    }
  }
  if (!images.empty()) {
    bool default_model = a.model == kDefaultModelName && !a.preset_given;
    Preprocess p = Preprocess::from_preset(default_model ? "mnist" : a.preset);
    for (const auto& kv : a.sets) p.set(kv);
    if (input.shape) p.fit_to_input(*input.shape);
    fmt::print("preprocessing {}\n", p.describe());
    Batch b;
    b.source = images.size() == 1 ? images[0] : fmt::format("{} images", images.size());
    b.tensor = to_dtype(load_images(images, p), input.dtype, "preprocessed images");
    b.items = images;
    batches.push_back(std::move(b));
  }
  return batches;
}

void print_top(const Tensor& out, int64_t item, int64_t per_item, const RunArgs& a,
               const std::vector<std::string>& labels) {
  std::vector<int64_t> idx(static_cast<size_t>(per_item));
  std::iota(idx.begin(), idx.end(), 0);
  auto score = [&](int64_t i) { return out.get_f64(item * per_item + i); };
  int64_t k = std::min<int64_t>(a.top, per_item);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int64_t x, int64_t y) {
    double sx = score(x), sy = score(y);
    return sx > sy || (sx == sy && x < y);
  });
  for (int64_t r = 0; r < k; ++r) {
    int64_t i = idx[static_cast<size_t>(r)];
    int64_t cls = i - a.label_offset;
    std::string name;
    if (cls < 0)
      name = "(background)";
    else if (static_cast<size_t>(cls) < labels.size())
      name = labels[static_cast<size_t>(cls)];
    std::string index = a.label_offset ? fmt::format("{:>5} (class {:>4})", i, cls) : fmt::format("{:>5}", i);
    fmt::print("  {:>2}. {}  {:>12.6g}  {}\n", r + 1, index, score(i), name);
  }
}

void save(const Tensor& t, const std::string& name, const std::string& dir, const std::string& file) {
  std::filesystem::create_directories(dir);
  save_tensor_pb(t, name, dir + "/" + file);
}

int run_model(const RunArgs& a) {
  auto backends = KernelRegistry::instance().backends();
  if (std::find(backends.begin(), backends.end(), a.backend) == backends.end()) {
    std::string avail;
    for (const auto& b : backends) avail += (avail.empty() ? "" : ", ") + b;
    fail(ErrorKind::InvalidInput, "unknown backend '" + a.backend + "' (available: " + avail + ")");
  }
  auto g = load_model(a.model);  // "default" = the embedded model
  SessionOptions so;
  so.backend = a.backend;
  auto session = std::make_unique<Session>(g, so);
  const std::string input_name = pick_input(*g, *session, a.input_name);
  const Value& input = g->value(g->find_value(input_name));
  std::vector<std::string> labels;
  if (!a.labels.empty()) labels = read_class_names(a.labels, "--labels");

  auto batches = load_batches(a, input);
  if (a.pass.passes != "O0" || a.pass.precision != "fp32") {  // int8 calibrates on the run's own inputs
    std::vector<std::map<std::string, Tensor>> calib;
    for (const Batch& b : batches) calib.push_back({{input_name, b.tensor}});
    g = apply_passes(g, a.pass, a.backend, calib);
    session = std::make_unique<Session>(g, so);
  }
  Session& s = *session;
  auto out_names = s.output_names();
  for (size_t b = 0; b < batches.size(); ++b) {
    const Batch& batch = batches[b];
    auto t0 = std::chrono::steady_clock::now();
    RunResult r;
    try {
      r = s.run({{input_name, batch.tensor}});
    } catch (const Error& e) {
      throw e.with_prefix(a.model);
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("input {} {} <- {}: {} on {} in {:.1f} ms\n", input_name, shape_str(batch.tensor.shape()), batch.source,
               out_names.empty() ? "?" : out_names[0] + " " + shape_str(r.outputs[0].shape()), a.backend, ms);
    if (!r.outputs.empty()) {
      const Tensor& out = r.outputs[0];
      int64_t n = static_cast<int64_t>(batch.items.size());
      bool batched = out.rank() >= 1 && out.dim(0) == n && n > 0;
      int64_t items = batched ? n : 1;
      int64_t per_item = items ? out.numel() / items : 0;
      if (!labels.empty() && static_cast<int64_t>(labels.size()) != per_item - a.label_offset)
        fmt::print(stderr, "note: {} has {} labels but the output has {} classes with label offset {}\n", a.labels,
                   labels.size(), per_item, a.label_offset);
      for (int64_t i = 0; i < items; ++i) {
        fmt::print("{}\n", batched ? batch.items[static_cast<size_t>(i)] : batch.source);
        if (per_item > 0) print_top(out, i, per_item, a, labels);
      }
    }
    if (!a.save_outputs.empty()) {
      std::string dir = batches.size() == 1 ? a.save_outputs : fmt::format("{}/batch_{}", a.save_outputs, b);
      save(batch.tensor, input_name, dir, "input_0.pb");
      for (size_t j = 0; j < r.outputs.size(); ++j)
        save(r.outputs[j], j < out_names.size() ? out_names[j] : "", dir, fmt::format("output_{}.pb", j));
      fmt::print("saved input_0.pb and {} output(s) to {}\n", r.outputs.size(), dir);
    }
  }
  return 0;
}

std::string presets_help() {
  std::string r;
  for (const auto& n : Preprocess::preset_names()) r += fmt::format("\n  {:<20} {}", n, Preprocess::preset_help(n));
  return r;
}

}  // namespace

void add_run(CLI::App& app, int& rc) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* c = app.add_subcommand(
      "run",
      "Run a model on tensor files (.pb, .npy: one run each) or images (preprocessed with a preset, all in one "
      "batch) and print the top-K classes of every item");
  c->add_option("model", args->model,
                "ONNX model file, or 'default' (the embedded Fashion-MNIST CNN; its images get the mnist preset)")
      ->required();
  c->add_option("-i,--input", args->inputs,
                "input files: ONNX TensorProto .pb, NumPy .npy (float32/float64/int64/int32/uint8), or images "
                "(.jpg .jpeg .png .bmp .webp .tif); e.g. --input a.JPEG b.JPEG")
      ->required();
  c->add_option("--input-name", args->input_name,
                "the model input to feed (needed only when the model has several), e.g. --input-name data");
  CLI::Option* preset = c->add_option("--preset", args->preset,
                                      "image preprocessing preset, e.g. --preset inception; one of:" + presets_help())
                            ->default_val("imagenet");
  c->add_option("--set", args->sets,
                "override one preprocessing field, key=value (repeatable), e.g. --set interp=cv-area --set "
                "crop=224x224. Keys: channels=rgb|bgr|gray, crop_fraction=F (central crop before resize), "
                "resize=S|HxW|none (S: short side), crop=HxW|S|none (centre crop after resize), "
                "crop_round=half-even|floor, interp=pil-bilinear|pil-bicubic|cv-linear|cv-area|cv-cubic|cv-nearest, "
                "zero_point=Z, scale=1/D|M, mean=a,b,c, std=a,b,c, norm_order=rgb|output, layout=nchw|nhwc, "
                "dtype=float32. x = ((p - zero_point) / D * M - mean) / std. A static model input size sets the "
                "crop (or the direct resize) unless given here");
  c->add_option("--labels", args->labels,
                "class names, one per line, line k = class k; e.g. --labels shared/labels/imagenet-classes.txt");
  c->add_option("--label-offset", args->label_offset,
                "output index i is class i-K (e.g. --label-offset 1 for TF-slim models with 1001 outputs, index 0 = "
                "background)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  c->add_option("--top", args->top, "how many classes to print per item, e.g. --top 3")
      ->default_val(5)
      ->check(CLI::PositiveNumber);
  c->add_option("--save-outputs", args->save_outputs,
                "write the fed tensor (input_0.pb) and every model output (output_N.pb) to this folder (one "
                "batch_B subfolder per run when there are several), e.g. --save-outputs /tmp/out");
  c->add_option("--backend", args->backend, "backend to run on, e.g. --backend reference")->default_val("reference");
  add_pass_options(c, args->pass);
  c->footer(
      "Examples:\n"
      "  flipscope run shared/models/hardnet39ds/model.onnx --input shared/images/imagenet-sample/n01440764_tench.JPEG "
      "--labels shared/labels/imagenet-classes.txt\n"
      "  flipscope run shared/models/mobilenet_v2_1.0_224/model.onnx --preset inception-uint8 --label-offset 1 "
      "--set interp=cv-area --input a.jpg b.jpg --top 3\n"
      "  flipscope run model.onnx --input test_data_set_0/input_0.pb --save-outputs /tmp/out\n"
      "  flipscope run default --input shirt.png   (the embedded Fashion-MNIST model, mnist preset)");
  c->callback([args, preset, &rc] {
    args->preset_given = preset->count() > 0;
    rc = run_model(*args);
  });
}

}  // namespace fs::cli
