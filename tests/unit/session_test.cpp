#include "engine/session.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace fs {
namespace {

TEST(Session, RunsSingleOp) {
  auto out = test::run_op("Relu", {test::f32({4}, {-1, 0, 2, -3.5f})});
  ASSERT_EQ(out.size(), 1u);
  test::expect_near(out[0], {0, 0, 2, 0});
}

}  // namespace
}  // namespace fs
