// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/text_split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctapp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TextSplit, PiecesAsGetlineGivesThem) {
  EXPECT_THAT(split("a\nb\n", '\n'), ElementsAre("a", "b"));
  EXPECT_THAT(split("a\n\nb", '\n'), ElementsAre("a", "", "b"));
  EXPECT_THAT(split("root:x:0:0::/root:/bin/sh", ':'), ElementsAre("root", "x", "0", "0", "", "/root", "/bin/sh"));
  EXPECT_THAT(split(":", ':'), ElementsAre(""));
  EXPECT_THAT(split("", ':'), IsEmpty());
}

}  // namespace
}  // namespace ctapp
