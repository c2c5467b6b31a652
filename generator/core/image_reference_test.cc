// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/image_reference.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

ImageReference parsed(std::string_view text) {
  auto ref = parse_image_reference(text);
  EXPECT_TRUE(ref.has_value()) << (ref ? "" : ref.error().message);
  return ref ? *ref : ImageReference{};
}

TEST(ImageReference, OneWordNameIsAnOfficialDockerHubImage) {
  auto ref = parsed("busybox");
  EXPECT_EQ(ref.canonical(), "docker.io/library/busybox:latest");
  EXPECT_EQ(ref.registry_host(), "registry-1.docker.io");
  EXPECT_FALSE(ref.registry_given);
}

TEST(ImageReference, TwoWordNameIsOnDockerHub) {
  auto ref = parsed("valkey/valkey:9.0.0");
  EXPECT_EQ(ref.canonical(), "docker.io/valkey/valkey:9.0.0");
  EXPECT_EQ(ref.version(), "9.0.0");
}

TEST(ImageReference, RegistryWithPortAndDigest) {
  auto ref = parsed("127.0.0.1:5000/team/app@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(ref.registry, "127.0.0.1:5000");
  EXPECT_TRUE(ref.registry_given);
  EXPECT_EQ(ref.repository, "team/app");
  EXPECT_EQ(ref.tag, "");
  EXPECT_EQ(ref.version(), "aaaaaaaaaaaa");
  EXPECT_EQ(ref.registry_host(), "127.0.0.1:5000");
}

TEST(ImageReference, LocalhostIsARegistry) {
  EXPECT_EQ(parsed("localhost/app:1").registry, "localhost");
}

TEST(ImageReference, DockerTransportPrefixIsAccepted) {
  EXPECT_EQ(parsed("docker://quay.io/a/b:c").canonical(), "quay.io/a/b:c");
}

TEST(ImageReference, OciLayoutSource) {
  auto ref = parsed("oci:/srv/images:app-1.0");
  EXPECT_EQ(ref.transport, ImageReference::Transport::kOciDir);
  EXPECT_EQ(ref.path, "/srv/images");
  EXPECT_EQ(ref.tag, "app-1.0");
  EXPECT_EQ(ref.canonical(), "oci:/srv/images:app-1.0");
}

TEST(ImageReference, OciArchiveSource) {
  auto ref = parsed("oci-archive:/srv/app.tar");
  EXPECT_EQ(ref.transport, ImageReference::Transport::kOciArchive);
  EXPECT_EQ(ref.path, "/srv/app.tar");
}

TEST(ImageReference, InvalidReferencesSayWhatIsWrong) {
  auto message = [](std::string_view text) { return parse_image_reference(text).error().message; };
  EXPECT_EQ(message("busybox@sha256:abc"),
            "image 'busybox@sha256:abc': 'sha256:abc' is not a sha256 digest (sha256: and 64 "
            "lowercase hex digits)");
  EXPECT_EQ(message("busybox:-x"), "image 'busybox:-x': '-x' is not a valid tag");
  EXPECT_EQ(message("oci:relative:tag"),
            "image 'oci:relative:tag': an oci: or oci-archive: source needs an absolute path");
  EXPECT_EQ(message("a//b"),
            "image 'a//b': 'a//b' is not a valid repository name (lowercase letters, digits and "
            "separators . _ - only)");
  EXPECT_EQ(message(""), "image reference is empty");
}

}  // namespace
}  // namespace ctapp
