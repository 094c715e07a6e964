// Study pieces: variant specs, study-file matrices, datasets (a corrupt image is an error, not a stop),
// and a whole small study on the embedded model whose per-input outcomes survive a resume.
#include "diff/study.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "diff/cli/commands.h"
#include "engine/error.h"

namespace fs {
namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

stdfs::path temp_dir(const std::string& name) {
  stdfs::path d = stdfs::temp_directory_path() / ("fs_study_test_" + name + "_" + std::to_string(::getpid()));
  stdfs::remove_all(d);
  stdfs::create_directories(d);
  return d;
}

// Five 28x28 PNGs with distinct content and one garbage .jpg.
stdfs::path image_folder(const std::string& name) {
  stdfs::path d = temp_dir(name);
  for (int i = 0; i < 5; ++i) {
    cv::Mat m(28, 28, CV_8UC1);
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) m.at<uchar>(y, x) = static_cast<uchar>((x * (i + 1) + y * 3 + i * 40) % 256);
    cv::imwrite((d / ("img" + std::to_string(i) + ".png")).string(), m);
  }
  std::ofstream((d / "broken.jpg").string()) << "this is not a JPEG";
  std::ofstream((d / "labels.csv").string()) << "file,label\nimg0.png,1\nimg1.png,2\nimg2.png,3\nbroken.jpg,4\n";
  return d;
}

json read_json(const stdfs::path& p) {
  std::ifstream f(p);
  return json::parse(f);
}

TEST(StudyVariant, ParsesNamesAndOptions) {
  auto v = parse_variant("t1=cpu:O2:fp32:threads=2:interp=cv-area");
  EXPECT_EQ(v.name, "t1");
  EXPECT_EQ(v.backend, "cpu");
  EXPECT_EQ(v.passes, "O2");
  EXPECT_EQ(v.precision, "fp32");
  EXPECT_EQ(v.threads, 2);
  EXPECT_EQ(v.interp, "cv-area");
  EXPECT_EQ(v.spec(), "cpu:O2:fp32:threads=2:interp=cv-area");
  auto z = parse_variant("zoo8=cpu:O0:fp32:model=/tmp/m.onnx");
  EXPECT_EQ(z.model, "/tmp/m.onnx");
  EXPECT_EQ(parse_variant("cpu:O3:fp16").name, "cpu:O3:fp16");  // no name: the spec
}

TEST(StudyVariant, CalibrationMethod) {
  auto v = parse_variant("q=cpu:O2:int8:calibration=entropy");
  EXPECT_EQ(v.calibration, "entropy");
  EXPECT_EQ(v.spec(), "cpu:O2:int8:calibration=entropy");
  EXPECT_EQ(parse_variant("cpu:O2:int8").calibration, "");
  try {
    parse_variant("cpu:O2:int8:calibration=mse");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("calibration=mse"), std::string::npos) << e.what();
  }
}

TEST(StudyVariant, MalformedSpecsNameTheProblem) {
  auto msg = [](const std::string& s) {
    try {
      parse_variant(s);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("x=cpu:O2").find("need at least backend:passes:precision"), std::string::npos);
  EXPECT_NE(msg("x=cpu:O2:fp64").find("unknown precision 'fp64'"), std::string::npos);
  EXPECT_NE(msg("x=cpu:O2:fp32:threads=0").find("threads=0"), std::string::npos);
  EXPECT_NE(msg("x=cpu:O2:fp32:colour=red").find("unknown option 'colour'"), std::string::npos);
  EXPECT_NE(msg("x=cpu:O2:fp32:threads").find("not key=value"), std::string::npos);
  EXPECT_NE(msg("=cpu:O2:fp32").find("empty name"), std::string::npos);
  EXPECT_NE(msg("a b=cpu:O2:fp32").find("name 'a b'"), std::string::npos);
}

TEST(StudyFile, MatrixExpandsToEveryCombination) {
  json m =
      json::parse(R"({"backend": ["cpu"], "passes": ["O0", "O2"], "precision": ["fp32", "fp16"], "threads": [1, 2]})");
  auto v = expand_matrix(m, "m.json");
  ASSERT_EQ(v.size(), 8u);  // 1 x 2 x 2 x 2, last axis fastest
  EXPECT_EQ(v[0].name, "cpu-O0-fp32-t1");
  EXPECT_EQ(v[0].spec(), "cpu:O0:fp32");
  EXPECT_EQ(v[1].name, "cpu-O0-fp32-t2");
  EXPECT_EQ(v[1].threads, 2);
  EXPECT_EQ(v[2].name, "cpu-O0-fp16-t1");
  EXPECT_EQ(v[7].name, "cpu-O2-fp16-t2");
  EXPECT_EQ(v[7].spec(), "cpu:O2:fp16:threads=2");
  EXPECT_THROW(expand_matrix(json::parse(R"({"colour": ["red"]})"), "m.json"), Error);
  EXPECT_THROW(expand_matrix(json::parse(R"({"passes": []})"), "m.json"), Error);
}

TEST(StudyFile, ReadsVariantsAndMatrixCommandLineWins) {
  stdfs::path d = temp_dir("file");
  std::ofstream(d / "s.json") << R"({"model": "m.onnx", "images": "imgs", "preset": "mnist",
    "variants": {"O0": "cpu:O0:fp32"}, "matrix": {"passes": ["O0"], "threads": [1, 2]}})";
  StudyConfig c;
  c.model = "default";
  read_study_file((d / "s.json").string(), c, /*model_given=*/true, /*images_given=*/false);
  EXPECT_EQ(c.model, "default");
  EXPECT_EQ(c.data.images, "imgs");
  EXPECT_EQ(c.preset, "mnist");
  ASSERT_EQ(c.variants.size(), 3u);
  EXPECT_EQ(c.variants[0].name, "O0");
  EXPECT_EQ(c.variants[2].name, "cpu-O0-fp32-t2");
  std::ofstream(d / "bad.json") << "model: default";
  EXPECT_THROW(read_study_file((d / "bad.json").string(), c, false, false), Error);
  stdfs::remove_all(d);
}

std::string study_file_error(const stdfs::path& p) {
  StudyConfig c;
  try {
    read_study_file(p.string(), c, false, false);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    return e.what();
  }
  return "no error";
}

TEST(StudyFile, YamlGivesTheSameStudyAsItsJsonTwin) {
  stdfs::path d = temp_dir("yaml");
  std::ofstream(d / "s.json") << R"({"model": "m.onnx", "images": "imgs", "preset": "mnist", "label_offset": 1,
    "variants": {"O0": "cpu:O0:fp32", "fp16": "cpu:O3:fp16"},
    "matrix": {"backend": ["cpu"], "passes": ["O0", "O2,-fuse-conv-add"], "precision": ["fp32", "bf16"],
               "threads": [1, 2]}})";
  std::ofstream(d / "s.yaml") << "# the same study\n"
                                 "model: m.onnx\n"
                                 "images: imgs\n"
                                 "preset: mnist\n"
                                 "label_offset: 1\n"
                                 "variants:\n"
                                 "  O0: cpu:O0:fp32\n"
                                 "  fp16: cpu:O3:fp16\n"
                                 "matrix:\n"
                                 "  backend: [cpu]\n"
                                 "  passes: [O0, \"O2,-fuse-conv-add\"]\n"
                                 "  precision:\n"
                                 "    - fp32\n"
                                 "    - bf16\n"
                                 "  threads: [1, 2]\n";
  StudyConfig a, b;
  read_study_file((d / "s.json").string(), a, false, false);
  read_study_file((d / "s.yaml").string(), b, false, false);
  EXPECT_EQ(b.model, "m.onnx");
  EXPECT_EQ(b.data.images, "imgs");
  EXPECT_EQ(b.preset, "mnist");
  EXPECT_EQ(b.data.label_offset, 1);
  ASSERT_EQ(a.variants.size(), 10u);  // 2 + 1 x 2 x 2 x 2
  ASSERT_EQ(b.variants.size(), a.variants.size());
  for (size_t i = 0; i < a.variants.size(); ++i) {
    EXPECT_EQ(b.variants[i].name, a.variants[i].name) << i;
    EXPECT_EQ(b.variants[i].spec(), a.variants[i].spec()) << i;
  }
  EXPECT_EQ(b.variants[9].name, "cpu-O2_-fuse-conv-add-bf16-t2");
  EXPECT_EQ(b.variants[9].spec(), "cpu:O2,-fuse-conv-add:bf16:threads=2");
  // No extension: sniffed (YAML unless it starts like JSON).
  stdfs::copy_file(d / "s.yaml", d / "plain");
  StudyConfig c;
  read_study_file((d / "plain").string(), c, false, false);
  EXPECT_EQ(c.variants.size(), 10u);
  stdfs::remove_all(d);
}

TEST(StudyFile, YamlErrorsNameFileLineAndKey) {
  stdfs::path d = temp_dir("yaml_err");
  // Malformed YAML: an unclosed flow sequence on line 4.
  std::ofstream(d / "bad.yaml") << "model: default\nvariants:\n  O0: cpu:O0:fp32\nmatrix: {passes: [O0, O2}\n";
  std::string m = study_file_error(d / "bad.yaml");
  EXPECT_NE(m.find((d / "bad.yaml").string() + ":4:"), std::string::npos) << m;
  EXPECT_NE(m.find("not valid YAML"), std::string::npos) << m;
  // Schema errors: the same messages as JSON, with file:line:column of the key.
  std::ofstream(d / "axis.yaml") << "images: x\nmatrix:\n  passes: [O0]\n  colour: [red]\n";
  m = study_file_error(d / "axis.yaml");
  EXPECT_NE(m.find((d / "axis.yaml").string() + ":4:3: matrix axis 'colour' is unknown"), std::string::npos) << m;
  std::ofstream(d / "axis.json") << R"({"images": "x", "matrix": {"passes": ["O0"], "colour": ["red"]}})";
  m = study_file_error(d / "axis.json");
  EXPECT_NE(m.find((d / "axis.json").string() + ": matrix axis 'colour' is unknown"), std::string::npos) << m;
  std::ofstream(d / "key.yaml") << "images: x\nvarients:\n  O0: cpu:O0:fp32\n";
  m = study_file_error(d / "key.yaml");
  EXPECT_NE(m.find((d / "key.yaml").string() + ":2:1: unknown key 'varients'"), std::string::npos) << m;
  std::ofstream(d / "spec.yaml") << "images: x\nvariants:\n  O0: cpu:O0:fp32\n  f: cpu:O2:fp64\n";
  m = study_file_error(d / "spec.yaml");
  EXPECT_NE(m.find((d / "spec.yaml").string() + ":4:3"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown precision 'fp64'"), std::string::npos) << m;
  std::ofstream(d / "off.yaml") << "images: x\nlabel_offset: one\n";
  m = study_file_error(d / "off.yaml");
  EXPECT_NE(m.find((d / "off.yaml").string() + ":2:1: 'label_offset' must be a non-negative integer"),
            std::string::npos)
      << m;
  std::ofstream(d / "dup.yaml") << "images: x\nimages: y\n";
  EXPECT_NE(study_file_error(d / "dup.yaml").find(":2:1: duplicate key 'images'"), std::string::npos);
  std::ofstream(d / "list.yaml") << "- a\n- b\n";
  EXPECT_NE(study_file_error(d / "list.yaml").find("a study file is a YAML mapping"), std::string::npos);
  stdfs::remove_all(d);
}

TEST(StudyFile, HelpShowsAYamlExampleAndTheExampleFileParses) {
  CLI::App app;
  int rc = 0;
  cli::add_study(app, rc);
  const std::string h = app.get_subcommand("study")->help();
  EXPECT_NE(h.find("Study file (YAML"), std::string::npos) << h;
  EXPECT_NE(h.find("  matrix:\n    backend: [cpu]\n"), std::string::npos) << h;
  // The documented example file is a valid study: 2 variants + 1 x 3 x 2 x 2.
  StudyConfig c;
  const stdfs::path example =
      stdfs::path(__FILE__).parent_path().parent_path().parent_path() / "docs/study-example.yaml";
  read_study_file(example.string(), c, false, false);
  EXPECT_EQ(c.variants.size(), 14u);
  EXPECT_EQ(c.preset, "mnist");
}

TEST(StudyDataset, FolderLabelsAndCorruptImage) {
  stdfs::path d = image_folder("ds");
  DatasetOptions o;
  o.images = d.string();
  o.labels = (d / "labels.csv").string();
  o.label_offset = 1;
  Dataset ds = open_dataset(o);
  ASSERT_EQ(ds.size(), 6u);  // sorted: broken.jpg, img0..img4 (labels.csv is not an image)
  EXPECT_EQ(ds.items[0].id, "broken.jpg");
  EXPECT_EQ(ds.items[1].label, 2);   // 1 + offset
  EXPECT_EQ(ds.items[5].label, -1);  // no label for img4
  Preprocess p = Preprocess::from_preset("mnist");
  EXPECT_THROW(ds.load(0, p), Error);
  Tensor t = ds.load(1, p);
  EXPECT_EQ(t.shape(), (Shape{1, 1, 28, 28}));
  stdfs::remove_all(d);
}

TEST(StudyRun, CorruptImageIsRecordedAndOthersRun) {
  stdfs::path d = image_folder("run");
  stdfs::path out = temp_dir("run_out");
  StudyConfig c;
  c.model = "default";
  c.data.images = d.string();
  c.data.labels = (d / "labels.csv").string();
  c.out = out.string();
  c.cache_dir = (out / "cache").string();
  c.quiet = true;
  c.variants = {parse_variant("base=cpu:O0:fp32"), parse_variant("t2=cpu:O0:fp32:threads=2"),
                parse_variant("bogus=cpu:no-such-pass:fp32")};
  EXPECT_EQ(run_study(c), 0);
  json r = read_json(out / "results.json");
  ASSERT_EQ(r["inputs"].size(), 6u);
  // The garbage file is an error naming it; the five PNGs ran on both prepared variants.
  int input_errors = 0;
  for (const auto& e : r["errors"])
    if (e["kind"] == "input") {
      ++input_errors;
      EXPECT_NE(e["reason"].get<std::string>().find("broken.jpg"), std::string::npos);
    }
  EXPECT_EQ(input_errors, 1);
  ASSERT_EQ(r["variants"].size(), 3u);
  EXPECT_EQ(r["variants"][0]["status"], "ok");
  EXPECT_EQ(r["variants"][0]["metrics"]["inputs"], 5);
  EXPECT_EQ(r["variants"][1]["metrics"]["inputs"], 5);
  // A variant that cannot be prepared is an error in the results, not the end of the study.
  EXPECT_EQ(r["variants"][2]["status"], "error");
  EXPECT_NE(r["variants"][2]["error"].get<std::string>().find("bogus"), std::string::npos);
  EXPECT_EQ(r["reference"]["inputs"], 5);
  EXPECT_EQ(r["cache"]["misses"], 5);
  for (const char* f : {"records.jsonl", "flips.csv", "timing.csv", "layers.csv", "report.html"})
    EXPECT_TRUE(stdfs::exists(out / f)) << f;

  // A second study reads the reference outputs from the cache; --resume with every record present
  // recomputes nothing and gives the same per-input outcomes.
  c.resume = true;
  EXPECT_EQ(run_study(c), 0);
  json r2 = read_json(out / "results.json");
  EXPECT_EQ(r2["inputs"], r["inputs"]);
  EXPECT_EQ(r2["cache"]["misses"], 0);
  EXPECT_EQ(r2["cache"]["hits"], 0);  // nothing ran: every chunk was already recorded
  c.resume = false;
  stdfs::remove(out / "records.jsonl");
  EXPECT_EQ(run_study(c), 0);
  json r3 = read_json(out / "results.json");
  EXPECT_EQ(r3["inputs"], r["inputs"]);
  EXPECT_EQ(r3["cache"]["hits"], 5);
  EXPECT_EQ(r3["cache"]["misses"], 0);

  // Thresholds: a huge --max-abs-err passes; --max-flip-rate 0 fails exactly when a flip occurred.
  c.max_abs_err = 1e9;
  EXPECT_EQ(run_study(c), 0);
  c.max_abs_err = -1;
  c.max_flip_rate = 0;
  json m = r["variants"][0]["metrics"];
  EXPECT_EQ(run_study(c), m["flips"].get<int64_t>() > 0 ? 1 : 0);
  stdfs::remove_all(d);
  stdfs::remove_all(out);
}

TEST(StudyRun, ResumeDropsACutOffLineAndRejectsAnotherStudy) {
  stdfs::path d = image_folder("resume");
  stdfs::path out = temp_dir("resume_out");
  StudyConfig c;
  c.data.images = d.string();
  c.out = out.string();
  c.cache_dir = "off";
  c.quiet = true;
  ASSERT_EQ(run_study(c), 0);
  json full = read_json(out / "results.json");
  // Keep the header and two records, then half a line: what a kill -9 leaves.
  std::ifstream in(out / "records.jsonl");
  std::string l0, l1, l2, l3;
  std::getline(in, l0);
  std::getline(in, l1);
  std::getline(in, l2);
  std::getline(in, l3);
  in.close();
  std::ofstream(out / "records.jsonl") << l0 << "\n" << l1 << "\n" << l2 << "\n" << l3.substr(0, l3.size() / 2);
  c.resume = true;
  ASSERT_EQ(run_study(c), 0);
  json resumed = read_json(out / "results.json");
  EXPECT_EQ(resumed["inputs"], full["inputs"]);
  EXPECT_EQ(resumed["variants"][0]["metrics"]["flips"], full["variants"][0]["metrics"]["flips"]);
  // Another variant list is another study: --resume refuses it.
  c.variants = {parse_variant("x=cpu:O0:fp32:threads=2")};
  EXPECT_THROW(run_study(c), Error);
  stdfs::remove_all(d);
  stdfs::remove_all(out);
}

}  // namespace
}  // namespace fs
