// SPDX-License-Identifier: LGPL-2.1-or-later
#include "userns/id_ranges.h"

#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

class IdRanges : public ::testing::Test {
 protected:
  Paths paths() {
    Paths paths;
    paths.root = root_.path();
    return paths;
  }
  void write_etc(const char* file, const std::string& text) {
    std::filesystem::create_directories(root_.path() / "etc");
    ASSERT_TRUE(write_file_atomic(root_.path() / "etc" / file, text));
  }
  TestTempDir root_;
};

TEST_F(IdRanges, TwoAppsGetDisjointRangesOf65536) {
  auto a = allocate_id_range(paths(), "a");
  auto b = allocate_id_range(paths(), "b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->count, 65536u);
  EXPECT_EQ(a->start, 0x70000000u);
  EXPECT_FALSE(a->overlaps(*b));
}

TEST_F(IdRanges, AnAppKeepsItsRangeAcrossAllocations) {
  auto first = allocate_id_range(paths(), "a");
  allocate_id_range(paths(), "b");
  auto again = allocate_id_range(paths(), "a");
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->start, again->start);
  EXPECT_EQ(recorded_id_range(paths(), "a").value()->start, first->start);
}

TEST_F(IdRanges, RangesInSubuidAndSubgidAreAvoided) {
  write_etc("subuid", "containers:1879048192:65536\n# comment\nbroken line\n");
  write_etc("subgid", "containers:1879113728:100\n");
  auto range = allocate_id_range(paths(), "a");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->start, 0x70000000u + 2 * 65536);
}

TEST_F(IdRanges, AnExhaustedPoolIsAnErrorThatSaysWhatToDo) {
  IdPool pool{.first = 100000, .end = 100000 + 2 * 65536, .block = 65536};
  ASSERT_TRUE(allocate_id_range(paths(), "a", pool));
  ASSERT_TRUE(allocate_id_range(paths(), "b", pool));
  auto third = allocate_id_range(paths(), "c", pool);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().message,
            "no free range of 65536 ids left for app 'c' between 100000 and 231072 (2 blocks are "
            "taken by other apps or /etc/subuid, /etc/subgid): remove the record of an app that "
            "is gone from " + (root_.path() / "var/lib/ctapp/userns").string());
}

TEST_F(IdRanges, SubidFilesAreParsedLikeShadowDoes) {
  auto ranges = parse_subid_ranges("a:100000:65536\nb:x:1\nc:200000:0\nd:300000:10\n");
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[1].start, 300000u);
}

}  // namespace
}  // namespace ctapp
