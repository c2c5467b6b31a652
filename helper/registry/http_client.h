// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

typedef void CURL;

namespace ctapp {

struct CurlLibrary;

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  bool verify_tls = true;
  int64_t resume_from = 0;           // Range: bytes=N- when > 0
  long stall_seconds = 30;           // fail when less than 1 byte/s for this long
  long connect_timeout_seconds = 15;
  long total_timeout_ms = 0;         // the whole transfer; 0: no limit
};

// How HttpClient::get's error ends when total_timeout_ms ran out.
extern const char* const kTimeLimitRanOut;

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; last value wins
  std::string body;                            // unless a body sink was given
  std::string effective_url;                   // after redirects
};

// Receives the bytes of a 2xx body as they arrive, with the status (206 for
// a partial response); returning false aborts the transfer.
using BodySink = std::function<bool(long status, const char* data, size_t size)>;

// One libcurl easy handle, move-only. Redirects are followed; a custom
// Authorization header is never sent to another host (libcurl drops custom
// Authorization headers across hosts; we also re-check that here, see
// http_client.cc). Transport failures are errors; any HTTP status is a
// response.
class HttpClient {
 public:
  static Result<HttpClient> create();
  // With the given libcurl functions (tests substitute some).
  static Result<HttpClient> create_with(const CurlLibrary* library);
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  Result<HttpResponse> get(const HttpRequest& request, const BodySink& sink = {});

 private:
  HttpClient() = default;
  const CurlLibrary* lib_ = nullptr;
  CURL* curl_ = nullptr;
};

// Percent-encodes a query parameter value.
std::string url_encode(const std::string& value);

}  // namespace ctapp
