// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/image_json.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kOther = "sha256:" + std::string(64, 'b');

nlohmann::json document(const std::string& text) {
  auto json = parse_image_json(text, "manifest");
  EXPECT_TRUE(json) << json.error().message;
  return json ? *json : nlohmann::json();
}

std::string manifest_text(const std::string& media_type_json) {
  return R"({"schemaVersion": 2, "mediaType": )" + media_type_json + R"(, "config": {"digest": ")" + kDigest +
         R"(", "size": 10}, "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ")" +
         kOther + R"(", "size": 20}]})";
}

TEST(ImageJson, AManifestWithANumericMediaTypeIsAnErrorNamingTheField) {
  auto manifest = parse_image_manifest(document(manifest_text("5")), "manifest");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().message, "manifest: 'mediaType' must be a string, not a number");
}

TEST(ImageJson, AValidManifestParses) {
  auto manifest = parse_image_manifest(document(manifest_text(R"("application/vnd.oci.image.manifest.v1+json")")), "m");
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->config.digest, kDigest);
  ASSERT_EQ(manifest->layers.size(), 1u);
  EXPECT_EQ(manifest->layers[0].size, 20);
}

TEST(ImageJson, APlatformWithANumericOsIsAnError) {
  auto index = parse_image_index(
      document(R"({"manifests": [{"digest": ")" + kDigest + R"(", "size": 1, "platform": {"os": 1, "architecture": "amd64"}}]})"),
      "index");
  ASSERT_FALSE(index);
  EXPECT_EQ(index.error().message, "index: 'manifests[0].platform.os' must be a string, not a number");
}

TEST(ImageJson, DescriptorsNeedADigestCtappCanVerifyAndASaneSize) {
  auto bad_digest = parse_image_index(document(R"({"manifests": [{"digest": "md5:x", "size": 1}]})"), "index");
  ASSERT_FALSE(bad_digest);
  EXPECT_EQ(bad_digest.error().message,
            "index: 'manifests[0].digest' is 'md5:x', not a sha256 digest ctapp can verify");
  auto negative = parse_image_index(document(R"({"manifests": [{"digest": ")" + kDigest + R"(", "size": -1}]})"), "index");
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().message,
            "index: 'manifests[0].size' must be an integer from 0 to 9223372036854775807, not a number");
}

TEST(ImageJson, LayersOfUnknownMediaTypesAreRefused) {
  std::string text = R"({"config": {"digest": ")" + kDigest + R"(", "size": 1}, "layers": [{"mediaType": "text/plain", "digest": ")" +
                     kOther + R"(", "size": 1}]})";
  auto manifest = parse_image_manifest(document(text), "manifest");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().message, "manifest: layer " + kOther + " has media type 'text/plain', which ctapp cannot unpack");
}

TEST(ImageJson, ConfigNeedsDiffIdsAsStrings) {
  auto config = parse_image_config(document(R"({"rootfs": {"diff_ids": [1]}})"), "config");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "config: 'rootfs.diff_ids[0]' must be a string, not a number");
  auto runtime = parse_image_config(document(R"({"rootfs": {"diff_ids": []}, "config": []})"), "config");
  ASSERT_FALSE(runtime);
  EXPECT_EQ(runtime.error().message, "config: 'config' must be an object, not an array");
}

TEST(ImageJson, DeepNestingIsRefusedBeforeParsing) {
  auto json = parse_image_json(std::string(1000000, '['), "manifest");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message, "manifest nests deeper than 64 levels");
}

TEST(ImageJson, ADocumentMustBeAnObject) {
  auto json = parse_image_json("[]", "manifest");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message, "manifest must be a JSON object, not an array");
}

TEST(ImageJson, IndexesAreRecognisedByMediaTypeOrShape) {
  EXPECT_TRUE(is_index_document(document(R"({"mediaType": "application/vnd.oci.image.index.v1+json"})"), ""));
  EXPECT_TRUE(is_index_document(document(R"({"manifests": []})"), ""));
  EXPECT_FALSE(is_index_document(document(R"({"manifests": [], "layers": []})"), ""));
  EXPECT_TRUE(is_index_document(document(R"({})"), "application/vnd.docker.distribution.manifest.list.v2+json"));
  EXPECT_FALSE(is_index_document(document(R"({"mediaType": 5})"), ""));
}

}  // namespace
}  // namespace ctapp
