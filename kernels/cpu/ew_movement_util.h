// Data movement for the cpu kernels (any dtype, by element size): a strided copy that collapses
// contiguous dimensions and copies inner runs with memcpy (Slice, Transpose with a contiguous inner
// dimension), a cache-blocked 2-D transpose for permutations that move the innermost dimension
// (NCHW <-> NHWC), and index checks that name the node.
#pragma once
#include <string>

#include "kernels/cpu/ew_util.h"

namespace fs::cpu::ew {

// An index read from an int32/int64 tensor, made non-negative against dim; throws naming the node
// when out of range.
inline int64_t checked_index(const Node& node, int64_t i, int64_t dim, const char* what) {
  if (i < -dim || i >= dim)
    node.fail_node(std::string(what) + " index " + std::to_string(i) + " is out of range for a dimension of size " +
                   std::to_string(dim));
  return i < 0 ? i + dim : i;
}

// All indices of an int32/int64 tensor as int64, checked against dim and made non-negative.
inline std::vector<int64_t> checked_indices(const Node& node, const Tensor& idx, int64_t dim, const char* what) {
  std::vector<int64_t> v(static_cast<size_t>(idx.numel()));
  if (idx.dtype() == DType::I32) {
    const int32_t* p = idx.data<int32_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    const int64_t* p = idx.data<int64_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  }
  for (int64_t& i : v) i = checked_index(node, i, dim, what);
  return v;
}

// A strided view to copy into a contiguous output: output dims, the input's element stride along
// each (any sign) and the input offset of the first element.
struct StridedView {
  std::vector<int64_t> dims, strides;
  int64_t offset = 0;
};

// Drops size-1 dims and merges neighbours whose input strides are contiguous with each other.
inline StridedView collapse(const StridedView& v) {
  StridedView r;
  r.offset = v.offset;
  for (size_t d = 0; d < v.dims.size(); ++d) {
    if (v.dims[d] == 1) continue;
    if (!r.dims.empty() && r.strides.back() == v.strides[d] * v.dims[d]) {
      r.dims.back() *= v.dims[d];
      r.strides.back() = v.strides[d];
    } else {
      r.dims.push_back(v.dims[d]);
      r.strides.push_back(v.strides[d]);
    }
  }
  if (r.dims.empty()) {
    r.dims.push_back(1);
    r.strides.push_back(1);
  }
  return r;
}

// Rows [rb, re) of a view (all dims but the last): calls fn(row, input offset of the row).
template <typename Fn>
FS_EW_INLINE inline void for_view_rows(const StridedView& v, int64_t rb, int64_t re, Fn&& fn) {
  size_t m = v.dims.size() - 1;
  std::vector<int64_t> idx(m);
  int64_t off = v.offset, r = rb;
  for (size_t d = m; d-- > 0;) {
    idx[d] = r % v.dims[d];
    r /= v.dims[d];
    off += idx[d] * v.strides[d];
  }
  for (int64_t row = rb; row < re; ++row) {
    fn(row, off);
    for (size_t d = m; d-- > 0;) {
      off += v.strides[d];
      if (++idx[d] < v.dims[d]) break;
      off -= v.strides[d] * v.dims[d];
      idx[d] = 0;
    }
  }
}

// Copies the view of src into the contiguous dst (elements of type E).
template <typename E>
void strided_copy_typed(const E* src, const StridedView& view, E* dst, int threads) {
  StridedView v = collapse(view);
  int64_t inner = v.dims.back(), s = v.strides.back();
  int64_t rows = numel_of(v.dims) / inner;
  if (rows == 1 && s == 1) {
    parallel_memcpy(dst, src + v.offset, static_cast<size_t>(inner) * sizeof(E), threads);
    return;
  }
  int64_t grain = std::max<int64_t>(1, kGrain / inner);
  parallel_simd(rows, grain, threads, [&](int64_t rb, int64_t re) FS_EW_INLINE {
    for_view_rows(v, rb, re, [&](int64_t row, int64_t off) FS_EW_INLINE {
      E* __restrict d = dst + row * inner;
      const E* __restrict p = src + off;
      if (s == 1) {
        std::memcpy(d, p, static_cast<size_t>(inner) * sizeof(E));
      } else {
        for (int64_t i = 0; i < inner; ++i) d[i] = p[i * s];
      }
    });
  });
}

inline void strided_copy(const Tensor& x, const StridedView& view, Tensor& y, int threads) {
  if (y.numel() == 0) return;
  visit_bits(x.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    strided_copy_typed(static_cast<const E*>(x.raw()), view, static_cast<E*>(y.raw()), threads);
  });
}

// Output = input (of shape `in`, contiguous) with its dimensions permuted: output dim k is input
// dim perm[k]. Inner-contiguous permutations are strided copies; the others are batched 2-D
// transposes between the input's innermost dim and the output's, in cache-sized tiles.
template <typename E>
void permute_typed(const E* src, const Shape& in, const std::vector<int64_t>& perm, E* dst, int threads) {
  std::vector<int64_t> in_strides = contiguous_strides(in);
  StridedView view;
  for (int64_t p : perm) {
    view.dims.push_back(in[static_cast<size_t>(p)]);
    view.strides.push_back(in_strides[static_cast<size_t>(p)]);
  }
  StridedView v = collapse(view);
  size_t m = v.dims.size();
  if (v.strides.back() == 1 || m < 2) {
    strided_copy_typed(src, view, dst, threads);
    return;
  }
  // Output dim p reads the input's innermost dim (stride 1); the output's innermost dim L reads
  // with stride sj. The other dims form the batch.
  size_t p = 0;
  while (v.strides[p] != 1) ++p;
  size_t L = m - 1;
  int64_t ni = v.dims[p], nj = v.dims[L], sj = v.strides[L];
  std::vector<int64_t> out_strides = contiguous_strides(v.dims);
  int64_t oi = out_strides[p];
  StridedView batch;  // dims other than p and L, with input and output strides
  std::vector<int64_t> batch_out;
  for (size_t d = 0; d < m; ++d)
    if (d != p && d != L) {
      batch.dims.push_back(v.dims[d]);
      batch.strides.push_back(v.strides[d]);
      batch_out.push_back(out_strides[d]);
    }
  int64_t nb = numel_of(batch.dims);
  constexpr int64_t kTile = 64 / sizeof(E) < 8 ? 8 : 64 / sizeof(E);  // one cache line of E
  constexpr int64_t kJChunk = 4 * kTile;
  int64_t ti = (ni + kTile - 1) / kTile, tj = (nj + kJChunk - 1) / kJChunk;
  int64_t items = nb * ti * tj;
  int64_t grain = std::max<int64_t>(1, kGrain / (kTile * kJChunk));
  parallel_simd(items, grain, threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
    for (int64_t it = b; it < e; ++it) {
      int64_t jb = it % tj, ib = (it / tj) % ti, bi = it / (tj * ti);
      int64_t in_off = v.offset, out_off = 0;
      for (size_t d = batch.dims.size(); d-- > 0;) {
        int64_t k = bi % batch.dims[d];
        bi /= batch.dims[d];
        in_off += k * batch.strides[d];
        out_off += k * batch_out[d];
      }
      int64_t i0 = ib * kTile, i1 = std::min(ni, i0 + kTile);
      for (int64_t j0 = jb * kJChunk, j1 = std::min(nj, j0 + kJChunk); j0 < j1; j0 += kTile) {
        int64_t je = std::min(j1, j0 + kTile);
        for (int64_t i = i0; i < i1; ++i) {
          E* __restrict d = dst + out_off + i * oi;
          const E* __restrict s = src + in_off + i;
          for (int64_t j = j0; j < je; ++j) d[j] = s[j * sj];
        }
      }
    }
  });
}

inline void permute(const Tensor& x, const Shape& in_shape, const std::vector<int64_t>& perm, Tensor& y, int threads) {
  if (y.numel() == 0) return;
  visit_bits(x.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    permute_typed(static_cast<const E*>(x.raw()), in_shape, perm, static_cast<E*>(y.raw()), threads);
  });
}

// Calls fn(o, k) for the (outer index, block) pairs of a concatenation-like copy, in parallel over
// the pairs when there are many, else in order (each block then copies with parallel_memcpy).
template <typename Fn>
void for_blocks(int64_t outer, int64_t blocks, int threads, bool many, Fn&& fn) {
  if (many) {
    parallel_for(outer * blocks, 1, threads, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) fn(i / blocks, i % blocks, 1);
    });
  } else {
    for (int64_t i = 0; i < outer * blocks; ++i) fn(i / blocks, i % blocks, threads);
  }
}

}  // namespace fs::cpu::ew
