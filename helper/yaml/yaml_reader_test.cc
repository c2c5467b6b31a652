// SPDX-License-Identifier: LGPL-2.1-or-later
#include "yaml/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctapp {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr YamlLimits kLimits{8, 100};

json read(std::string_view text) {
  auto value = parse_yaml(text, "'t.yaml'", kLimits);
  EXPECT_TRUE(value) << value.error().message;
  return value ? *value : json();
}

std::string error_of(std::string_view text) {
  auto value = parse_yaml(text, "'t.yaml'", kLimits);
  EXPECT_FALSE(value);
  return value ? "" : value.error().message;
}

TEST(YamlReader, PlainScalarsAreTypedAsGoYamlDoesAndOthersStayStrings) {
  EXPECT_EQ(read("a: 0644\nb: 0o17\nc: 0x1f\nd: -3\ne: 12\nf: true\ng: False\nh: ~\ni: null\nj:\n"
                 "k: 1.5\nl: web\n"),
            json::parse(R"({"a": 420, "b": 15, "c": 31, "d": -3, "e": 12, "f": true, "g": false,
                            "h": null, "i": null, "j": null, "k": "1.5", "l": "web"})"));
  EXPECT_EQ(read("a: \"0644\"\nb: 'true'\nc: !!str 12\nd: |\n  two\n  lines\n"),
            json::parse(R"({"a": "0644", "b": "true", "c": "12", "d": "two\nlines\n"})"));
}

TEST(YamlReader, FirstDocumentOnlyAndEmptyTextIsNull) {
  EXPECT_EQ(read("---\n[1, 2]\n---\n[3]\n"), json::parse("[1, 2]"));
  EXPECT_EQ(read(""), json(nullptr));
}

TEST(YamlReader, AliasesCopyTheAnchoredValueAndCountAgainstTheLimit) {
  EXPECT_EQ(read("base: &b {x: 1, y: [a, b]}\ncopy: *b\n"),
            json::parse(R"({"base": {"x": 1, "y": ["a", "b"]}, "copy": {"x": 1, "y": ["a", "b"]}})"));
  // Each use of &l counts its 11 values: 10 uses exceed 100.
  EXPECT_THAT(error_of("l: &l [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nm: [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]\n"),
              HasSubstr("'t.yaml': more than 100 values"));
  EXPECT_THAT(error_of("a: *nowhere\n"), HasSubstr("'t.yaml': an alias to an unknown anchor 'nowhere'"));
}

TEST(YamlReader, BoundsAndMalformedTextFailNamingTheFileAndLine) {
  EXPECT_THAT(error_of("[[[[[[[[[[1]]]]]]]]]]"), HasSubstr("'t.yaml': nested deeper than 8 levels"));
  EXPECT_THAT(error_of("[1, 2]: x\n"), HasSubstr("'t.yaml': a key that is not a string"));
  EXPECT_THAT(error_of("a: 1\n b: [unclosed\n"), HasSubstr("'t.yaml': not YAML: "));
  EXPECT_THAT(error_of("a: 1\nb: [unclosed\n"), HasSubstr("at line 3, column 1"));
}

}  // namespace
}  // namespace ctapp
