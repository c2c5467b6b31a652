// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json/json_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

nlohmann::json parsed(std::string_view text) {
  auto json = parse_json(text, "test");
  EXPECT_TRUE(json) << json.error().message;
  return json ? *json : nlohmann::json();
}

TEST(JsonReader, WrongTypeNamesDocumentAndField) {
  auto json = parsed(R"({"mediaType": 5})");
  auto value = JsonView(json, "manifest").string("mediaType");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, "manifest: 'mediaType' must be a string, not a number");
}

TEST(JsonReader, MissingFieldSaysWhatItMustBe) {
  auto json = parsed(R"({})");
  auto value = JsonView(json, "manifest").string("digest");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, "manifest: 'digest' is missing (it must be a string)");
}

TEST(JsonReader, NestedFieldsAreNamedByTheirPath) {
  auto json = parsed(R"({"manifests": [{"platform": {"os": 1}}]})");
  auto manifests = JsonView(json, "index").array("manifests");
  ASSERT_TRUE(manifests);
  auto platform = (*manifests)[0].object("platform");
  ASSERT_TRUE(platform);
  auto os = platform->string("os");
  ASSERT_FALSE(os);
  EXPECT_EQ(os.error().message, "index: 'manifests[0].platform.os' must be a string, not a number");
}

TEST(JsonReader, OptionalGettersTreatNullAsAbsent) {
  auto json = parsed(R"({"Env": null, "Cmd": ["a", "b"], "Labels": {"x": "y"}, "flag": true})");
  JsonView view(json, "config");
  EXPECT_EQ(view.strings("Env").value(), std::vector<std::string>());
  EXPECT_EQ(view.strings("Cmd").value(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(view.string_map("Labels").value().at("x"), "y");
  EXPECT_EQ(view.optional_string("User").value(), std::nullopt);
  EXPECT_EQ(view.optional_boolean("flag").value(), true);
  EXPECT_FALSE(view.string("Env"));
}

TEST(JsonReader, ArraysOfStringsRejectOtherElements) {
  auto json = parsed(R"({"Cmd": ["a", 1]})");
  auto value = JsonView(json, "config").strings("Cmd");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, "config: 'Cmd[1]' must be a string, not a number");
}

TEST(JsonReader, StringMapRejectsNonStringValues) {
  auto json = parsed(R"({"Labels": {"a": {}}})");
  auto value = JsonView(json, "config").string_map("Labels");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, "config: 'Labels.a' must be a string, not an object");
}

TEST(JsonReader, IntegersAreRangeChecked) {
  auto json = parsed(R"({"size": -1, "big": 18446744073709551615, "ok": 42, "frac": 1.5})");
  JsonView view(json, "descriptor");
  EXPECT_EQ(view.integer("ok", 0, 100).value(), 42);
  auto negative = view.integer("size", 0, 1000);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().message,
            "descriptor: 'size' must be an integer from 0 to 1000, not a number");
  EXPECT_FALSE(view.integer("big", 0, std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(view.unsigned_integer("big", UINT64_MAX).value(), UINT64_MAX);
  EXPECT_FALSE(view.unsigned_integer("size", 10));
  EXPECT_FALSE(view.integer("frac", 0, 10));
}

TEST(JsonReader, GettersOnANonObjectFailInsteadOfThrowing) {
  auto json = parsed(R"([1, 2])");
  JsonView view(json, "index.json");
  auto value = view.string("manifests");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, "index.json must be a JSON object, not an array");
  EXPECT_FALSE(view.optional_array("manifests"));
  EXPECT_FALSE(view.optional_string("x"));
}

TEST(JsonReader, AMillionLevelsOfNestingIsAnErrorNotACrash) {
  std::string deep(1000000, '[');
  deep += std::string(1000000, ']');
  auto json = parse_json(deep, "manifest", {.max_size = 4 << 20});
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message, "manifest nests deeper than 64 levels");
}

TEST(JsonReader, BracketsInsideStringsDoNotCountAsNesting) {
  std::string text = R"({"a": ")" + std::string(1000, '[') + R"(\"["})";
  EXPECT_TRUE(parse_json(text, "x"));
}

TEST(JsonReader, OversizedTextIsRefused) {
  auto json = parse_json(std::string(100, ' '), "token response", {.max_size = 10});
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message, "token response is 100 bytes, more than the 10 ctapp reads");
}

TEST(JsonReader, InvalidJsonAndInvalidUtf8AreErrors) {
  auto broken = parse_json("{\"a\": ", "manifest");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message, "manifest is not valid JSON (error at byte 7)");
  EXPECT_FALSE(parse_json("{\"a\": \"\xff\"}", "manifest"));
}

TEST(JsonReader, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  nlohmann::json json = {{"mediaType", std::string("application/\xff")}};
  EXPECT_EQ(dump_json(json), "{\"mediaType\":\"application/\xef\xbf\xbd\"}");
}

TEST(JsonReader, Utf8Validation) {
  EXPECT_TRUE(is_utf8("plain"));
  EXPECT_TRUE(is_utf8("gr\xc3\xbc\xc3\x9f"));
  EXPECT_TRUE(is_utf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_utf8("\xff"));
  EXPECT_FALSE(is_utf8("\xc3"));
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(JsonReader, ReadJsonFileNamesTheFile) {
  TestTempDir dir;
  auto file = dir.path() / "auth.json";
  std::ofstream(file) << "not json";
  auto json = read_json_file(file);
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message, "'" + file.string() + "' is not valid JSON (error at byte 2)");
}

}  // namespace
}  // namespace ctapp
