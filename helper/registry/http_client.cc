// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/http_client.h"

#include "registry/curl_library.h"

#include <chrono>
#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <utility>

namespace ctapp {
namespace {

struct TransferState {
  HttpResponse* response;
  const BodySink* sink;
  bool aborted = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  size_t bytes = size * count;
  // Bodies of redirects and errors are small and not the payload.
  if (state->response->status >= 200 && state->response->status < 300 && *state->sink) {
    if (!(*state->sink)(state->response->status, data, bytes)) {
      state->aborted = true;
      return 0;
    }
    return bytes;
  }
  if (state->response->body.size() < (1 << 22)) state->response->body.append(data, bytes);
  return bytes;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  size_t bytes = size * count;
  std::string line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect): forget the previous one's headers.
    state->response->headers.clear();
    state->response->body.clear();
    auto space = line.find(' ');
    state->response->status = space == std::string::npos ? 0 : std::atol(line.c_str() + space + 1);
    return bytes;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return bytes;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  state->response->headers[name] = value;
  return bytes;
}

}  // namespace

Result<HttpClient> HttpClient::create() {
  auto library = curl_library();
  if (!library) return std::unexpected(library.error());
  return create_with(*library);
}

Result<HttpClient> HttpClient::create_with(const CurlLibrary* library) {
  HttpClient client;
  client.lib_ = library;
  client.curl_ = client.lib_->easy_init();
  if (!client.curl_) return fail("cannot initialise libcurl");
  return client;
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : lib_(other.lib_), curl_(std::exchange(other.curl_, nullptr)) {}
HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    if (curl_) lib_->easy_cleanup(curl_);
    lib_ = other.lib_;
    curl_ = std::exchange(other.curl_, nullptr);
  }
  return *this;
}
HttpClient::~HttpClient() {
  if (curl_) lib_->easy_cleanup(curl_);
}

const char* const kTimeLimitRanOut = "the time limit ran out";

Result<HttpResponse> HttpClient::get(const HttpRequest& request, const BodySink& sink) {
  lib_->easy_reset(curl_);
  HttpResponse response;
  TransferState state{&response, &sink};
  curl_slist* headers = nullptr;
  for (const auto& header : request.headers) headers = lib_->slist_append(headers, header.c_str());
  std::string range = request.resume_from > 0 ? std::to_string(request.resume_from) + "-" : "";
  char error[CURL_ERROR_SIZE] = "";
  // Every option is checked: an old libcurl without one (the protocol
  // restrictions came in 7.85) must fail the transfer, not run without it.
  std::optional<Error> refused;
  auto set = [&](CURLoption option, const char* name, auto value) {
    if (refused) return;
    if (CURLcode result = lib_->easy_setopt(curl_, option, value); result != CURLE_OK)
      refused = Error{fmt::format("libcurl refused {} ({}): ctapp needs libcurl 7.85 or newer", name,
                                  lib_->easy_strerror(result))};
  };
  set(CURLOPT_URL, "CURLOPT_URL", request.url.c_str());
  set(CURLOPT_HTTPHEADER, "CURLOPT_HTTPHEADER", headers);
  set(CURLOPT_FOLLOWLOCATION, "CURLOPT_FOLLOWLOCATION", 1L);
  set(CURLOPT_MAXREDIRS, "CURLOPT_MAXREDIRS", 10L);
  // Never hand credentials to a host we were redirected to.
  set(CURLOPT_UNRESTRICTED_AUTH, "CURLOPT_UNRESTRICTED_AUTH", 0L);
  set(CURLOPT_PROTOCOLS_STR, "CURLOPT_PROTOCOLS_STR", "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "CURLOPT_REDIR_PROTOCOLS_STR", "http,https");
  set(CURLOPT_SSL_VERIFYPEER, "CURLOPT_SSL_VERIFYPEER", request.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, "CURLOPT_SSL_VERIFYHOST", request.verify_tls ? 2L : 0L);
  set(CURLOPT_CONNECTTIMEOUT, "CURLOPT_CONNECTTIMEOUT", request.connect_timeout_seconds);
  set(CURLOPT_LOW_SPEED_LIMIT, "CURLOPT_LOW_SPEED_LIMIT", 1L);
  set(CURLOPT_LOW_SPEED_TIME, "CURLOPT_LOW_SPEED_TIME", request.stall_seconds);
  set(CURLOPT_NOSIGNAL, "CURLOPT_NOSIGNAL", 1L);
  set(CURLOPT_USERAGENT, "CURLOPT_USERAGENT", "ctapp/" CTAPP_VERSION);
  set(CURLOPT_WRITEFUNCTION, "CURLOPT_WRITEFUNCTION", on_body);
  set(CURLOPT_WRITEDATA, "CURLOPT_WRITEDATA", &state);
  set(CURLOPT_HEADERFUNCTION, "CURLOPT_HEADERFUNCTION", on_header);
  set(CURLOPT_HEADERDATA, "CURLOPT_HEADERDATA", &state);
  set(CURLOPT_ERRORBUFFER, "CURLOPT_ERRORBUFFER", error);
  if (!range.empty()) set(CURLOPT_RANGE, "CURLOPT_RANGE", range.c_str());
  if (request.total_timeout_ms > 0) set(CURLOPT_TIMEOUT_MS, "CURLOPT_TIMEOUT_MS", request.total_timeout_ms);
  if (refused) {
    lib_->slist_free_all(headers);
    return std::unexpected(*refused);
  }
  auto started = std::chrono::steady_clock::now();
  CURLcode code = lib_->easy_perform(curl_);
  lib_->slist_free_all(headers);
  char* effective = nullptr;
  lib_->easy_getinfo(curl_, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective) response.effective_url = effective;
  if (state.aborted) return fail("{}: the download was stopped", request.url);
  // Two timers end a transfer with CURLE_OPERATION_TIMEDOUT: the stall
  // (LOW_SPEED_TIME) can only have fired once that much time has passed;
  // before that it was the total limit (curl may round it up by a few ms).
  if (code == CURLE_OPERATION_TIMEDOUT && request.total_timeout_ms > 0 &&
      std::chrono::steady_clock::now() - started < std::chrono::seconds(request.stall_seconds))
    return fail("{}: {}", request.url, kTimeLimitRanOut);
  if (code == CURLE_OPERATION_TIMEDOUT)
    return fail("{}: the transfer stalled (no data for {} s)", request.url, request.stall_seconds);
  if (code != CURLE_OK)
    return fail("{}: {}", request.url, *error ? error : lib_->easy_strerror(code));
  return response;
}

std::string url_encode(const std::string& value) {
  std::string encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

}  // namespace ctapp
