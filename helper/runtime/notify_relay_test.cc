// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/notify_relay.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

TEST(FilterNotifyMessage, KeepsTheAllowedFields) {
  std::string allowed =
      "READY=1\nRELOADING=1\nSTOPPING=1\nWATCHDOG=1\nSTATUS=up: 3 workers\nBUSERROR=org.x.E\n"
      "ERRNO=2\nEXTEND_TIMEOUT_USEC=5000000\nWATCHDOG_USEC=100\nMONOTONIC_USEC=12345\n";
  EXPECT_EQ(filter_notify_message(allowed), allowed);
  EXPECT_EQ(filter_notify_message("READY=1"), "READY=1\n");
}

TEST(FilterNotifyMessage, DropsEverythingElse) {
  for (const char* dropped :
       {"MAINPID=1", "FDSTORE=1", "FDSTOREREMOVE=1", "FDNAME=db", "FDPOLL=0", "NOTIFYACCESS=all",
        "BARRIER=1", "WATCHDOG=trigger", "EXIT_STATUS=3", "READY=2", "READY=", "ERRNO=-1",
        "EXTEND_TIMEOUT_USEC=1e9", "WATCHDOG_USEC=", "X_CUSTOM=1", "=1", "READY", "ready=1",
        "MONOTONIC_USEC=123456789012345678901234"})
    EXPECT_EQ(filter_notify_message(dropped), "") << dropped;
  EXPECT_EQ(filter_notify_message("MAINPID=7\nSTATUS=ok\nNOTIFYACCESS=all\n"), "STATUS=ok\n");
  EXPECT_EQ(filter_notify_message(std::string("STATUS=a\0b\nREADY=1", 18)), "READY=1\n");
}

}  // namespace
}  // namespace ctapp
