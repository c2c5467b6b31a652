// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <curl/curl.h>

#include "core/result.h"

namespace ctapp {

// The libcurl functions ctapp uses, from libcurl loaded on first use
// (core/shared_library.h says why): only pulls talk to a registry; prepare
// with a local image, run, cleanup and status do not pay for libcurl and what
// it pulls in (TLS, Kerberos, LDAP, SSH, IDN...). (git keeps its HTTP
// transport in a separate program for this reason.)
struct CurlLibrary {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// libcurl.so.4, loaded and initialised once (thread-safe); fails naming the
// library and what is missing, e.g. when the libcurl4 package is not installed.
Result<const CurlLibrary*> curl_library();

}  // namespace ctapp
