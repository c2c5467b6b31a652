// SPDX-License-Identifier: LGPL-2.1-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"
#include "registry/auth.h"
#include "registry/curl_library.h"
#include "registry/http_client.h"
#include "registry/registry_client.h"
#include "registry/registries_conf.h"

namespace ctapp {
namespace {

using ::testing::HasSubstr;

TEST(WwwAuthenticate, ParsesQuotedAndBareParametersInAnyOrder) {
  auto challenges = parse_www_authenticate(
      R"(Bearer scope="repository:library/busybox:pull,push",realm="https://auth.docker.io/token",service=registry.docker.io)");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Bearer");
  EXPECT_EQ(challenges[0].parameters["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(challenges[0].parameters["service"], "registry.docker.io");
  EXPECT_EQ(challenges[0].parameters["scope"], "repository:library/busybox:pull,push");
}

TEST(WwwAuthenticate, BasicChallenge) {
  auto challenges = parse_www_authenticate(R"(Basic realm="test")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Basic");
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(base64_encode("alice:wonderland").value(), "YWxpY2U6d29uZGVybGFuZA==");
  EXPECT_EQ(base64_decode("YWxpY2U6d29uZGVybGFuZA==").value(), "alice:wonderland");
  EXPECT_EQ(base64_decode("YQ==").value(), "a");
  EXPECT_FALSE(base64_decode("not base64!"));
}

class AuthFiles : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto path = dir_.path() / name;
    EXPECT_TRUE(write_file_atomic(path, text));
    return path;
  }
  TestTempDir dir_;
};

TEST_F(AuthFiles, FirstFileWithAnEntryWinsAndDockerHubHasItsAliases) {
  auto a = write("a.json", R"({"auths":{"quay.io":{"auth":"dTE6cDE="}}})");
  auto b = write("b.json", R"({"auths":{"https://index.docker.io/v1/":{"auth":"dTI6cDI="}}})");
  auto hub = find_credentials({dir_.path() / "missing.json", a, b}, "docker.io");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ((*hub)->username, "u2");
  EXPECT_EQ((*hub)->password, "p2");
  EXPECT_EQ((*hub)->source, b.string());
  auto none = find_credentials({a, b}, "ghcr.io");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST(AuthFileOrder, RootWithoutXdgRuntimeDirReadsWherePodmanLoginWritesForRoot) {
  AuthEnvironment root_service;
  root_service.home = "/root";
  std::vector<std::filesystem::path> expected = {
      "/run/containers/0/auth.json", "/etc/containers/auth.json",
      "/root/.config/containers/auth.json", "/root/.docker/config.json"};
  EXPECT_EQ(auth_files_for(root_service), expected);
}

TEST(AuthFileOrder, FollowsContainersAuthJsonWithTheEnvironmentFirst) {
  AuthEnvironment user{"/tmp/override.json", "/run/user/1000", "/home/u/.cfg", "/home/u", 1000};
  std::vector<std::filesystem::path> expected = {
      "/tmp/override.json", "/run/user/1000/containers/auth.json", "/run/containers/1000/auth.json",
      "/etc/containers/auth.json", "/home/u/.cfg/containers/auth.json", "/home/u/.docker/config.json"};
  EXPECT_EQ(auth_files_for(user), expected);
}

TEST_F(AuthFiles, CredentialHelpersAreReportedNotRun) {
  auto file = write("config.json", R"({"credHelpers":{"gcr.io":"gcloud"}})");
  auto result = find_credentials({file}, "gcr.io");
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("asks a credential helper for 'gcr.io', which ctapp does not run"));
}

TEST_F(AuthFiles, WrongTypesAreErrorsNamingFileAndField) {
  auto file = write("auth.json", R"({"auths":{"quay.io":{"username":5,"password":"p"}}})");
  auto result = find_credentials({file}, "quay.io");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "credentials file '" + file.string() + "': 'auths.quay.io.username' must be a string, not a number");
  auto helpers = write("helpers.json", R"({"credHelpers":{"gcr.io":1}})");
  EXPECT_FALSE(find_credentials({helpers}, "gcr.io"));
  auto deep = write("deep.json", std::string(100000, '[') + std::string(100000, ']'));
  auto nested = find_credentials({deep}, "gcr.io");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().message, "credentials file: '" + deep.string() + "' nests deeper than 64 levels");
}

TEST_F(AuthFiles, AMirrorWithoutLocationIsAnErrorNotAnEmptyHost) {
  // Found by the registries_conf fuzzer: the mirror became a pull source with no host.
  auto file = write("registries.conf",
                    "[[registry]]\nprefix = \"registry.example\"\nlocation = \"127.0.0.9:1\"\n"
                    "[[registry.mirror]]\nlocction = \"127.0.0.1:5000\"\n");
  auto config = load_registries_config(file, dir_.path() / "none.d");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            file.string() + ":4:1: a [[registry.mirror]] needs a location such as \"mirror.example:5000\"");
}

TEST_F(AuthFiles, AnEmptySearchRegistryIsAnError) {
  // Found by the registries_conf fuzzer: "" became a pull source with no host.
  auto file = write("registries.conf", "unqualified-search-registries = [\"registry.example\", \"\"]\n");
  auto config = load_registries_config(file, dir_.path() / "none.d");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            file.string() + ":1:54: unqualified-search-registries holds registry hosts, such as \"docker.io\"");
}

TEST_F(AuthFiles, AnAliasToALayoutIsAnError) {
  // Found by the registries_conf fuzzer: the alias became a pull source with no host.
  auto file = write("registries.conf", "[aliases]\n\"box\" = \"oci:/box\"\n");
  auto config = load_registries_config(file, dir_.path() / "none.d");
  ASSERT_TRUE(config);
  auto ref = parse_image_reference("box");
  ASSERT_TRUE(ref);
  auto sources = pull_sources(*config, "box", *ref);
  ASSERT_FALSE(sources);
  EXPECT_EQ(sources.error().message, "registries.conf alias 'box' must name a registry image, not 'oci:/box'");
}

TEST_F(AuthFiles, AMirrorThatLeavesNoRepositoryIsAnError) {
  // Found by the registries_conf fuzzer: a mirror of a whole repository
  // without a path became a pull source with an empty repository.
  auto file = write("registries.conf",
                    "[[registry]]\nlocation = \"localhost/x\"\n[[registry.mirror]]\nlocation = \"127.0.0.1:5000\"\n");
  auto config = load_registries_config(file, dir_.path() / "none.d");
  ASSERT_TRUE(config);
  auto ref = parse_image_reference("localhost/x");
  ASSERT_TRUE(ref);
  auto sources = pull_sources(*config, "localhost/x", *ref);
  ASSERT_FALSE(sources);
  EXPECT_EQ(sources.error().message,
            "registries.conf: location '127.0.0.1:5000' for prefix 'localhost/x' leaves no repository for 'localhost/x'");
}

class RegistriesConf : public AuthFiles {
 protected:
  std::vector<PullSource> sources(const std::string& conf, const std::string& written) {
    auto file = write("registries.conf", conf);
    auto config = load_registries_config(file, dir_.path() / "none.d");
    EXPECT_TRUE(config) << config.error().message;
    auto ref = parse_image_reference(written);
    auto result = pull_sources(*config, written, *ref);
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : std::vector<PullSource>{};
  }
};

TEST_F(RegistriesConf, DockerHubIsServedByRegistry1) {
  auto found = sources("", "busybox");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].host, "registry-1.docker.io");
  EXPECT_EQ(found[0].repository, "library/busybox");
}

TEST_F(RegistriesConf, MirrorsComeBeforeTheLocation) {
  auto found = sources(R"(
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "mirror.local:5000/hub"
insecure = true
)", "valkey/valkey:9.0.0");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].host, "mirror.local:5000");
  EXPECT_EQ(found[0].repository, "hub/valkey/valkey");
  EXPECT_TRUE(found[0].insecure);
  EXPECT_EQ(found[1].host, "registry-1.docker.io");
  EXPECT_FALSE(found[1].insecure);
}

TEST_F(RegistriesConf, ShortNamesUseAliasesThenSearchRegistries) {
  std::string conf = R"(
unqualified-search-registries = ["quay.io", "docker.io"]
[aliases]
"valkey" = "docker.io/valkey/valkey"
)";
  auto alias = sources(conf, "valkey:9.0.0");
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_EQ(alias[0].name, "docker.io/valkey/valkey");
  EXPECT_EQ(alias[0].host, "registry-1.docker.io");
  auto search = sources(conf, "busybox");
  ASSERT_EQ(search.size(), 2u);
  EXPECT_EQ(search[0].name, "quay.io/busybox");
  EXPECT_EQ(search[1].repository, "library/busybox");
}

TEST_F(RegistriesConf, BlockedRegistriesAreRefused) {
  auto file = write("registries.conf", "[[registry]]\nprefix = \"evil.example\"\nblocked = true\n");
  auto config = load_registries_config(file, dir_.path() / "none.d");
  auto ref = parse_image_reference("evil.example/x:1");
  auto result = pull_sources(*config, "evil.example/x:1", *ref);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "registry 'evil.example' is blocked in registries.conf");
}

TEST_F(RegistriesConf, SyntaxErrorsAreLocated) {
  auto file = write("registries.conf", "[[registry]\n");
  auto config = load_registries_config(file, dir_.path() / "none.d");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr(file.string() + ":1:"));
}

}  // namespace
}  // namespace ctapp

namespace ctapp {
namespace {

TEST(TokenRealm, CredentialsNeverGoToAPlainHttpRealmOfAnHttpsRegistry) {
  auto refused = check_token_realm("http://auth.example/token", "https", "registry.example", "/etc/containers/auth.json");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "registry.example: the token service 'http://auth.example/token' is plain HTTP although the "
            "registry is HTTPS: ctapp does not send the credentials for registry.example (from "
            "'/etc/containers/auth.json') over plain HTTP; the registry's token realm must use https://");
  EXPECT_FALSE(check_token_realm("HTTP://registry.example/token", "https", "registry.example", "f"));
}

TEST(TokenRealm, NorToAPlainHttpRealmOnAnotherHost) {
  auto refused = check_token_realm("http://127.0.0.2:5000/token", "http", "127.0.0.1:5000", "f");
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("is plain HTTP on another host"));
}

TEST(TokenRealm, HttpsRealmsAndTheInsecureRegistryItselfAreFine) {
  EXPECT_TRUE(check_token_realm("https://auth.docker.io/token", "https", "registry-1.docker.io", "f"));
  EXPECT_TRUE(check_token_realm("http://127.0.0.1:5000/token?x=1", "http", "127.0.0.1:5000", "f"));
}

// libcurl stand-ins: one option is refused, as an old libcurl refuses
// CURLOPT_PROTOCOLS_STR; nothing may be transferred then.
int performed = 0;
CURLcode refuse_protocols(CURL*, CURLoption option, ...) {
  return option == CURLOPT_PROTOCOLS_STR ? CURLE_UNKNOWN_OPTION : CURLE_OK;
}
CURLcode count_perform(CURL*) {
  ++performed;
  return CURLE_OK;
}
CURL* fake_init() {
  static char handle;
  return reinterpret_cast<CURL*>(&handle);
}
CURLcode fake_getinfo(CURL*, CURLINFO, ...) { return CURLE_OK; }
void fake_cleanup(CURL*) {}
void fake_reset(CURL*) {}
const char* fake_strerror(CURLcode) { return "An unknown option was passed in to libcurl"; }
curl_slist* fake_append(curl_slist* list, const char*) { return list; }
void fake_free(curl_slist*) {}

TEST(HttpClient, AnOptionLibcurlRefusesFailsTheRequestBeforeAnyTransfer) {
  CurlLibrary library{};
  library.easy_init = fake_init;
  library.easy_cleanup = fake_cleanup;
  library.easy_reset = fake_reset;
  library.easy_setopt = refuse_protocols;
  library.easy_perform = count_perform;
  library.easy_getinfo = fake_getinfo;
  library.easy_strerror = fake_strerror;
  library.slist_append = fake_append;
  library.slist_free_all = fake_free;
  auto client = HttpClient::create_with(&library);
  ASSERT_TRUE(client);
  auto response = client->get({"https://registry.example/v2/", {"Accept: x"}});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().message,
            "libcurl refused CURLOPT_PROTOCOLS_STR (An unknown option was passed in to libcurl): ctapp "
            "needs libcurl 7.85 or newer");
  EXPECT_EQ(performed, 0);
}

}  // namespace
}  // namespace ctapp
