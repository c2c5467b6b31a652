// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/platform.h"

#include <gtest/gtest.h>

#include "store/media_types.h"

namespace ctapp {
namespace {

TEST(Platform, VariantMustMatchOnlyWhenBothNameOne) {
  Platform arm64{"linux", "arm64", "v8"};
  EXPECT_TRUE(platform_matches({"linux", "arm64", ""}, arm64));
  EXPECT_TRUE(platform_matches({"linux", "arm64", "v8"}, arm64));
  EXPECT_FALSE(platform_matches({"linux", "arm64", "v9"}, arm64));
  EXPECT_FALSE(platform_matches({"linux", "amd64", ""}, arm64));
  EXPECT_FALSE(platform_matches({"windows", "arm64", ""}, arm64));
}

TEST(Platform, ChoiceSkipsAttestationsAndEntriesWithoutPlatform) {
  std::vector<std::optional<Platform>> platforms = {
      std::nullopt, Platform{"unknown", "unknown", ""}, Platform{"linux", "arm64", ""}, Platform{"linux", "amd64", ""}};
  EXPECT_EQ(choose_platform(platforms, {"linux", "amd64", ""}, "x").value(), 3u);
  auto none = choose_platform(platforms, {"linux", "s390x", ""}, "127.0.0.1:5000/test/multi:1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "127.0.0.1:5000/test/multi:1 has no image for linux/s390x (it has linux/arm64, linux/amd64); "
            "choose one with --platform");
}

TEST(MediaTypes, ContentTypesMustBeMediaTypes) {
  EXPECT_TRUE(is_media_type("application/vnd.oci.image.manifest.v1+json"));
  EXPECT_FALSE(is_media_type("application/\xff"));
  EXPECT_FALSE(is_media_type("application"));
  EXPECT_FALSE(is_media_type("application/x y"));
  EXPECT_TRUE(is_index_media_type(kDockerManifestList));
  EXPECT_TRUE(is_layer_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"));
}

}  // namespace
}  // namespace ctapp
