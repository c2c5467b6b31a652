// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/ref_name.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

std::string stored(const std::string& reference) {
  auto ref = parse_image_reference(reference);
  EXPECT_TRUE(ref) << ref.error().message;
  return ref ? store_ref_name(*ref) : "";
}

TEST(RefName, TheImageSpecGrammar) {
  EXPECT_TRUE(is_valid_ref_name("latest"));
  EXPECT_TRUE(is_valid_ref_name("127.0.0.1:5000/test/box:1"));
  EXPECT_TRUE(is_valid_ref_name("oci/srv/my_images/a--b:v1.0"));
  EXPECT_FALSE(is_valid_ref_name("/srv/images:web"));
  EXPECT_FALSE(is_valid_ref_name("a//b"));
  EXPECT_FALSE(is_valid_ref_name("a__b"));
  EXPECT_FALSE(is_valid_ref_name("a b"));
  EXPECT_FALSE(is_valid_ref_name("a."));
  EXPECT_FALSE(is_valid_ref_name(""));
}

TEST(RefName, RegistryImagesKeepTheirCanonicalName) {
  EXPECT_EQ(stored("127.0.0.1:5000/test/box:1"), "127.0.0.1:5000/test/box:1");
  EXPECT_EQ(stored("busybox"), "docker.io/library/busybox:latest");
}

TEST(RefName, LayoutsAndArchivesGetAValidNameUnderTheirTransport) {
  EXPECT_EQ(stored("oci:/srv/images:web"), "oci/srv/images:web");
  EXPECT_EQ(stored("oci-archive:/srv/web.tar:web"), "oci-archive/srv/web.tar:web");
  EXPECT_TRUE(is_valid_ref_name(stored("oci:/srv/images:web")));
}

TEST(RefName, PathsOutsideTheGrammarAreMappedAndStayDistinct) {
  std::string spaced = stored("oci:/srv/my images:web");
  std::string dashed = stored("oci:/srv/my-images:web");
  std::string hidden = stored("oci:/tmp/.cache/x__y:web");
  EXPECT_TRUE(is_valid_ref_name(spaced)) << spaced;
  EXPECT_TRUE(is_valid_ref_name(hidden)) << hidden;
  EXPECT_NE(spaced, dashed);
  EXPECT_TRUE(spaced.starts_with("oci/srv/my-images-")) << spaced;
  EXPECT_TRUE(spaced.ends_with(":web")) << spaced;
}

}  // namespace
}  // namespace ctapp
