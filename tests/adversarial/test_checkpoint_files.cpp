// Hostile PyTorch checkpoints (scripts/make_hostile_checkpoints.py): code named in the pickle,
// a zip bomb, storages and shapes beyond the file, nesting and cycles, truncation. Each is a
// tg::Error that says what is wrong, after no allocation beyond what the file justifies, and a
// module it was to be loaded into is unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tensorgrad/nn/modules.h"
#include "tensorgrad/serialize.h"

namespace {

namespace fs = std::filesystem;

fs::path hostile(const std::string& name) {
  return fs::path(TG_FIXTURE_DIR) / "io" / "hostile" / name;
}

std::string load_error(const std::string& name) {
  try {
    tg::torch_load(hostile(name));
  } catch (const tg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_LOAD_ERROR(file, text)                                            \
  do {                                                                           \
    const std::string message = load_error(file);                                \
    EXPECT_NE(message.find(text), std::string::npos) << file << ": " << message; \
  } while (0)

TEST(HostileCheckpoints, TheValidBaselineLoads) {
  const tg::IValue v = tg::torch_load(hostile("valid_tensor.pt"));
  ASSERT_TRUE(v.isTensor());
  EXPECT_EQ(v.toTensor()[1].item<float>(), -2.0f);
}

TEST(HostileCheckpoints, NamesOfCodeAreRefused) {
  EXPECT_LOAD_ERROR("os_system.pt", "refusing to load the global 'os.system'");
  EXPECT_LOAD_ERROR("builtins_eval.pt", "refusing to load the global 'builtins.eval'");
}

TEST(HostileCheckpoints, ZipBombIsRefusedBeforeInflating) {
  EXPECT_LOAD_ERROR("zip_bomb.pt", "more than deflate can produce");
}

TEST(HostileCheckpoints, StoragesAndShapesBeyondTheFile) {
  EXPECT_LOAD_ERROR("storage_beyond_file.pt", "but its record holds 8 bytes");
  EXPECT_LOAD_ERROR("shape_overflow.pt", "overflowed");
  EXPECT_LOAD_ERROR("stride_overflow.pt", "overflowed");
  EXPECT_LOAD_ERROR("view_beyond_storage.pt", "needs 12 bytes but its storage has 8");
  EXPECT_LOAD_ERROR("half_storage.pt", "torch.float16");
}

TEST(HostileCheckpoints, NestingCyclesAndLengthsAreBounded) {
  EXPECT_LOAD_ERROR("deep_nesting.pt", "nested more than 256 deep");
  EXPECT_LOAD_ERROR("self_containing_list.pt", "cannot contain itself");
  EXPECT_LOAD_ERROR("huge_string.pt", "truncated");
  EXPECT_LOAD_ERROR("shared_object_state.pt", "the state of an object is used twice");
}

TEST(HostileCheckpoints, TruncatedArchive) {
  EXPECT_LOAD_ERROR("truncated.pt", "not a readable zip archive");
}

TEST(HostileCheckpoints, TheTargetModuleIsUnchanged) {
  tg::nn::Linear linear(2, 1);
  const tg::Tensor before = linear->weight.clone();
  for (const char* name : {"os_system.pt", "zip_bomb.pt", "truncated.pt", "valid_tensor.pt",
                           "storage_beyond_file.pt"}) {
    EXPECT_THROW(tg::load(linear, hostile(name)), tg::Error) << name;
    EXPECT_TRUE(linear->weight.equal(before)) << name;
  }
}

TEST(HostileCheckpoints, BytesThatAreNotAnArchive) {
  EXPECT_THROW(tg::pickle_load({}), tg::Error);
  EXPECT_THROW(tg::pickle_load({'P', 'K', 3, 4}), tg::Error);
  EXPECT_THROW(tg::pickle_load({'\x80', '\x02', '.', 0}), tg::Error);
}

}  // namespace
