// Datasets for studies: an ordered list of inputs (image folder, .pb/.npy tensors, or MNIST-style
// gzipped IDX files), each loaded on demand with a preprocessing, plus optional ground truth.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "importers/image/image.h"
#include "importers/image/preprocess.h"

namespace fs {

struct DatasetOptions {
  std::string images;    // a folder, an IDX .gz file (…-images-idx3-ubyte.gz), or one .pb/.npy file
  std::string labels;    // CSV "file,label" (header optional), ImageNet val.txt "file label", or an IDX labels file
  std::string classes;   // class names, one per line (line k = class k)
  int label_offset = 0;  // model class = label + K
  long limit = -1;       // keep the first N items (-1 = all)
};

struct DatasetItem {
  std::string id;      // file name, "idx:N" or "file.npy[i]"
  std::string path;    // file it comes from (for errors and thumbnails)
  int64_t label = -1;  // model class index (label + offset), -1 when unknown
};

class Dataset {
 public:
  std::string source;  // what --images named
  std::string kind;    // "folder", "idx", "tensor"
  std::vector<DatasetItem> items;
  std::vector<std::string> class_names;  // by label (before the offset); may be empty
  int label_offset = 0;
  bool has_labels = false;

  size_t size() const { return items.size(); }
  // Item i as a one-item batch [1, ...] with preprocessing p (ignored for tensor files). Throws an Error
  // naming the file for unreadable or corrupt inputs.
  Tensor load(size_t i, const Preprocess& p) const;
  // The item's pixels for display (gray or RGB), or nullopt for tensor inputs / undecodable files.
  std::optional<Image8> pixels(size_t i) const;
  // Name of model class c ("" when unknown): class_names[c - label_offset].
  std::string class_name(int64_t c) const;

  // Filled by open_dataset.
  std::shared_ptr<const std::vector<uint8_t>> idx_pixels;  // IDX: n * rows * cols bytes
  int idx_rows = 0, idx_cols = 0;
  std::vector<Tensor> tensors;  // tensor kind: one [1, ...] tensor per item
};

// Lists the items and reads the labels; errors name the file and the line.
Dataset open_dataset(const DatasetOptions& o);

// Class names by class index: "name" per line (line k = class k), or "index<TAB>...<TAB>name"
// (shared/labels/imagenet-classes.txt: index, WordNet id, name). `option` names the CLI flag in errors.
std::vector<std::string> read_class_names(const std::string& path, const std::string& option);

// Reads a gzipped (or plain) IDX file: magic 0x0000080D (ubyte, D dims), big-endian dims, then bytes.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};
IdxArray read_idx(const std::string& path);

}  // namespace fs
