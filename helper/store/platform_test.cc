// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/platform.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/media_types.h"
#include "store/ref_name.h"

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
            "choose one with --platform or the app's platform key");
}

TEST(Platform, ParseAcceptsOsArchAndVariantOnly) {
  EXPECT_EQ(Platform::parse("linux/arm/v7").value(), (Platform{"linux", "arm", "v7"}));
  EXPECT_EQ(Platform::parse("linux/arm64").value(), (Platform{"linux", "arm64", ""}));
  for (const char* bad : {"linux", "linux/", "/arm64", "linux/arm/v7/x", "linux/ARM64", "linux//v7",
                          "linux/arm 64"}) {
    auto parsed = Platform::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message,
              fmt::format("'{}' is not a platform: write OS/ARCH[/VARIANT] in lower case, such as "
                          "\"linux/arm64\" or \"linux/arm/v7\"", bad));
  }
}

TEST(StoreRefName, AForeignPlatformGetsANameOfItsOwn) {
  auto ref = parse_image_reference("127.0.0.1:5000/test/box:1").value();
  EXPECT_EQ(store_ref_name(ref, Platform::current()), "127.0.0.1:5000/test/box:1");
  Platform other{"linux", Platform::current().architecture == "s390x" ? "riscv64" : "s390x", ""};
  std::string name = store_ref_name(ref, other);
  EXPECT_EQ(name, "127.0.0.1:5000/test/box:1+linux-" + other.architecture);
  EXPECT_TRUE(is_valid_ref_name(name));
  EXPECT_EQ(store_ref_name(ref, Platform{"linux", "arm", "v7"}),
            Platform::current().architecture == "arm" ? "127.0.0.1:5000/test/box:1"
                                                      : "127.0.0.1:5000/test/box:1+linux-arm-v7");
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
