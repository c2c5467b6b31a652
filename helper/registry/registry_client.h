// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "registry/auth.h"
#include "registry/http_client.h"
#include "registry/registries_conf.h"

namespace ctapp {

struct RegistryOptions {
  bool tls_verify = true;      // false: as if every registry were insecure
  long stall_seconds = 30;     // a transfer without data for this long fails
  int max_attempts = 5;        // for 429, 5xx and dropped connections
  // When the whole pull must have ended (a registry trickling one byte a
  // second passes the stall check); `time_limit` names it in the error.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string time_limit;
};

struct FetchedManifest {
  std::string bytes;           // exactly as received: its sha256 is its digest
  std::string media_type;      // the document's own, else the Content-Type's
  std::string digest;          // computed here, never taken from a header
  nlohmann::json document;     // `bytes` parsed (a JSON object)
};

// The distribution-spec client for one repository at one registry: /v2/
// ping, Bearer token (anonymous or with credentials) or Basic auth, retries
// with back-off on 429 and 5xx (honouring Retry-After), resumption of
// dropped blob transfers with Range, and verification of every byte.
class RegistryClient {
 public:
  static Result<RegistryClient> connect(const PullSource& source,
                                        const std::optional<Credentials>& credentials,
                                        const RegistryOptions& options);

  // GET /v2/<repo>/manifests/<reference> with every manifest type accepted.
  // With a digest reference, the bytes must hash to it.
  Result<FetchedManifest> fetch_manifest(const std::string& reference);

  // GET /v2/<repo>/blobs/<digest> into `file` (created or resumed), checked
  // against digest and size; `downloaded` counts bytes as they arrive.
  Status fetch_blob(const std::string& digest, int64_t size, const std::filesystem::path& file,
                    std::atomic<int64_t>* downloaded);

  // A second connection to the same repository for parallel blobs: the
  // scheme and the token this one learnt are reused, so there is no ping.
  Result<RegistryClient> another_connection() const;

 private:
  RegistryClient(HttpClient http) : http_(std::move(http)) {}
  std::string url(const std::string& path) const;
  // A GET with auth and retries; `sink` receives a 2xx body.
  Result<HttpResponse> get(const std::string& path, std::vector<std::string> headers,
                           const BodySink& sink, int64_t resume_from = 0);
  Status authenticate(const HttpResponse& unauthorized);
  // options_.deadline has passed (false without one).
  bool past_deadline() const;
  std::unexpected<Error> time_limit_error() const;

  HttpClient http_;
  PullSource source_;
  std::optional<Credentials> credentials_;
  RegistryOptions options_;
  std::string scheme_ = "https";
  std::string authorization_;  // "Authorization: ..." once known
};

// Fails unless credentials (from `credentials_source`) may be sent to the
// token service at `realm` of a registry spoken to over `registry_scheme`:
// https realms always; http only for a plain-HTTP registry on the same host.
Status check_token_realm(const std::string& realm, const std::string& registry_scheme,
                         const std::string& registry_host, const std::string& credentials_source);

}  // namespace ctapp
