// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/unit_file.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

TEST(UnitFile, SerialisesSectionsAndKeysInInsertionOrder) {
  UnitFile unit;
  unit.add("Unit", "Description", "x");
  unit.add("Service", "Restart", "always");
  unit.add("Unit", "After", "b.service");
  EXPECT_EQ(unit.to_string({"generated"}),
            "# generated\n\n[Unit]\nDescription=x\nAfter=b.service\n\n[Service]\nRestart=always\n");
}

TEST(UnitFile, ControlCharactersNeverStartANewLine) {
  UnitFile unit;
  EXPECT_FALSE(unit.add("Unit", "Description", "a\n[Service]\nExecStart=/bin/evil"));
  ASSERT_TRUE(unit.add("Unit", "Description", "a"));
  std::string text = unit.to_string({"from /etc/x\n[Service]"});
  EXPECT_EQ(text, "# from /etc/x [Service]\n\n[Unit]\nDescription=a\n");
}

TEST(UnitFile, PercentIsEscapedAsASpecifier) {
  EXPECT_EQ(escape_specifiers("100%i"), "100%%i");
}

TEST(UnitFile, ExecWordsAreQuotedWhenNeeded) {
  EXPECT_EQ(quote_exec_word("/usr/bin/ctapp"), "/usr/bin/ctapp");
  EXPECT_EQ(quote_exec_word("a b"), "\"a b\"");
  EXPECT_EQ(quote_exec_word("-x"), "\"-x\"");
  EXPECT_EQ(quote_exec_word("$HOME\"%\\"), "\"$$HOME\\\"%%\\\\\"");
  EXPECT_EQ(quote_exec_word(""), "\"\"");
}

}  // namespace
}  // namespace ctapp
