// SPDX-License-Identifier: LGPL-2.1-or-later
#include <gtest/gtest.h>

#include "core/app_config_parser.h"
#include "kube/kube_container.h"
#include "kube/kube_image.h"
#include "kube/kube_pod.h"
#include "kube/kube_values.h"
#include "kube/kube_yaml.h"

namespace ctapp {
namespace {

AppConfig parse(std::string_view name, std::string_view text) {
  auto result = parse_app_text(name, std::string("/etc/containers.d/") + std::string(name) + ".ctapp", text);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().front().format());
  return result ? *result : AppConfig{};
}

KubeApp app(std::string_view name, std::string_view text) {
  AppConfig config = parse(name, text);
  KubeImage image = kube_image(config, AppVersions{});
  return {std::move(config), std::move(image)};
}

bool contains(const std::vector<std::string>& lines, std::string_view text) {
  for (const auto& line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

TEST(KubeValues, SystemdSizesBecomeBinaryQuantities) {
  EXPECT_EQ(kube_memory("512M"), "512Mi");
  EXPECT_EQ(kube_memory("1G"), "1Gi");
  EXPECT_EQ(kube_memory("64K"), "64Ki");
  EXPECT_EQ(kube_memory("1048576"), "1048576");
  EXPECT_EQ(kube_memory("infinity"), std::nullopt);
  EXPECT_EQ(kube_memory("50%"), std::nullopt);
}

TEST(KubeValues, CpuQuotaPercentBecomesMillicores) {
  EXPECT_EQ(kube_cpu("150%"), "1500m");
  EXPECT_EQ(kube_cpu("12.5%"), "125m");
  EXPECT_EQ(kube_cpu("0.01%"), "1m");
  EXPECT_EQ(kube_cpu("150"), std::nullopt);
}

TEST(KubeValues, LabelsAreLowerCaseDnsLabels) {
  EXPECT_EQ(kube_label("Web_1"), "web-1");
  EXPECT_EQ(kube_label("web-/data/x"), "web-data-x");
  EXPECT_EQ(kube_label(std::string(80, 'a')).size(), 63u);
  EXPECT_EQ(kube_label("__"), "app");
}

TEST(KubeImage, PinsTheDigestThisMachineRunsForTheTag) {
  AppConfig config = parse("web", "image = \"127.0.0.1:5000/web:1\"\n");
  AppVersions versions;
  versions.versions.push_back({"web-1-0123456789ab", "sha256:" + std::string(64, 'a'),
                               "127.0.0.1:5000/web:1"});
  KubeImage image = kube_image(config, versions);
  EXPECT_EQ(image.reference, "127.0.0.1:5000/web:1@sha256:" + std::string(64, 'a'));
  EXPECT_TRUE(image.unexpressed.empty());
}

TEST(KubeImage, WithoutAVersionTheReferenceIsKeptAsWrittenAndSaysSo) {
  KubeImage image = kube_image(parse("web", "image = \"busybox:1.36\"\n"), AppVersions{});
  EXPECT_EQ(image.reference, "busybox:1.36");
  EXPECT_TRUE(contains(image.notes, "no digest is pinned"));
}

TEST(KubeImage, OciLayoutGetsAPlaceholderAndAPushHint) {
  KubeImage image = kube_image(parse("web", "image = \"oci:/srv/layout:v2\"\n"), AppVersions{});
  EXPECT_EQ(image.reference, "registry.invalid/web:v2");
  ASSERT_EQ(image.unexpressed.size(), 1u);
  EXPECT_NE(image.unexpressed[0].find("skopeo copy oci:/srv/layout:v2 docker://REGISTRY/web:v2"),
            std::string::npos);
}

TEST(KubeContainer, EntrypointIsCommandAndCommandIsArgs) {
  KubeApp web = app("web", "image = \"busybox\"\n[run]\nentrypoint = [\"/bin/sh\", \"-c\"]\n"
                           "command = [\"exec httpd\"]\n");
  KubeAppParts parts = kube_app_parts(web.config, web.image);
  EXPECT_EQ(parts.container["command"], nlohmann::ordered_json({"/bin/sh", "-c"}));
  EXPECT_EQ(parts.container["args"], nlohmann::ordered_json({"exec httpd"}));
}

TEST(KubeContainer, EnvFilesAreSecretReferencesNeverValues) {
  KubeApp web = app("web", "image = \"busybox\"\n[run]\nenv_files = [\"/etc/web/secret.env\"]\n");
  KubeAppParts parts = kube_app_parts(web.config, web.image);
  EXPECT_EQ(parts.container["envFrom"][0]["secretRef"]["name"], "web-secret-env");
  EXPECT_FALSE(parts.container.contains("env"));
}

TEST(KubeContainer, VolumesBecomeClaimsAndMountsHostPaths) {
  KubeApp web = app("web", "image = \"busybox\"\n[[volume]]\ntarget = \"/data\"\n"
                           "[[mount]]\nsource = \"/srv/www\"\ntarget = \"/www\"\nread_only = true\n");
  KubeAppParts parts = kube_app_parts(web.config, web.image);
  ASSERT_EQ(parts.claims.size(), 1u);
  EXPECT_EQ(parts.claims[0]["metadata"]["name"], "web-data");
  ASSERT_EQ(parts.volumes.size(), 2u);
  EXPECT_EQ(parts.volumes[0]["persistentVolumeClaim"]["claimName"], "web-data");
  EXPECT_EQ(parts.volumes[1]["hostPath"]["path"], "/srv/www");
  EXPECT_EQ(parts.container["volumeMounts"][1]["readOnly"], true);
  EXPECT_TRUE(contains(parts.notes, "hostPath"));
}

TEST(KubeContainer, WhatHasNoKubernetesFormIsListed) {
  KubeApp web = app("web", "image = \"busybox\"\n[run]\ninit = true\nstop_signal = \"SIGINT\"\n"
                           "[resources]\nio_weight = 50\n");
  KubeAppParts parts = kube_app_parts(web.config, web.image);
  EXPECT_TRUE(contains(parts.unexpressed, "app 'web': init = true"));
  EXPECT_TRUE(contains(parts.unexpressed, "stop_signal = 'SIGINT'"));
  EXPECT_TRUE(contains(parts.unexpressed, "io_weight = 50"));
}

TEST(KubePod, AppsSharingANetworkShareOnePodOwnerFirst) {
  std::vector<KubeApp> apps;
  apps.push_back(app("sidecar", "image = \"busybox\"\n[network]\nmode = \"app:web\"\n"));
  apps.push_back(app("web", "image = \"busybox\"\n[network]\nmode = \"bridge\"\n"));
  KubeOutput output = kube_documents(apps, {});
  ASSERT_EQ(output.documents.size(), 1u);
  const auto& pod = output.documents[0].body;
  EXPECT_EQ(pod["metadata"]["name"], "web");
  ASSERT_EQ(pod["spec"]["containers"].size(), 2u);
  EXPECT_EQ(pod["spec"]["containers"][0]["name"], "web");
  EXPECT_EQ(pod["spec"]["containers"][1]["name"], "sidecar");
}

TEST(KubePod, DeploymentSaysWhenTheRestartPolicyChanges) {
  std::vector<KubeApp> apps{app("web", "image = \"busybox\"\n[service]\nrestart = \"on-failure\"\n")};
  KubeOutput output = kube_documents(apps, {.deployment = true});
  const auto& deployment = output.documents[0].body;
  EXPECT_EQ(deployment["kind"], "Deployment");
  EXPECT_EQ(deployment["spec"]["template"]["metadata"]["labels"]["app"], "web");
  EXPECT_FALSE(deployment["spec"]["template"]["spec"].contains("restartPolicy"));
  EXPECT_TRUE(contains(output.unexpressed, "restart = 'on-failure': a Deployment always restarts"));
}

TEST(KubeYaml, StringsThatLookLikeOtherTypesAreQuoted) {
  KubeDocument document{{"a comment", "another"},
                        {{"port", 8080}, {"value", "8080"}, {"flag", "on"}, {"empty", ""},
                         {"name", "web"}, {"list", nlohmann::ordered_json::array()}}};
  EXPECT_EQ(kube_yaml({document}).value(),
            "---\n# a comment\n# another\nport: 8080\nvalue: \"8080\"\nflag: \"on\"\nempty: \"\"\nname: web\n"
            "list: []\n");
}

}  // namespace
}  // namespace ctapp
