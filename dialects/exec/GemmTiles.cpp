//===- GemmTiles.cpp - tensor-core GEMM tiles and their candidates --------===//

#include "dialects/exec/GemmTiles.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace dsc::exec {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The dictionary keys of a candidate, in GemmTile's field order.
constexpr llvm::StringLiteral kFieldNames[] = {
    "bm", "bn", "bk", "warps_m", "warps_n", "stages", "split_k"};

int64_t *field(GemmTile &tile, size_t index) {
  int64_t *fields[] = {&tile.bm,     &tile.bn,     &tile.bk,    &tile.warpsM,
                       &tile.warpsN, &tile.stages, &tile.splitK};
  return fields[index];
}

} // namespace

std::string GemmTile::str() const {
  std::string text = llvm::formatv("{0}x{1}x{2} w{3}x{4} s{5}", bm, bn, bk,
                                   warpsM, warpsN, stages)
                         .str();
  if (splitK > 1)
    text += " k" + std::to_string(splitK);
  if (wgmma)
    text += " wgmma";
  if (tma)
    text += " tma";
  if (patch)
    text += " patch" + std::to_string(patch);
  return text;
}

DictionaryAttr GemmTile::toAttr(MLIRContext *context) const {
  Builder builder(context);
  SmallVector<NamedAttribute> fields;
  GemmTile copy = *this;
  for (auto [i, name] : llvm::enumerate(kFieldNames))
    fields.push_back(
        builder.getNamedAttr(name, builder.getI64IntegerAttr(*field(copy, i))));
  if (wgmma)
    fields.push_back(
        builder.getNamedAttr("wgmma", builder.getI64IntegerAttr(wgmma)));
  if (tma)
    fields.push_back(
        builder.getNamedAttr("tma", builder.getI64IntegerAttr(tma)));
  if (patch)
    fields.push_back(
        builder.getNamedAttr("patch", builder.getI64IntegerAttr(patch)));
  return builder.getDictionaryAttr(fields);
}

std::optional<GemmTile> GemmTile::fromAttr(DictionaryAttr attr,
                                           std::string *problem) {
  GemmTile tile;
  for (auto [i, name] : llvm::enumerate(kFieldNames)) {
    auto value = attr.getAs<IntegerAttr>(name);
    if (!value) {
      *problem = ("needs an integer '" + name + "'").str();
      return std::nullopt;
    }
    *field(tile, i) = value.getInt();
  }
  // Optional: absent means mma.sync (wgmma), per-thread copies (tma) and
  // an implicit GEMM (patch).
  size_t optionals = 0;
  for (auto [name, flag] :
       {std::make_pair("wgmma", &tile.wgmma), std::make_pair("tma", &tile.tma),
        std::make_pair("patch", &tile.patch)}) {
    Attribute value = attr.get(name);
    if (!value)
      continue;
    auto integer = dyn_cast<IntegerAttr>(value);
    if (!integer) {
      *problem = std::string("needs an integer '") + name + "'";
      return std::nullopt;
    }
    *flag = integer.getInt();
    ++optionals;
  }
  if (attr.size() != std::size(kFieldNames) + optionals) {
    for (NamedAttribute named : attr)
      if (!llvm::is_contained(kFieldNames, named.getName().strref()) &&
          named.getName() != "wgmma" && named.getName() != "tma" &&
          named.getName() != "patch") {
        *problem =
            ("has the unknown field '" + named.getName().strref() + "'").str();
        return std::nullopt;
      }
  }
  return tile;
}

std::string checkGemmTile(const GemmTile &tile) {
  if (tile.warpsM < 1 || tile.warpsN < 1 || tile.bm < 1 || tile.bn < 1)
    return "needs positive sizes and warps";
  if (tile.bk < 16 || tile.bk % 16)
    return "bk must be a multiple of 16";
  if (tile.bm % (16 * tile.warpsM) || tile.bn % (16 * tile.warpsN))
    return "each warp's tile must be whole 16x16 mma pairs";
  if (tile.stages < 2)
    return "needs at least 2 stages";
  if (tile.splitK < 1)
    return "split_k must be at least 1";
  if (tile.threads() > 1024)
    return "needs " + std::to_string(tile.threads()) +
           " threads, more than 1024";
  if (tile.sharedBytes() > kGemmMaxSharedBytes)
    return "needs " + std::to_string(tile.sharedBytes()) +
           " bytes of shared memory, more than " +
           std::to_string(kGemmMaxSharedBytes);
  if (tile.wgmma != 0 && tile.wgmma != 1)
    return "wgmma must be 0 or 1";
  if (tile.tma != 0 && tile.tma != 1)
    return "tma must be 0 or 1";
  if (tile.patch)
    return "patch tiles are for convolutions";
  if (tile.wgmma) {
    // One warpgroup per 64 rows, one 128-byte swizzle row of K per stage,
    // B in whole 64-column swizzle atoms, at most one m64n256 per k-step.
    if (tile.bk != 64)
      return "a wgmma tile needs bk 64";
    if (tile.bm % 64 || tile.warpsM != tile.bm / 16 || tile.warpsN != 1)
      return "a wgmma tile needs 4 warps (one warpgroup) per 64 rows";
    if (tile.bn % 64 || tile.bn > 256)
      return "a wgmma tile needs bn a multiple of 64, at most 256";
    if (tile.stages < 3)
      return "a wgmma tile needs at least 3 stages";
    if (tile.splitK != 1)
      return "a wgmma tile does not split K";
  }
  return std::string();
}

int64_t chooseGemmSplitK(int64_t outputTiles, int64_t kTiles) {
  if (outputTiles >= kGemmNumSMs || kTiles < 8)
    return 1;
  int64_t slices = std::min(ceilDiv(2 * kGemmNumSMs, outputTiles), kTiles / 4);
  return slices < 2 ? 1 : gemmSplitSlices(slices, kTiles).first;
}

std::pair<int64_t, int64_t> gemmSplitSlices(int64_t splitK, int64_t kTiles) {
  kTiles = std::max<int64_t>(kTiles, 1);
  int64_t perSlice = ceilDiv(kTiles, std::clamp<int64_t>(splitK, 1, kTiles));
  return {ceilDiv(kTiles, perSlice), perSlice};
}

GemmTile chooseGemmTile(int64_t m, int64_t n, int64_t k, int64_t batch,
                        bool canSplit) {
  GemmTile tile;
  if (m >= 128 && ceilDiv(m, 128) * ceilDiv(n, 128) * batch >= kGemmNumSMs) {
    tile = {128, 128, 64, 2, 4, 3};
  } else if (m > 32) {
    tile = {64, 64, 64, 2, 2, 4};
  } else {
    int64_t bm = m <= 16 ? 16 : 32;
    tile = ceilDiv(n, 64) * batch >= kGemmNumSMs
               ? GemmTile{bm, 64, 32, 1, 4, 4}
               : GemmTile{bm, 32, 32, 1, 2, 4};
  }
  if (canSplit)
    tile.splitK = chooseGemmSplitK(ceilDiv(m, tile.bm) * ceilDiv(n, tile.bn),
                                   ceilDiv(k, tile.bk));
  return tile;
}

SmallVector<GemmTile> gemmTileCandidates(int64_t m, int64_t n, int64_t k,
                                         int64_t batch, bool canSplit,
                                         unsigned max) {
  SmallVector<GemmTile> candidates;
  auto add = [&](GemmTile tile) {
    if (candidates.size() < max && checkGemmTile(tile).empty() &&
        ceilDiv(m, tile.bm) <= kGemmMaxGridYZ &&
        !llvm::is_contained(candidates, tile))
      candidates.push_back(tile);
  };
  GemmTile pick = chooseGemmTile(m, n, k, batch, canSplit);
  add(pick);
  // Split-K when the pick's tiles leave SMs idle: its split's neighbours.
  int64_t outputTiles = ceilDiv(m, pick.bm) * ceilDiv(n, pick.bn);
  int64_t kTiles = ceilDiv(k, pick.bk);
  if (canSplit && outputTiles < kGemmNumSMs) {
    for (int64_t slices : {int64_t(1), int64_t(2), int64_t(4)}) {
      GemmTile split = pick;
      split.splitK = slices;
      if (slices == 1 || kTiles >= 2 * slices)
        add(split);
    }
  }
  // Other tiles no taller or wider than the problem rounded up to 64 rows
  // or columns (a larger one computes mostly padding).
  SmallVector<GemmTile> pool;
  if (m > 32) {
    // Warpgroup MMA tiles first: on Hopper they run at several times the
    // mma.sync rate once the problem fills the SMs.
    pool = {{128, 256, 64, 8, 1, 4, 1, 1}, {128, 128, 64, 8, 1, 4, 1, 1},
            {64, 128, 64, 4, 1, 4, 1, 1},  {64, 64, 64, 2, 2, 4},
            {128, 128, 64, 2, 4, 3},       {128, 64, 64, 2, 2, 3},
            {64, 128, 64, 2, 2, 4},        {128, 256, 32, 2, 4, 3},
            {256, 128, 32, 4, 2, 3}};
  } else {
    int64_t bm = m <= 16 ? 16 : 32;
    pool = {{bm, 64, 32, 1, 4, 4},
            {bm, 32, 32, 1, 2, 4},
            {bm, 128, 32, 1, 4, 4},
            {bm, 64, 64, 1, 4, 3}};
  }
  for (const GemmTile &tile : pool)
    if (tile.bm <= std::max<int64_t>(ceilDiv(m, 64) * 64, 16) &&
        tile.bn <= ceilDiv(n, 64) * 64)
      add(tile);
  return candidates;
}

namespace {

/// The conv tiles, largest first (bk 32).
constexpr GemmTile kConvTiles[] = {
    {128, 128, 32, 2, 4, 3}, {128, 64, 32, 4, 2, 3}, {64, 128, 32, 2, 4, 3},
    {64, 64, 32, 2, 2, 4},   {32, 64, 32, 1, 4, 4},  {32, 32, 32, 1, 2, 4},
    {16, 64, 32, 1, 4, 4},   {16, 32, 32, 1, 2, 4}};

bool convTileFits(const GemmTile &tile, int64_t m, int64_t n) {
  return (tile.bm <= 16 || tile.bm <= m) && (tile.bn <= 32 || tile.bn <= n);
}

int64_t convOutputTiles(const GemmTile &tile, int64_t m, int64_t n) {
  return ceilDiv(m, tile.bm) * ceilDiv(n, tile.bn);
}

/// `tile` split as the heuristic splits it (unsplit unless `canSplit`).
GemmTile withConvSplit(GemmTile tile, int64_t m, int64_t n, int64_t k,
                       bool canSplit) {
  tile.splitK = canSplit ? chooseGemmSplitK(convOutputTiles(tile, m, n),
                                            ceilDiv(k, tile.bk))
                         : 1;
  return tile;
}

/// The patch tiles (GemmTile::patch): 16-pixel rows, 16, 8 or 4 of them,
/// the warps splitting pixels and channels; the smaller, the more blocks an
/// SM (one, two, four) to overlap one's epilogue with another's MMAs.
constexpr GemmTile kConvPatchTiles[] = {{256, 64, 16, 4, 2, 1, 1, 0, 0, 16},
                                        {128, 64, 16, 4, 2, 1, 1, 0, 0, 16},
                                        {64, 64, 16, 2, 2, 1, 1, 0, 0, 16}};

} // namespace

GemmTile chooseConvTile(int64_t m, int64_t n, int64_t k, bool canSplit) {
  for (const GemmTile &tile : kConvTiles)
    if (convTileFits(tile, m, n) && convOutputTiles(tile, m, n) >= kGemmNumSMs)
      return tile;
  return withConvSplit(kConvTiles[std::size(kConvTiles) - 1], m, n, k,
                       canSplit);
}

SmallVector<GemmTile> convTileCandidates(int64_t m, int64_t n, int64_t k,
                                         bool canSplit, bool tmaInput,
                                         bool patchInput, unsigned max) {
  SmallVector<GemmTile> candidates;
  auto add = [&](const GemmTile &tile) {
    if (candidates.size() < max && ceilDiv(m, tile.bm) <= kGemmMaxGridYZ &&
        !llvm::is_contained(candidates, tile))
      candidates.push_back(tile);
  };
  GemmTile pick = chooseConvTile(m, n, k, canSplit);
  add(pick);
  // A split pick: twice its slices (more blocks, shorter slices) while
  // each slice keeps the pipeline's depth of 4 K tiles, and no split (no
  // partial sums through memory).
  int64_t kTiles = ceilDiv(k, pick.bk);
  if (pick.splitK > 1) {
    auto [doubled, perSlice] = gemmSplitSlices(2 * pick.splitK, kTiles);
    if (doubled > pick.splitK && perSlice >= 4) {
      GemmTile more = pick;
      more.splitK = doubled;
      add(more);
    }
    GemmTile unsplit = pick;
    unsplit.splitK = 1;
    add(unsplit);
  }
  // The others by how near their block count is to the SM count (the
  // ratio, either way): the tiles that fill the GPU about once first.
  SmallVector<GemmTile> others;
  for (const GemmTile &tile : kConvTiles)
    if (convTileFits(tile, m, n))
      others.push_back(tile);
  auto distance = [&](const GemmTile &tile) {
    double blocks = double(convOutputTiles(tile, m, n));
    return std::abs(std::log(blocks / double(kGemmNumSMs)));
  };
  std::stable_sort(others.begin(), others.end(),
                   [&](const GemmTile &a, const GemmTile &b) {
                     return distance(a) < distance(b);
                   });
  // A shallow channel dimension (a network's first conv, its colours
  // padded to 4) makes per-tap copies of 8 bytes the implicit GEMM's bound;
  // a patch tile copies each input pixel once per block.
  if (patchInput)
    for (const GemmTile &tile : kConvPatchTiles)
      if (convTileFits(tile, m, n))
        add(tile);
  // Warpgroup-MMA tiles where the problem fills the GPU at least half
  // once with them (ResNet's 3x3 layers at batch 32).
  for (GemmTile tile : {GemmTile{128, 128, 64, 8, 1, 4, 1, 1},
                        GemmTile{128, 64, 64, 8, 1, 4, 1, 1},
                        GemmTile{64, 128, 64, 4, 1, 4, 1, 1}})
    if (convTileFits(tile, m, n) &&
        2 * convOutputTiles(tile, m, n) >= kGemmNumSMs) {
      // TMA copies first: they leave the warps only the MMAs to issue.
      if (tmaInput) {
        GemmTile copied = tile;
        copied.tma = 1;
        add(copied);
      }
      add(tile);
    }
  // A shallow reduction (a network's first conv: K = 7 x 7 x 4) gives each
  // block a few K tiles only, so its pipeline's fill and its epilogue are
  // latency that other blocks on the SM hide: fewer stages, more blocks.
  if (ceilDiv(k, 64) <= 4)
    for (GemmTile tile : {GemmTile{128, 64, 64, 8, 1, 3, 1, 1},
                          GemmTile{64, 64, 64, 4, 1, 3, 1, 1}})
      if (convTileFits(tile, m, n) &&
          2 * convOutputTiles(tile, m, n) >= kGemmNumSMs)
        add(tile);
  for (const GemmTile &tile : others)
    add(withConvSplit(tile, m, n, k, canSplit));
  return candidates;
}

bool convTakesTmaInput(ArrayRef<int64_t> input, ArrayRef<int64_t> filter,
                       ArrayRef<int64_t> output, unsigned elementBits,
                       ArrayRef<int64_t> strides, ArrayRef<int64_t> padsBegin,
                       ArrayRef<int64_t> dilations) {
  if (input.size() != 4 || filter.size() != 4 || output.size() != 4 ||
      elementBits != 16 || strides.size() != 2 || padsBegin.size() != 2 ||
      dilations.size() != 2)
    return false;
  // One K tile is 64 channels of one tap: 128 bytes, the swizzle's row.
  if (input[3] % 64 != 0)
    return false;
  for (int d = 0; d < 2; ++d) {
    int64_t size = input[1 + d], taps = filter[1 + d], out = output[1 + d];
    if (strides[d] < 1 || strides[d] > 8 || dilations[d] < 1)
      return false;
    // Tap offsets are 16-bit; a 4-D map's window corners 8-bit.
    int64_t lower = -padsBegin[d];
    int64_t upper = (out - 1) * strides[d] - padsBegin[d] - (size - 1);
    if ((taps - 1) * dilations[d] >= (1 << 16) || lower < -128 || lower > 127 ||
        upper < -128 || upper > 127)
      return false;
  }
  return true;
}

int64_t convPatchSharedBytes(const GemmTile &tile, int64_t channels,
                             ArrayRef<int64_t> window,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations) {
  int64_t rows = tile.bm / tile.patch, columns = tile.patch;
  int64_t patchH = (rows - 1) * strides[0] + (window[0] - 1) * dilations[0] + 1;
  int64_t patchW =
      (columns - 1) * strides[1] + (window[1] - 1) * dilations[1] + 1;
  int64_t k = window[0] * window[1] * channels;
  return (tile.bn * (ceilDiv(k, 16) * 16 + 8) + 2 * patchH * patchW * channels +
          tile.bm * (tile.bn + 8)) *
         2;
}

bool convTakesPatchInput(ArrayRef<int64_t> input, ArrayRef<int64_t> filter,
                         ArrayRef<int64_t> output, unsigned elementBits,
                         unsigned resultBits, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations) {
  if (input.size() != 4 || filter.size() != 4 || output.size() != 4 ||
      elementBits != 16 || resultBits != 16 || strides.size() != 2 ||
      dilations.size() != 2)
    return false;
  if ((input[3] != 4 && input[3] != 8) || filter[3] != input[3])
    return false;
  for (int d = 0; d < 2; ++d)
    if (strides[d] < 1 || dilations[d] < 1)
      return false;
  // The fewest pixels a tile takes (the most blocks along grid y).
  int64_t blocks = input[0];
  for (int d = 0; d < 2; ++d)
    blocks *= ceilDiv(output[1 + d], d == 0 ? 8 : 16);
  if (blocks > kGemmMaxGridYZ)
    return false;
  for (const GemmTile &tile : kConvPatchTiles)
    if (convPatchSharedBytes(tile, input[3], filter.slice(1, 2), strides,
                             dilations) > kGemmMaxSharedBytes)
      return false;
  return true;
}

std::string checkConvTile(const GemmTile &tile) {
  if (tile.patch) {
    if (tile.wgmma || tile.tma)
      return "a patch tile takes mma.sync and per-thread copies (no wgmma, "
             "no tma)";
    if (tile.patch != 8 && tile.patch != 16 && tile.patch != 32)
      return "patch must be 8, 16 or 32 pixels";
    if (tile.bm % tile.patch)
      return "a patch tile needs bm a multiple of patch (whole pixel rows)";
    if (tile.bk != 16 || tile.stages != 1 || tile.splitK != 1)
      return "a patch tile needs bk 16, stages 1 and split_k 1";
    if (tile.warpsM < 1 || tile.warpsN < 1 || tile.bm % (16 * tile.warpsM) ||
        tile.bn % (16 * tile.warpsN))
      return "each warp's tile must be whole 16x16 mma pairs";
    if (tile.threads() > 1024)
      return "needs " + std::to_string(tile.threads()) +
             " threads, more than 1024";
    return std::string();
  }
  if (tile.tma && !tile.wgmma)
    return "tma needs a warpgroup-MMA (wgmma) tile";
  if (tile.bk != (tile.wgmma ? 64 : 32))
    return tile.wgmma ? "bk must be 64 for a warpgroup-MMA convolution"
                      : "bk must be 32 for a convolution";
  return checkGemmTile(tile);
}

} // namespace dsc::exec
