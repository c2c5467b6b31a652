// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/device_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/app_config_parser.h"
#include "core/parse_test_support.h"
#include "core/unit_renderer.h"

namespace ctapp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(DeviceRequest, HostPathAloneGetsEveryPermissionAndTheSamePathInside) {
  auto request = parse_device_request("/dev/fuse");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ("/dev/fuse", request->host_path);
  EXPECT_EQ("", request->container_path);
  EXPECT_EQ("rwm", request->permissions);
  EXPECT_EQ("", request->cdi_name);
}

TEST(DeviceRequest, PodmanSyntaxWithContainerPathAndPermissions) {
  auto request = parse_device_request("/dev/sdc:/dev/xvdc:rw");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ("/dev/sdc", request->host_path);
  EXPECT_EQ("/dev/xvdc", request->container_path);
  EXPECT_EQ("rw", request->permissions);

  auto short_form = parse_device_request("/dev/sdc:r");
  ASSERT_TRUE(short_form) << short_form.error().message;
  EXPECT_EQ("", short_form->container_path);
  EXPECT_EQ("r", short_form->permissions);
}

TEST(DeviceRequest, CdiNameIsKeptForTheHelper) {
  auto request = parse_device_request("vendor.example/gpu=card-0");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ("vendor.example/gpu=card-0", request->cdi_name);
  EXPECT_EQ("", request->host_path);
  EXPECT_TRUE(parse_device_request("nvidia.com/gpu=0:1"));
}

TEST(DeviceRequest, WrongPermissionsSayWhichLettersAreAllowed) {
  auto bad = parse_device_request("/dev/fuse:/dev/fuse:rx");
  ASSERT_FALSE(bad);
  EXPECT_EQ("device '/dev/fuse:/dev/fuse:rx': 'rx' is not a device permission: use some of 'r' "
            "(read), 'w' (write) and 'm' (mknod), e.g. 'rw'",
            bad.error().message);
  auto twice = parse_device_request("/dev/fuse:rr");
  ASSERT_FALSE(twice);
  EXPECT_EQ("device '/dev/fuse:rr': device permissions 'rr' name 'r' twice", twice.error().message);
}

TEST(DeviceRequest, MalformedEntriesAreRefusedWithTheShapeToWrite) {
  EXPECT_THAT(parse_device_request("fuse").error().message,
              HasSubstr("'fuse' is neither a device path nor a CDI name"));
  EXPECT_THAT(parse_device_request("/dev/a:/dev/b:rw:x").error().message,
              HasSubstr("too many ':'"));
  EXPECT_THAT(parse_device_request("/dev/../etc/passwd").error().message,
              HasSubstr("must not contain '.' or '..'"));
  EXPECT_THAT(parse_device_request("/dev/fuse:").error().message, HasSubstr("nothing after ':'"));
}

TEST(CdiName, ShapeOfVendorClassAndName) {
  EXPECT_TRUE(check_cdi_name("vendor.com/class=name"));
  EXPECT_TRUE(check_cdi_name("foo.bar.baz/foo-bar123.B_az=x"));
  EXPECT_EQ("'vendor.com=x' is not a CDI device name ('vendor.com' is not a CDI kind: write "
            "'vendor.com/class'): write 'vendor.com/class=name', e.g. 'nvidia.com/gpu=0'",
            check_cdi_name("vendor.com=x").error().message);
  EXPECT_FALSE(check_cdi_name("vendor.com/class/extra=x"));
  EXPECT_FALSE(check_cdi_name("-vendor.com/class=x"));
  EXPECT_FALSE(check_cdi_name("vendor.com/class="));
  EXPECT_FALSE(check_cdi_name("vendor.com/class=a b"));
}

TEST(CredentialSource, NameAndAbsolutePath) {
  auto source = parse_credential_source("token:/etc/ctapp/token");
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ("token", source->name);
  EXPECT_EQ("/etc/ctapp/token", source->path);
  EXPECT_EQ("credential 'token' has no path: write 'NAME:/path/to/file', e.g. "
            "'token:/etc/ctapp/token'",
            parse_credential_source("token").error().message);
  EXPECT_EQ("credential 'token': 'etc/token' must be an absolute path",
            parse_credential_source("token:etc/token").error().message);
  EXPECT_EQ("'a/b' is not a credential name: a file name without '/', not '.' or '..'",
            parse_credential_source("a/b:/etc/x").error().message);
  EXPECT_FALSE(parse_credential_source("..:/etc/x"));
}

TEST(DeviceKeysParser, ReadsDevicesAndCredentials) {
  auto app = parse_app_text("app", "/etc/containers.d/app.ctapp", R"(
image = "docker.io/library/busybox:1"
[run]
devices = ["/dev/fuse", "/dev/sdc:/dev/xvdc:r", "vendor.com/class=name"]
credentials = ["token:/etc/ctapp/token", "tls.key:/etc/ssl/private/app.key"]
credentials_as_secrets = true
)");
  ASSERT_TRUE(app) << app.error().front().format();
  ASSERT_EQ(3u, app->run.devices.size());
  EXPECT_EQ("/dev/xvdc", app->run.devices[1].container_path);
  EXPECT_EQ("vendor.com/class=name", app->run.devices[2].cdi_name);
  ASSERT_EQ(2u, app->run.credentials.size());
  EXPECT_EQ("tls.key", app->run.credentials[1].name);
  EXPECT_TRUE(app->run.credentials_as_secrets);
}

TEST(DeviceKeysParser, ErrorsAreLocatedAtTheEntry) {
  EXPECT_THAT(errors_of(R"(image = "docker.io/library/busybox:1"
[run]
devices = ["/dev/fuse", "/dev/sdc:/dev/xvdc:rwx"]
)"),
              ElementsAre("/etc/containers.d/app.ctapp:3:25: devices: device "
                          "'/dev/sdc:/dev/xvdc:rwx': 'rwx' is not a device permission: use some "
                          "of 'r' (read), 'w' (write) and 'm' (mknod), e.g. 'rw'"));
  EXPECT_THAT(errors_of(R"(image = "docker.io/library/busybox:1"
[run]
credentials = ["token:/a", "token:/b"]
)"),
              ElementsAre("/etc/containers.d/app.ctapp:3:28: credentials: 'token' is given "
                          "twice: each name holds one file"));
  EXPECT_THAT(errors_of(R"(image = "docker.io/library/busybox:1"
[run]
device = ["/dev/fuse"]
)"),
              ElementsAre("/etc/containers.d/app.ctapp:3:1: unknown key 'device' in [run], did "
                          "you mean 'devices'?"));
}

TEST(DeviceKeysRenderer, CredentialsBecomeLoadCredentialWithSpecifiersEscaped) {
  auto app = parse_app_text("app", "/etc/containers.d/app.ctapp", R"(
image = "docker.io/library/busybox:1"
[run]
credentials = ["token:/etc/ctapp/token", "odd:/etc/ctapp/100%"]
)");
  ASSERT_TRUE(app) << app.error().front().format();
  auto rendered = render_app(*app, false);
  ASSERT_TRUE(rendered) << rendered.error().message;
  EXPECT_THAT(rendered->dropin_text, HasSubstr("LoadCredential=token:/etc/ctapp/token\n"
                                               "LoadCredential=odd:/etc/ctapp/100%%\n"));
}

}  // namespace
}  // namespace ctapp
